// Package callmedia is the media side of a spec 1:1 Matrix call (m.call.*): a WebRTC peer
// connection on pion with one Opus audio track each way (the pure-Go gopus codec: VoIP,
// 32 kbit/s, in-band FEC; losses concealed with FEC and PLC), receipt of the other side's video
// (counted; showing it is the GUI's), trickled ICE candidates in the shape of m.call.candidates,
// renegotiation (m.call.negotiate), and audio sources and sinks: a generated tone and a tone
// detector for tests and bosctl, a microphone and a speaker via malgo (miniaudio) with device
// choice. Signalling (invites, answers, hangups) lives in session/call; this package knows no
// Matrix and no GUI.
//
// Audio everywhere is 48 kHz mono signed 16 bit in 20 ms frames of 960 samples. Tests keep all
// traffic on 127.0.0.0/8 with Config.LoopbackOnly.
package callmedia
