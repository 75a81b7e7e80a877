package session_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// waitEvent syncs s until an event of the room matches.
func waitEvent(t *testing.T, s *session.Session, roomID id.RoomID, match func(session.TimelineEvent) bool) session.TimelineEvent {
	t.Helper()
	for range 60 {
		mustSync(t, s)
		hist, err := s.History(ctx(t), roomID, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range hist {
			if match(e) {
				return e
			}
		}
	}
	t.Fatalf("no matching event in %s", roomID)
	return session.TimelineEvent{}
}

// sentBy returns a function that waits until the message queued by a Send call is accepted.
func sentBy(t *testing.T, s *session.Session) func(string, error) id.EventID {
	return func(txn string, err error) id.EventID {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		eventID, err := s.WaitSent(ctx(t), txn)
		if err != nil {
			t.Fatal(err)
		}
		return eventID
	}
}

// Replies, edits, reactions and an encrypted attachment, both ways, with matrix-js-sdk; a
// matrix-js-sdk device that joins later reads new messages.
func TestInteropRelationsAttachmentsAndLateJoiner(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	carolLocal := fmt.Sprintf("carol-interop%d", userSeq.Add(1))
	carol := srv.Register(t, carolLocal, testPassword)
	sa := alice.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Interop 2", Encrypted: true,
		Invite: []id.UserID{id.UserID(bob.UserID), id.UserID(carol)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	waitJoined(t, sa, roomID, 2)
	room := roomID.String()
	sent := sentBy(t, sa)

	// Go -> JS: message, reply, edit, reaction, file.
	orig := sent(sa.Send(ctx(t), roomID, session.Draft{Text: "Ursprung", Plain: true}))
	reply := sent(sa.Send(ctx(t), roomID, session.Draft{Text: "Antwort", Plain: true, ReplyTo: orig}))
	edit := sent(sa.Send(ctx(t), roomID, session.Draft{Text: "Ursprung korrigiert", Plain: true, Edit: orig}))
	sent(sa.SendReaction(ctx(t), roomID, orig, "👍"))
	img := make([]byte, 150_000)
	_, _ = rand.Read(img)
	fileEvent := sent(sa.SendFile(ctx(t), roomID, "lage.png", "image/png", img))
	for _, c := range []struct {
		what  string
		match func(jspeer.Event) bool
	}{
		{"reply", func(e jspeer.Event) bool {
			return e.EventID == reply.String() && e.InReplyTo() == orig.String() && e.Encrypted
		}},
		{"edit", func(e jspeer.Event) bool {
			rt, target := e.Relation()
			return e.EventID == edit.String() && rt == "m.replace" && target == orig.String() && e.Encrypted
		}},
		{"reaction", func(e jspeer.Event) bool {
			rt, target := e.Relation()
			return e.Type == "m.reaction" && rt == "m.annotation" && target == orig.String()
		}},
	} {
		if _, err := js.WaitForEvent(ctx(t), room, c.match); err != nil {
			t.Fatalf("matrix-js-sdk did not get the %s: %v", c.what, err)
		}
	}
	fe, err := js.WaitForEvent(ctx(t), room, func(e jspeer.Event) bool { return e.EventID == fileEvent.String() })
	if err != nil || !fe.Encrypted {
		t.Fatalf("file event at matrix-js-sdk: %+v %v", fe, err)
	}
	got, err := js.Download(ctx(t), fe.Content)
	if err != nil || sha256.Sum256(got) != sha256.Sum256(img) {
		t.Fatalf("matrix-js-sdk download: %d bytes, %v", len(got), err)
	}

	// JS -> Go: reply, edit, reaction, file.
	jsOrig, err := js.SendText(ctx(t), room, "von JS")
	if err != nil {
		t.Fatal(err)
	}
	jsReply, _ := js.SendReply(ctx(t), room, jsOrig, "JS antwortet")
	jsEdit, _ := js.SendEdit(ctx(t), room, jsOrig, "von JS korrigiert")
	jsReact, _ := js.SendReaction(ctx(t), room, orig.String(), "✅")
	doc := bytes.Repeat([]byte("Einsatzbericht "), 5000)
	jsFile, err := js.SendFile(ctx(t), room, "m.file", "bericht.txt", "text/plain", doc)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]func(session.TimelineEvent) bool{
		jsReply: func(e session.TimelineEvent) bool {
			return e.RelType == "m.in_reply_to" && e.RelatesTo.String() == jsOrig && e.Decrypted
		},
		jsEdit: func(e session.TimelineEvent) bool {
			return e.RelType == "m.replace" && e.RelatesTo.String() == jsOrig && e.Decrypted
		},
		jsReact: func(e session.TimelineEvent) bool { return e.RelType == "m.annotation" && e.RelatesTo == orig },
		jsFile:  func(e session.TimelineEvent) bool { return e.MsgType == "m.file" && e.Decrypted },
	}
	for eventID, check := range checks {
		e := waitEvent(t, sa, roomID, func(e session.TimelineEvent) bool { return e.EventID.String() == eventID })
		if !check(e) {
			t.Errorf("event %s from matrix-js-sdk: %+v", eventID, e)
		}
	}
	att, err := sa.DownloadFile(ctx(t), id.EventID(jsFile))
	if err != nil || !bytes.Equal(att.Data, doc) || att.Name != "bericht.txt" {
		t.Fatalf("our download of the JS file: %v", err)
	}

	// Too large: a clear error before anything is uploaded or queued.
	if _, err := sa.SendFile(ctx(t), roomID, "riesig.bin", "application/octet-stream", make([]byte, session.MaxFileSize+1)); !errors.Is(err, session.ErrFileTooLarge) {
		t.Fatalf("huge file: want ErrFileTooLarge, got %v", err)
	}
	out, _ := sa.Outgoing(ctx(t), roomID)
	for _, o := range out {
		if o.State != "sent" {
			t.Fatalf("the huge file left a queued message: %+v", o)
		}
	}

	// A matrix-js-sdk device that joins later reads what is sent after its join.
	late := jspeer.Start(t, srv.URL)
	if _, _, err := late.Login(ctx(t), carolLocal, testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := late.Join(ctx(t), room); err != nil {
		t.Fatal(err)
	}
	waitJoined(t, sa, roomID, 3)
	sent(sa.Send(ctx(t), roomID, session.Draft{Text: "für alle, auch Carol", Plain: true}))
	if ev, err := late.WaitForText(ctx(t), room, "für alle, auch Carol"); err != nil || !ev.Encrypted {
		t.Fatalf("late joiner: %+v %v", ev, err)
	}
}
