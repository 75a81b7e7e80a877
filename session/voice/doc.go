// Package voice is the audio engine of voice messages, without GUI: it encodes 48 kHz mono PCM
// to Ogg/Opus (pure-Go gopus), computes the waveform Element shows (MSC1767 audio: 0..1024),
// decodes received Ogg/Opus back to PCM, records from the microphone (Recorder, with a maximum
// length and cancel) and plays (Player), both through miniaudio (malgo). Sources other than the
// microphone (a generated tone for tests and bosctl) plug into the Recorder as a Source.
package voice
