package ui

import (
	"errors"
	"sync"

	"bosmessenger/session/callmedia"
)

// callAudio is the microphone and speaker of the call going on; either can be swapped while the
// call runs (the call bar's device choice): the media reads and writes through src and sink.
type callAudio struct {
	audio  *callmedia.Audio
	src    *switchSource
	sink   *switchSink
	mu     sync.Mutex
	mic    *callmedia.Microphone
	spk    *callmedia.Speaker
	closed bool
}

// openCallAudio opens the default microphone and speaker (any goroutine).
func openCallAudio() (*callAudio, error) {
	au, err := newCallAudio()
	if err != nil {
		return nil, errNoCallAudio(err)
	}
	m := &callAudio{audio: au}
	m.src, m.sink = &switchSource{m: m}, &switchSink{m: m}
	if err := m.useMicrophone(""); err != nil {
		au.Close()
		return nil, err
	}
	if err := m.useSpeaker(""); err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

// useMicrophone records from the device id ("" = default) from now on.
func (m *callAudio) useMicrophone(id string) error {
	mic, err := m.audio.OpenMicrophone(id)
	if err != nil {
		return errNoCallAudio(err)
	}
	m.mu.Lock()
	old := m.mic
	m.mic = mic
	m.mu.Unlock()
	if old != nil {
		_ = old.Close() // a ReadFrame waiting on it moves to the new one
	}
	return nil
}

// useSpeaker plays to the device id ("" = default) from now on.
func (m *callAudio) useSpeaker(id string) error {
	spk, err := m.audio.OpenSpeaker(id)
	if err != nil {
		return err
	}
	m.mu.Lock()
	old := m.spk
	m.spk = spk
	m.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	return nil
}

// level is the microphone's level (0..1) for the meter.
func (m *callAudio) level() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mic == nil {
		return 0
	}
	return m.mic.Level()
}

func (m *callAudio) close() {
	m.mu.Lock()
	mic, spk := m.mic, m.spk
	m.mic, m.spk, m.closed = nil, nil, true
	m.mu.Unlock()
	if mic != nil {
		_ = mic.Close()
	}
	if spk != nil {
		_ = spk.Close()
	}
	m.audio.Close()
}

// switchSource reads from whichever microphone is current.
type switchSource struct{ m *callAudio }

func (s *switchSource) ReadFrame(pcm []int16) error {
	for {
		s.m.mu.Lock()
		mic, closed := s.m.mic, s.m.closed
		s.m.mu.Unlock()
		if closed || mic == nil {
			return callmedia.ErrClosed
		}
		err := mic.ReadFrame(pcm)
		if !errors.Is(err, callmedia.ErrClosed) {
			return err
		}
		s.m.mu.Lock()
		same := s.m.mic == mic
		s.m.mu.Unlock()
		if same {
			return err
		}
	}
}

// switchSink writes to whichever speaker is current.
type switchSink struct{ m *callAudio }

func (s *switchSink) WriteFrame(pcm []int16) {
	s.m.mu.Lock()
	spk := s.m.spk
	s.m.mu.Unlock()
	if spk != nil {
		spk.WriteFrame(pcm)
	}
}
