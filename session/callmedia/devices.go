package callmedia

// AudioDevice is one microphone or speaker of the system.
type AudioDevice struct {
	ID      string // opaque, for OpenMicrophone/OpenSpeaker; "" = the system default
	Name    string
	Default bool
}

// Audio is the system's audio (a miniaudio context). Methods are safe from any goroutine.
type Audio struct{}

// OpenAudio opens the system's audio (PulseAudio/ALSA on Linux, WASAPI on Windows).
func OpenAudio() (*Audio, error) { return nil, ErrNoAudioDevice }

// OpenNullAudio opens miniaudio's null backend: devices that run silently, for tests.
func OpenNullAudio() (*Audio, error) { return nil, ErrNoAudioDevice }

// Microphones lists the capture devices.
func (a *Audio) Microphones() ([]AudioDevice, error) { return nil, ErrNoAudioDevice }

// Speakers lists the playback devices.
func (a *Audio) Speakers() ([]AudioDevice, error) { return nil, ErrNoAudioDevice }

// OpenMicrophone starts capturing from the device id ("" = default).
func (a *Audio) OpenMicrophone(id string) (*Microphone, error) { return nil, ErrNoAudioDevice }

// OpenSpeaker starts playing to the device id ("" = default).
func (a *Audio) OpenSpeaker(id string) (*Speaker, error) { return nil, ErrNoAudioDevice }

// Close closes the context; open devices must be closed first.
func (a *Audio) Close() {}

// Microphone is an AudioSource from a capture device.
type Microphone struct{}

// ReadFrame blocks until the next 20 ms are captured.
func (m *Microphone) ReadFrame(pcm []int16) error { return ErrNoAudioDevice }

// Level is the RMS level (0..1) of the last captured frame, for a meter.
func (m *Microphone) Level() float64 { return 0 }

// Close stops capturing; a blocked ReadFrame returns ErrClosed.
func (m *Microphone) Close() error { return nil }

// Speaker is an AudioSink to a playback device.
type Speaker struct{}

// WriteFrame queues a frame for playback (dropping the oldest when too far behind).
func (s *Speaker) WriteFrame(pcm []int16) {}

// Close stops playback.
func (s *Speaker) Close() error { return nil }
