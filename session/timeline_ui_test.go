package session_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// timelineUntil syncs s until the room's timeline satisfies done (or fails the test after 30 s).
func timelineUntil(t *testing.T, s *session.Session, roomID id.RoomID, what string, done func([]session.Message) bool) []session.Message {
	t.Helper()
	var msgs []session.Message
	eventually.NoError(t, 30*time.Second, func() error {
		var err error
		if msgs, err = s.Timeline(ctx(t), roomID, 100); err != nil {
			t.Fatalf("timeline: %v", err)
		}
		if done(msgs) {
			return nil
		}
		if _, err := s.SyncOnce(ctx(t), time.Second); err != nil {
			t.Fatalf("sync: %v", err)
		}
		return fmt.Errorf("timeline never showed %s: %s", what, dumpTimeline(msgs))
	})
	return msgs
}

func dumpTimeline(msgs []session.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("\n  " + m.EventID.String() + " " + m.TxnID + " " + m.Kind + " " + m.StateKind + " " + m.StateArg + " " + m.Sender.String() + ": " + m.Body)
	}
	return b.String()
}

func findMessage(msgs []session.Message, eventID id.EventID) *session.Message {
	for i := range msgs {
		if msgs[i].EventID == eventID {
			return &msgs[i]
		}
	}
	return nil
}

// sendWait returns a function that waits until the message queued as txn is sent.
func sendWait(t *testing.T, s *session.Session) func(txn string, err error) id.EventID {
	return func(txn string, err error) id.EventID {
		t.Helper()
		if err != nil {
			t.Fatalf("queue: %v", err)
		}
		eventID, err := s.WaitSent(ctx(t), txn)
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		return eventID
	}
}

func TestTimelineMarkReadTypingUI(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Lage Nord"})

	// Alice knows bob's display name before she mentions him.
	timelineUntil(t, sa, roomID, "bob's join", func(msgs []session.Message) bool {
		for _, m := range msgs {
			if m.StateKind == session.StateJoined && m.Sender == id.UserID(bob.UserID) {
				return true
			}
		}
		return false
	})

	// Text, markdown with a mention pill, a reply with a fallback quote, edits, reactions.
	m1 := sendWait(t, sa)(sa.Send(ctx(t), roomID, session.Draft{Text: "Lagemeldung 1"}))
	m2 := sendWait(t, sa)(sa.Send(ctx(t), roomID, session.Draft{Text: "**dringend** an " + bob.UserID}))
	reply := sendWait(t, sb)(sb.Enqueue(ctx(t), roomID, "m.room.message", map[string]any{
		"msgtype":        "m.text",
		"body":           "> <" + alice.UserID + "> Lagemeldung 1\n\nVerstanden",
		"format":         "org.matrix.custom.html",
		"formatted_body": "<mx-reply><blockquote><a href=\"https://matrix.to/#/" + m1.String() + "\">In reply to</a> Lagemeldung 1</blockquote></mx-reply><em>Verstanden</em>",
		"m.relates_to":   map[string]any{"m.in_reply_to": map[string]any{"event_id": m1}},
	}))
	reply2 := sendWait(t, sb)(sb.Send(ctx(t), roomID, session.Draft{Text: "_bin unterwegs_", ReplyTo: m2}))
	sendWait(t, sa)(sa.Send(ctx(t), roomID, session.Draft{Text: "Lagemeldung 1 (**korrigiert**)", Edit: m1}))
	mustSync(t, sb)
	sendWait(t, sb)(sb.Send(ctx(t), roomID, session.Draft{Text: "von Bob gefälscht", Plain: true, Edit: m1}))
	sendWait(t, sa)(sa.SendReaction(ctx(t), roomID, m1, "👍"))
	sendWait(t, sb)(sb.SendReaction(ctx(t), roomID, m1, "👍"))
	undo := sendWait(t, sb)(sb.SendReaction(ctx(t), roomID, m1, "✅"))
	if err := sb.Redact(ctx(t), roomID, undo, ""); err != nil {
		t.Fatal(err)
	}
	gone := mustSend(t, sa, roomID, "wird zurückgezogen")
	if err := sa.Redact(ctx(t), roomID, gone, "versehentlich"); err != nil {
		t.Fatal(err)
	}

	msgs := timelineUntil(t, sa, roomID, "all messages, the redactions and the reactions", func(msgs []session.Message) bool {
		r, m, g := findMessage(msgs, reply2), findMessage(msgs, m1), findMessage(msgs, gone)
		return r != nil && m != nil && g != nil && g.Redacted && len(m.Reactions) == 1
	})
	got := findMessage(msgs, m1)
	if got.Kind != session.KindText || !got.Edited || got.Body != "Lagemeldung 1 (**korrigiert**)" ||
		got.FormattedBody != "Lagemeldung 1 (<strong>korrigiert</strong>)" || got.Sender != id.UserID(alice.UserID) ||
		got.SenderName != alice.Local || got.Reply != nil || got.SendState != "" {
		t.Errorf("edited message: %+v", got)
	}
	wantReactions := []session.Reaction{{Key: "👍", Count: 2, Mine: true, Senders: []id.UserID{id.UserID(alice.UserID), id.UserID(bob.UserID)}}}
	if !reflect.DeepEqual(got.Reactions, wantReactions) {
		t.Errorf("reactions: %+v", got.Reactions)
	}
	got = findMessage(msgs, m2)
	if got.Body != "**dringend** an "+bob.UserID ||
		got.FormattedBody != `<strong>dringend</strong> an <a href="https://matrix.to/#/`+bob.UserID+`">`+bob.Local+`</a>` || got.Edited {
		t.Errorf("markdown message: %+v", got)
	}
	got = findMessage(msgs, reply)
	wantQuote := session.Quote{EventID: m1, Sender: id.UserID(alice.UserID), SenderName: alice.Local, Body: "Lagemeldung 1 (**korrigiert**)"}
	if got.Body != "Verstanden" || got.FormattedBody != "<em>Verstanden</em>" || got.Reply == nil || *got.Reply != wantQuote ||
		got.SenderName != bob.Local {
		t.Errorf("reply with fallback: %+v quote %+v", got, got.Reply)
	}
	got = findMessage(msgs, reply2)
	if got.Body != "_bin unterwegs_" || got.FormattedBody != "<em>bin unterwegs</em>" || got.Reply == nil || got.Reply.EventID != m2 ||
		got.Reply.Body != "**dringend** an "+bob.UserID {
		t.Errorf("markdown reply: %+v quote %+v", got, got.Reply)
	}
	got = findMessage(msgs, gone)
	if got.Kind != session.KindRedacted || !got.Redacted || got.Body != "" {
		t.Errorf("redacted message: %+v", got)
	}
	// Edits, reactions and redactions are no messages of their own; the state reads as a summary.
	var states []string
	messages := 0
	for _, m := range msgs {
		switch {
		case m.Kind == session.KindState && m.StateKind != session.StateOther:
			states = append(states, m.StateKind+":"+m.StateArg)
		case m.Kind != session.KindState:
			messages++
		}
	}
	wantStates := []string{"create:", "joined:" + alice.Local, "name:Lage Nord", "invited:" + bob.Local, "joined:" + bob.Local}
	if !reflect.DeepEqual(states, wantStates) || messages != 5 {
		t.Errorf("states %v (want %v), %d messages (want 5): %s", states, wantStates, messages, dumpTimeline(msgs))
	}

	// Bob is mentioned in the markdown message (m.mentions and pill), not in the others.
	bobView := timelineUntil(t, sb, roomID, "the redaction", func(msgs []session.Message) bool {
		g := findMessage(msgs, gone)
		return g != nil && g.Redacted
	})
	if m := findMessage(bobView, m2); !m.Mentioned {
		t.Errorf("bob not mentioned: %+v", m)
	}
	if m := findMessage(bobView, m1); m.Mentioned || m.Body != "Lagemeldung 1 (**korrigiert**)" {
		t.Errorf("message 1 in bob's view: %+v", m)
	}

	// MarkRead: bob's unread count goes to 0 at once, with a room change; alice sees the receipt.
	sum, err := sb.Room(ctx(t), roomID)
	if err != nil || sum.NotifyCount == 0 {
		t.Fatalf("bob should have unread messages: %+v %v", sum, err)
	}
	seq, _ := sb.LastSeq(ctx(t))
	if err := sb.MarkRead(ctx(t), roomID, m2); err != nil {
		t.Fatal(err)
	}
	if sum, _ := sb.Room(ctx(t), roomID); sum.NotifyCount != 0 || sum.HighlightCount != 0 {
		t.Errorf("counts after MarkRead: %+v", sum)
	}
	sub := sb.Subscribe(seq)
	changes, err := sub.Next(ctx(t))
	sub.Close()
	if err != nil || !hasChange(changes, session.ChangeRoom, roomID) {
		t.Errorf("no room change after MarkRead: %+v %v", changes, err)
	}
	if err := sb.MarkRead(ctx(t), roomID, m2); err != nil {
		t.Errorf("MarkRead again: %v", err)
	}
	msgs = timelineUntil(t, sa, roomID, "bob's read receipt", func(msgs []session.Message) bool {
		return len(findMessage(msgs, m2).ReadBy) > 0
	})
	if rb := findMessage(msgs, m2).ReadBy; !reflect.DeepEqual(rb, []id.UserID{id.UserID(bob.UserID)}) {
		t.Errorf("read by: %v", rb)
	}
	for _, m := range msgs {
		if m.EventID != m2 && len(m.ReadBy) > 0 && slicesContains(m.ReadBy, id.UserID(bob.UserID)) {
			t.Errorf("bob's receipt also at %s", m.EventID)
		}
	}
	mustSync(t, sb)
	if sum, _ := sb.Room(ctx(t), roomID); sum.NotifyCount != 0 {
		t.Errorf("server did not reset the unread count: %+v", sum)
	}

	// Typing is seen by the other user, and its end too.
	if err := sa.SetTyping(ctx(t), roomID, true); err != nil {
		t.Fatal(err)
	}
	waitTyping(t, sb, roomID, []string{alice.UserID})
	if err := sa.SetTyping(ctx(t), roomID, false); err != nil {
		t.Fatal(err)
	}
	waitTyping(t, sb, roomID, nil)

	// Local echo: a queued message is at the end with its state, before it is sent.
	txn, err := sa.Send(ctx(t), roomID, session.Draft{Text: "noch in der Warteschlange"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err = sa.Timeline(ctx(t), roomID, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	if last.TxnID != txn || last.EventID != "" || last.SendState != session.SendStateQueued || last.Body != "noch in der Warteschlange" ||
		last.Sender != id.UserID(alice.UserID) || last.Kind != session.KindText {
		t.Fatalf("local echo: %+v", last)
	}
	sent := sendWait(t, sa)(txn, nil)
	msgs = timelineUntil(t, sa, roomID, "the sent message", func(msgs []session.Message) bool {
		m := findMessage(msgs, sent)
		return m != nil && m.TxnID == ""
	})
	if last := msgs[len(msgs)-1]; last.EventID != sent || last.TxnID != "" || last.SendState != "" {
		t.Errorf("after sending: %+v", last)
	}
	for _, m := range msgs {
		if m.TxnID == txn {
			t.Errorf("local echo still shown: %+v", m)
		}
	}
}

func hasChange(changes []session.Change, kind session.ChangeKind, roomID id.RoomID) bool {
	for _, c := range changes {
		if c.Kind == kind && c.RoomID == roomID {
			return true
		}
	}
	return false
}

func slicesContains(list []id.UserID, u id.UserID) bool {
	for _, x := range list {
		if x == u {
			return true
		}
	}
	return false
}

func waitTyping(t *testing.T, s *session.Session, roomID id.RoomID, want []string) {
	t.Helper()
	eventually.NoError(t, 20*time.Second, func() error {
		mustSync(t, s)
		got, err := s.Typing(ctx(t), roomID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == len(want) && (len(want) == 0 || reflect.DeepEqual(got, want)) {
			return nil
		}
		return fmt.Errorf("typing: got %v, want %v", got, want)
	})
}

func TestTimelineUndecryptableUI(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Verschlüsselt", Encrypted: true})
	secret := mustSend(t, sa, roomID, "vertraulich")
	readable := mustSend(t, sa, roomID, "auch vertraulich")
	msgs := timelineUntil(t, sb, roomID, "the decrypted messages", func(msgs []session.Message) bool {
		a, b := findMessage(msgs, secret), findMessage(msgs, readable)
		return a != nil && b != nil && a.Body == "vertraulich" && b.Body == "auch vertraulich"
	})
	if m := findMessage(msgs, readable); !m.Encrypted || m.Kind != session.KindText || m.SenderTrust == "" || m.DecryptionError != "" {
		t.Errorf("decrypted message: %+v", m)
	}
	if err := sb.ForgetPlaintextForTest(ctx(t), secret.String()); err != nil {
		t.Fatal(err)
	}
	msgs, err := sb.Timeline(ctx(t), roomID, 100)
	if err != nil {
		t.Fatal(err)
	}
	m := findMessage(msgs, secret)
	if m == nil || m.Kind != session.KindUndecryptable || !m.Encrypted || m.Body != "" ||
		m.DecryptionReason != session.ReasonMissingSession || !strings.Contains(m.DecryptionError, "missing session") ||
		m.SenderTrust != "" || m.SenderVerified {
		t.Errorf("undecryptable message: %+v", m)
	}
}

func TestDeviceRenameAndDeleteUI(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	sa := alice.login(t)
	second := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	s2 := second.login(t)
	other := s2.Account().DeviceID

	if err := sa.RenameDevice(ctx(t), other, "Einsatzleitwagen 2"); err != nil {
		t.Fatal(err)
	}
	devs, err := sa.ClientForTest().GetDevicesInfo(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var name string
	for _, d := range devs.Devices {
		if d.DeviceID == other {
			name = d.DisplayName
		}
	}
	if name != "Einsatzleitwagen 2" {
		t.Fatalf("device name after rename: %q", name)
	}

	if err := sa.DeleteDevice(ctx(t), sa.Account().DeviceID, testPassword); !errors.Is(err, session.ErrCurrentDevice) {
		t.Fatalf("deleting the current device: %v", err)
	}
	if err := sa.DeleteDevice(ctx(t), other, "falsches-passwort"); !errors.Is(err, session.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s2.SyncOnce(ctx(t), 0); err != nil {
		t.Fatalf("device gone after a wrong password: %v", err)
	}
	if err := sa.DeleteDevice(ctx(t), other, testPassword); err != nil {
		t.Fatal(err)
	}
	devs, err = sa.ClientForTest().GetDevicesInfo(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs.Devices {
		if d.DeviceID == other {
			t.Fatalf("deleted device still listed: %+v", d)
		}
	}
	if _, err := s2.SyncOnce(ctx(t), 0); !errors.Is(err, session.ErrSessionTerminated) {
		t.Fatalf("sync of the deleted device: %v", err)
	}
}
