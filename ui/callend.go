package ui

import "bosmessenger/session/call"

// callEndMessage is what the user reads when a call of theirs ended by a failure here: a plain
// sentence for the failures a user can act on (no connection: network or firewall; no audio
// device), the spec's reason code for the rest.
func callEndMessage(reason string) string {
	switch reason {
	case call.ReasonICEFailed:
		return T("call.ice_failed")
	case call.ReasonUserMediaFailed:
		return T("call.media_failed")
	}
	return T("call.failed", reason)
}
