package session_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
	"bosmessenger/session/poll"
)

// waitLastMessage syncs s until the room list's preview of roomID satisfies ok.
func waitLastMessage(t *testing.T, s *session.Session, roomID id.RoomID, what string, ok func(*session.LastMessage) bool) *session.LastMessage {
	t.Helper()
	var last *session.LastMessage
	eventually.NoError(t, 30*time.Second, func() error {
		rooms, err := s.Rooms(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rooms {
			if r.ID == roomID {
				last = r.LastMessage
			}
		}
		if last != nil && ok(last) {
			return nil
		}
		if _, err := s.SyncOnce(ctx(t), time.Second); err != nil {
			t.Logf("sync: %v", err)
		}
		return fmt.Errorf("%s: last message %+v", what, last)
	})
	return last
}

// The room list previews the newest message of an encrypted room, decrypted: text (one line,
// cleaned), the new text of an edit, files, polls, alerts and deletions; state events do not count.
func TestRoomsLastMessage(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice").login(t), newAccount(t, srv, "bob").login(t)
	mustSync(t, alice)
	mustSync(t, bob)
	roomID := sharedRoom(t, alice, bob, session.CreateRoomOptions{Name: "Einsatz", Encrypted: true})
	mustSync(t, bob)

	text := mustSend(t, bob, roomID, "Lage:\u202e Brand\nHauptstraße 5")
	lm := waitLastMessage(t, alice, roomID, "text", func(lm *session.LastMessage) bool { return lm.Kind == session.PreviewText })
	if lm.Sender != bob.Account().UserID || !strings.Contains(lm.SenderName, "bob") || lm.Body != "Lage: Brand Hauptstraße 5" || lm.TS == 0 {
		t.Fatalf("text preview %+v", lm)
	}
	if err := alice.SetRoomTopic(ctx(t), roomID, "Neues Thema"); err != nil {
		t.Fatal(err)
	}
	txn, err := bob.Send(ctx(t), roomID, session.Draft{Text: "Brand gelöscht", Plain: true, Edit: text})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	waitLastMessage(t, alice, roomID, "edit", func(lm *session.LastMessage) bool { return lm.Body == "Brand gelöscht" })

	if txn, err = bob.SendFile(ctx(t), roomID, "lageplan.txt", "text/plain", []byte("Plan")); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	waitLastMessage(t, alice, roomID, "file", func(lm *session.LastMessage) bool {
		return lm.Kind == session.PreviewFile && lm.Body == "📎 lageplan.txt"
	})

	if txn, err = bob.CreatePoll(ctx(t), roomID, poll.Poll{Question: "Wer ist verfügbar?", Answers: []poll.Answer{{Text: "Ich"}, {Text: "Nicht"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	waitLastMessage(t, alice, roomID, "poll", func(lm *session.LastMessage) bool {
		return lm.Kind == session.PreviewPoll && lm.Body == "Wer ist verfügbar?"
	})

	alertID := sendAlert(t, bob, roomID, alert.Alert{Keyword: "B3 Brand Gebäude", Units: []string{"HLF 20-1"}})
	waitLastMessage(t, alice, roomID, "alert", func(lm *session.LastMessage) bool {
		return lm.Kind == session.PreviewAlert && lm.Body == "ALARM B3 Brand Gebäude"
	})
	if err := bob.Redact(ctx(t), roomID, alertID, ""); err != nil {
		t.Fatal(err)
	}
	lm = waitLastMessage(t, alice, roomID, "redaction", func(lm *session.LastMessage) bool { return lm.Kind == session.PreviewRedacted })
	if lm.Body != "" || lm.Sender != bob.Account().UserID {
		t.Fatalf("redacted preview %+v", lm)
	}
}
