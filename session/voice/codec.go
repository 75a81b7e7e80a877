package voice

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/thesyncim/gopus"
	"github.com/thesyncim/gopus/container/ogg"
)

// SampleRate is the rate of all PCM in this package (mono float32 in -1..1).
const SampleRate = 48000

// frameSize is one 20 ms Opus frame at SampleRate.
const frameSize = SampleRate / 50

// Bitrate is what the encoder aims at: Element records voice messages with 24 kbit/s.
const Bitrate = 24000

// MimeType is the MIME type of the encoded clips.
const MimeType = "audio/ogg"

// ErrNotOpus is returned for data that is not an Ogg/Opus stream this package can decode.
var ErrNotOpus = errors.New("not an Ogg/Opus voice message")

// Clip is an encoded voice message: the Ogg/Opus file, its length and its waveform.
type Clip struct {
	Ogg      []byte
	Duration time.Duration
	Waveform []int // WaveformPoints values in 0..WaveformMax
}

// DurationMS is the length in whole milliseconds, as the event's info.duration carries it.
func (c *Clip) DurationMS() int { return int(c.Duration.Milliseconds()) }

// Encode turns mono PCM at SampleRate into an Ogg/Opus clip (20 ms frames, voice tuning,
// Bitrate); the end is padded with silence to whole frames.
func Encode(pcm []float32) (*Clip, error) {
	e, err := newStreamEncoder()
	if err != nil {
		return nil, err
	}
	if err := e.write(pcm); err != nil {
		return nil, err
	}
	return e.finish()
}

// Decode turns an Ogg/Opus file (mono or stereo, as Element and others record it) into mono PCM
// at SampleRate, the encoder's pre-skip removed. Anything else is ErrNotOpus.
func Decode(data []byte) ([]float32, error) {
	r, err := ogg.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotOpus, err)
	}
	ch := int(r.Channels())
	if ch < 1 || ch > 2 {
		return nil, fmt.Errorf("%w: %d channels", ErrNotOpus, ch)
	}
	dec, err := gopus.NewDecoder(gopus.DefaultDecoderConfig(SampleRate, ch))
	if err != nil {
		return nil, fmt.Errorf("failed to start the Opus decoder: %w", err)
	}
	out := make([]float32, 0, len(data)*8)
	buf := make([]float32, 5760*ch) // 120 ms, the longest Opus packet
	for {
		packet, _, err := r.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotOpus, err)
		}
		if len(packet) == 0 {
			continue
		}
		n, err := dec.Decode(packet, buf)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotOpus, err)
		}
		for i := range n {
			if ch == 2 {
				out = append(out, (buf[2*i]+buf[2*i+1])/2)
			} else {
				out = append(out, buf[i])
			}
		}
	}
	skip := min(int(r.PreSkip()), len(out))
	return out[skip:], nil
}

// Parse decodes an Ogg/Opus file and returns it as a Clip (its duration and waveform measured
// from the decoded audio); the file itself is kept as it is.
func Parse(data []byte) (*Clip, error) {
	pcm, err := Decode(data)
	if err != nil {
		return nil, err
	}
	if len(pcm) == 0 {
		return nil, fmt.Errorf("%w: no audio", ErrNotOpus)
	}
	return &Clip{Ogg: data, Duration: samplesDuration(len(pcm)), Waveform: Waveform(pcm, WaveformPoints)}, nil
}

func samplesDuration(n int) time.Duration {
	return time.Duration(n) * time.Second / SampleRate
}
