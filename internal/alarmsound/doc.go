// Package alarmsound plays the alarm tone of an incoming alert in a loop until it is stopped,
// through the system's audio output: miniaudio via malgo (PulseAudio or ALSA loaded at run time
// on Linux, WASAPI on Windows). NewNull plays into miniaudio's null backend, silently, for
// headless tests; a machine without any audio output makes Start fail and the alert stays silent.
// Builds without cgo (the mobile check) get a player whose Start fails with ErrUnsupported.
package alarmsound

import "errors"

// SampleRate is the rate of the generated tone (mono, signed 16 bit).
const SampleRate = 44100

// Errors of Start.
var (
	ErrClosed      = errors.New("alarm sound player closed")
	ErrUnsupported = errors.New("no audio output in this build (cgo off)")
)
