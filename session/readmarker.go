package session

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// MarkRead marks a room as read up to eventID: it sends the m.read receipt and the m.fully_read
// marker (unless our receipt already points there), and resets the room's unread and highlight
// counts in the store at once, so the room list updates before the next sync.
func (s *Session) MarkRead(ctx context.Context, roomID id.RoomID, eventID id.EventID) error {
	if !strings.HasPrefix(eventID.String(), "$") {
		return fmt.Errorf("failed to mark room as read: invalid event ID %q", eventID)
	}
	me := s.account.UserID.String()
	var already, counted bool
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		counted = room.NotifyCount != 0 || room.HighlightCount != 0
		receipts, err := tx.Receipts(roomID.String())
		for _, r := range receipts {
			if r.UserID == me && r.Type == "m.read" && r.ThreadID == "" && r.EventID == eventID.String() {
				already = true
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if already && !counted {
		return nil
	}
	if !already {
		_, err = s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
			Method:      http.MethodPost,
			URL:         s.cli.BuildClientURL("v3", "rooms", roomID, "read_markers"),
			RequestJSON: &mautrix.ReqSetReadMarkers{Read: eventID, FullyRead: eventID},
			MaxAttempts: 1,
		})
		if err != nil {
			return s.classify("mark room as read", err)
		}
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if err != nil || !ok {
			return err
		}
		if err := tx.SaveReceipt(&store.Receipt{RoomID: roomID.String(), UserID: me, Type: "m.read",
			EventID: eventID.String(), TS: time.Now().UnixMilli()}); err != nil {
			return err
		}
		if room.NotifyCount == 0 && room.HighlightCount == 0 {
			return nil
		}
		room.NotifyCount, room.HighlightCount = 0, 0
		if err := newPushCounter(tx, me).apply(room); err != nil { // ours: what is left after eventID
			return err
		}
		if err := tx.SaveRoom(room); err != nil {
			return err
		}
		_, err = tx.AddChange(string(ChangeRoom), roomID.String(), "")
		return err
	})
	if err != nil {
		return fmt.Errorf("failed to store read marker: %w", err)
	}
	s.bus.notify()
	return nil
}

// typingTimeout is how long the server shows us as typing unless we say otherwise.
const typingTimeout = 30 * time.Second

// SetTyping tells the room that we are typing (for up to 30 s) or have stopped.
func (s *Session) SetTyping(ctx context.Context, roomID id.RoomID, typing bool) error {
	if _, err := s.cli.UserTyping(ctx, roomID, typing, typingTimeout); err != nil {
		return s.classify("send typing notification", err)
	}
	return nil
}
