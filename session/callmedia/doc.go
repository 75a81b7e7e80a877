// Package callmedia is the media side of a spec 1:1 Matrix call (m.call.*): a WebRTC peer
// connection on pion with one Opus audio track each way (the pure-Go gopus codec), optional
// receipt of the other side's video, ICE candidates in the shape of m.call.candidates, and audio
// sources and sinks (a generated tone, a tone detector, microphone and speaker via malgo).
// Signalling (invites, answers, hangups) lives in session/call; this package knows no Matrix.
//
// Audio everywhere is 48 kHz mono signed 16 bit in 20 ms frames of 960 samples.
package callmedia
