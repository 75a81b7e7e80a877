package callmedia

// AudioDevice is one microphone or speaker of the system.
type AudioDevice struct {
	ID      string // opaque, for OpenMicrophone/OpenSpeaker; "" = the system default
	Name    string
	Default bool
}

// deviceBuffer is how much audio a Microphone or Speaker buffers before it drops the oldest.
const deviceBuffer = 10 * FrameSamples // 200 ms
