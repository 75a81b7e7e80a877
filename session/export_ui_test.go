package session

import "maunium.net/go/mautrix"

// ClientForTest exposes the session's Matrix client, for tests that set up rooms in ways the
// engine does not offer (spaces, power levels).
func (s *Session) ClientForTest() *mautrix.Client { return s.cli }
