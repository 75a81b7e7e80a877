// Package rtc is the MatrixRTC side of group calls as Element Call and Element X do them: the
// LiveKit focus from .well-known (org.matrix.msc4143.rtc_foci), the exchange of a Matrix OpenID
// token for a LiveKit JWT at the focus's service (/sfu/get), the org.matrix.msc3401.call.member
// state events, and the media: one LiveKit room per Matrix room, joined with LiveKit's Go SDK,
// sending Opus and decoding every other participant's audio on its own. It knows nothing of
// Fyne or of the session; package session wires it to the account.
package rtc
