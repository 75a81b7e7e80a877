package callmedia

import (
	"fmt"

	"github.com/thesyncim/gopus"
)

// Opus settings of the sent audio: speech, 32 kbit/s, in-band FEC against single losses.
const (
	opusBitrate    = 32000
	maxOpusPacket  = 1500
	maxFrameDecode = 5760 // 120 ms, the longest Opus packet
)

// NewOpusEncoder returns the encoder a Peer uses: 48 kHz mono, VoIP, 32 kbit/s, in-band FEC.
func NewOpusEncoder() (*gopus.Encoder, error) {
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: SampleRate, Channels: 1, Application: gopus.ApplicationVoIP})
	if err != nil {
		return nil, fmt.Errorf("failed to create Opus encoder: %w", err)
	}
	if err := enc.SetBitrate(opusBitrate); err != nil {
		return nil, fmt.Errorf("failed to set Opus bitrate: %w", err)
	}
	enc.SetFEC(true)
	if err := enc.SetPacketLoss(5); err != nil {
		return nil, fmt.Errorf("failed to set Opus packet loss: %w", err)
	}
	return enc, nil
}

// NewOpusDecoder returns the decoder a Peer uses: 48 kHz mono (stereo packets are mixed down).
func NewOpusDecoder() (*gopus.Decoder, error) {
	dec, err := gopus.NewDecoder(gopus.DefaultDecoderConfig(SampleRate, 1))
	if err != nil {
		return nil, fmt.Errorf("failed to create Opus decoder: %w", err)
	}
	return dec, nil
}
