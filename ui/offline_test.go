package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestFlowOfflineAndBack: the homeserver dies; the app says it is offline, a message typed meanwhile
// shows "Wird gesendet …"; the server comes back, the status clears and the message arrives once.
func TestFlowOfflineAndBack(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Start(t, testserver.Options{})
	alice := newFlowUser(t, srv, "alice")
	bob := newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	ctx := testCtx(t)
	room, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Funkausfall", Encrypted: true, Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	if _, err := as.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	as.Close()

	_, a := openShell(t, q, alice, ShellConfig{Room: room, SyncTimeout: time.Second, OfflineAfter: 3 * time.Second})
	q.until(t, "room open", func() bool {
		return a.Current() == room && !a.Composer().Entry.Disabled() && len(a.Timeline().Messages()) > 0
	})

	srv.Kill()
	q.until(t, "offline status", func() bool { return a.status.Visible() && a.status.Text == T("shell.offline") })
	test.Type(a.Composer().Entry, "Verbindung weg, wir sind vor Ort")
	typeKey(a.Composer().Entry, "Return")
	var txn string
	q.until(t, "queued message shown", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Body == "Verbindung weg, wir sind vor Ort" && m.SendState == session.SendStateQueued {
				txn = m.TxnID
				return true
			}
		}
		return false
	})
	if !hasLabel(a.Timeline().View(), T("timeline.sending")) {
		t.Errorf("no %q under the queued message", T("timeline.sending"))
	}

	srv.Restart(t)
	q.until(t, "online again and sent", func() bool {
		if a.status.Visible() {
			return false
		}
		for _, m := range a.Timeline().Messages() {
			if m.Body == "Verbindung weg, wir sind vor Ort" {
				return m.SendState == "" && m.EventID != ""
			}
		}
		return false
	})
	n := 0
	syncUntil(t, bs, "bob gets it", func() bool {
		ms, _ := bs.Timeline(ctx, room, 50)
		n = 0
		for _, m := range ms {
			if m.Body == "Verbindung weg, wir sind vor Ort" {
				n++
			}
		}
		return n > 0
	})
	if n != 1 {
		t.Fatalf("bob got the message %d times (txn %s)", n, txn)
	}
}
