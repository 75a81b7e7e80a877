package session

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// Redact removes an event's content on the server (for everyone); reason may be empty. The
// stored event is redacted when the redaction comes back through sync.
func (s *Session) Redact(ctx context.Context, roomID id.RoomID, eventID id.EventID, reason string) error {
	err := s.cfg.Policy.Check(ctx, PolicyRequest{Action: ActionSend, UserID: s.account.UserID.String(), RoomID: roomID.String()})
	if err != nil {
		return fmt.Errorf("%w: redact in %s: %v", ErrPolicyDenied, roomID, err)
	}
	if _, err := s.cli.RedactEvent(ctx, roomID, eventID, mautrix.ReqRedact{Reason: reason, TxnID: newTxnID()}); err != nil {
		return s.classify("redact event", err)
	}
	return nil
}
