//go:build !cgo

package callmedia

// Audio is the stand-in of builds without cgo: there are no audio devices.
type Audio struct{}

// OpenAudio fails with ErrNoAudioDevice without cgo.
func OpenAudio() (*Audio, error) { return nil, ErrNoAudioDevice }

// OpenNullAudio fails with ErrNoAudioDevice without cgo.
func OpenNullAudio() (*Audio, error) { return nil, ErrNoAudioDevice }

// Microphones fails with ErrNoAudioDevice.
func (*Audio) Microphones() ([]AudioDevice, error) { return nil, ErrNoAudioDevice }

// Speakers fails with ErrNoAudioDevice.
func (*Audio) Speakers() ([]AudioDevice, error) { return nil, ErrNoAudioDevice }

// OpenMicrophone fails with ErrNoAudioDevice.
func (*Audio) OpenMicrophone(string) (*Microphone, error) { return nil, ErrNoAudioDevice }

// OpenSpeaker fails with ErrNoAudioDevice.
func (*Audio) OpenSpeaker(string) (*Speaker, error) { return nil, ErrNoAudioDevice }

// Close does nothing.
func (*Audio) Close() {}

// Microphone is the stand-in of builds without cgo.
type Microphone struct{}

// ReadFrame fails with ErrNoAudioDevice.
func (*Microphone) ReadFrame([]int16) error { return ErrNoAudioDevice }

// Level is 0.
func (*Microphone) Level() float64 { return 0 }

// Captured is 0.
func (*Microphone) Captured() int64 { return 0 }

// Close does nothing.
func (*Microphone) Close() error { return nil }

// Speaker is the stand-in of builds without cgo.
type Speaker struct{}

// WriteFrame drops the frame.
func (*Speaker) WriteFrame([]int16) {}

// Level is 0.
func (*Speaker) Level() float64 { return 0 }

// Played is 0.
func (*Speaker) Played() int64 { return 0 }

// Close does nothing.
func (*Speaker) Close() error { return nil }
