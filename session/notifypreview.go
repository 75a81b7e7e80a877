package session

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// NotificationPreview is what a notification may tell of a room's newest message from someone
// else: the sender (policy notification_content sender or full) and the text (full only). Both
// are cleaned of control, bidi and invisible characters and of line breaks.
type NotificationPreview struct {
	Sender     id.UserID
	SenderName string // as the timeline shows it (disambiguated)
	Body       string // plain text, at most previewMaxRunes; "" when it could not be decrypted
}

// previewMaxRunes is the longest text a notification shows.
const previewMaxRunes = 200

// previewWindow is how many of the newest messages NotificationPreview looks through.
const previewWindow = 20

// NotificationPreview returns the newest message of the room sent by someone else (ok false when
// the stored window has none). It reads the store only; the front end decides by
// NotificationContent what to show of it.
func (s *Session) NotificationPreview(ctx context.Context, roomID id.RoomID) (p NotificationPreview, ok bool, err error) {
	me := s.account.UserID.String()
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		room, found, err := tx.Room(roomID.String())
		if err != nil {
			return err
		} else if !found {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		msgs, _, err := buildTimeline(tx, room, me, previewWindow, &s.orgs)
		if err != nil {
			return err
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if m.Sender.String() == me || m.Redacted || m.SendState != "" {
				continue
			}
			switch m.Kind {
			case KindText, KindNotice, KindEmote, KindImage, KindFile, KindVideo, KindAudio, KindUndecryptable:
			default:
				continue
			}
			p = NotificationPreview{Sender: m.Sender, SenderName: CleanName(m.SenderName)}
			if p.SenderName == "" {
				p.SenderName = m.Sender.String()
			}
			if m.Kind != KindUndecryptable {
				p.Body = truncateRunes(CleanName(m.Body), previewMaxRunes)
			}
			ok = true
			return nil
		}
		return nil
	})
	if err != nil {
		return NotificationPreview{}, false, fmt.Errorf("failed to read the newest message: %w", err)
	}
	return p, ok, nil
}

// truncateRunes cuts s to at most n runes, marking a cut with an ellipsis.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
