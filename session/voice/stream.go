package voice

import (
	"bytes"
	"fmt"

	"github.com/thesyncim/gopus"
	"github.com/thesyncim/gopus/container/ogg"
)

// streamEncoder encodes mono PCM to Ogg/Opus as it comes (a recording keeps the compressed
// stream, about 3 kB per second, not the samples) and keeps the loudness for the waveform.
type streamEncoder struct {
	enc     *gopus.Encoder
	w       *ogg.Writer
	buf     bytes.Buffer
	frame   []float32 // the frame being filled
	fill    int
	packet  []byte
	loud    loudness
	samples int
}

func newStreamEncoder() (*streamEncoder, error) {
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: SampleRate, Channels: 1, Application: gopus.ApplicationVoIP})
	if err != nil {
		return nil, fmt.Errorf("failed to start the Opus encoder: %w", err)
	}
	if err := enc.SetBitrate(Bitrate); err != nil {
		return nil, fmt.Errorf("failed to set the Opus bitrate: %w", err)
	}
	e := &streamEncoder{enc: enc, frame: make([]float32, frameSize), packet: make([]byte, 4000)}
	if e.w, err = ogg.NewWriter(&e.buf, SampleRate, 1); err != nil {
		return nil, fmt.Errorf("failed to start the Ogg stream: %w", err)
	}
	return e, nil
}

// write encodes pcm, frame by frame.
func (e *streamEncoder) write(pcm []float32) error {
	e.samples += len(pcm)
	e.loud.add(pcm)
	return e.encode(pcm)
}

func (e *streamEncoder) encode(pcm []float32) error {
	for len(pcm) > 0 {
		n := copy(e.frame[e.fill:], pcm)
		e.fill += n
		pcm = pcm[n:]
		if e.fill < frameSize {
			return nil
		}
		e.fill = 0
		m, err := e.enc.Encode(e.frame, e.packet)
		if err != nil {
			return fmt.Errorf("failed to encode audio: %w", err)
		}
		if err := e.w.WritePacket(e.packet[:m], frameSize); err != nil {
			return fmt.Errorf("failed to write the Ogg stream: %w", err)
		}
	}
	return nil
}

// finish flushes the encoder and returns the clip. The encoder delays by its lookahead (the
// pre-skip the decoder drops): silence after the end flushes the last samples out, and the last
// frame is filled up with silence.
func (e *streamEncoder) finish() (*Clip, error) {
	if err := e.encode(make([]float32, ogg.DefaultPreSkip)); err != nil {
		return nil, err
	}
	if e.fill > 0 {
		if err := e.encode(make([]float32, frameSize-e.fill)); err != nil {
			return nil, err
		}
	}
	if err := e.w.Close(); err != nil {
		return nil, fmt.Errorf("failed to finish the Ogg stream: %w", err)
	}
	return &Clip{Ogg: e.buf.Bytes(), Duration: samplesDuration(e.samples), Waveform: e.loud.waveform(WaveformPoints)}, nil
}
