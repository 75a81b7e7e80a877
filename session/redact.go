package session

import (
	"context"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// Redact removes an event's content on the server (for everyone); reason may be empty. The
// stored event is redacted when the redaction comes back through sync.
func (s *Session) Redact(ctx context.Context, roomID id.RoomID, eventID id.EventID, reason string) error {
	if err := s.checkPolicy(ctx, "redact in "+roomID.String(), PolicyRequest{Action: ActionSend, RoomID: roomID.String()}); err != nil {
		return err
	}
	if _, err := s.cli.RedactEvent(ctx, roomID, eventID, mautrix.ReqRedact{Reason: reason, TxnID: newTxnID()}); err != nil {
		return s.classify("redact event", err)
	}
	return nil
}
