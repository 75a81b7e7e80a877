// Package call is the signalling of 1:1 voice calls: the state machine of the Matrix spec's VoIP
// events (m.call.*, call version "1") between our device and the other party, independent of how
// events travel (the session sends and receives them) and of the media (a Media, normally a
// callmedia.Peer). It handles the invite lifetime, answer and select_answer with several devices
// ringing, reject, hangup reasons, glare, ICE candidate batching and renegotiation.
package call
