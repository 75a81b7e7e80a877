package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestFlowRetryFailed: a message the server refuses for good shows "Nicht gesendet"; once the
// cause is gone, "Erneut senden" (the engine's Retry, as bosctl queue retry) sends it, once;
// "Verwerfen" removes another one.
func TestFlowRetryFailed(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	alice := newFlowUser(t, srv, "alice")
	bob := newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	ctx := testCtx(t)
	room, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Nur Leitung", Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	if _, err := as.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	as.Close()

	sh, a := openShell(t, q, alice, ShellConfig{Room: room, SyncTimeout: time.Second})
	q.until(t, "room open", func() bool {
		return a.Current() == room && !a.Composer().Entry.Disabled() && len(a.Timeline().Messages()) > 0
	})

	// Bob lets only moderators speak: alice's message is refused (403) for good.
	token := flowLogin(t, srv, bob.Local)
	setEventsDefault(t, srv, token, room, 50)
	const body = "Lage an der Einsatzstelle"
	test.Type(a.Composer().Entry, body)
	typeKey(a.Composer().Entry, "Return")
	var failed session.Message
	q.until(t, "failed message shown", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Body == body && m.SendState == session.SendStateFailed {
				failed = m
				return true
			}
		}
		return false
	})

	setEventsDefault(t, srv, token, room, 0)
	a.retry(failed)
	q.until(t, "sent after the retry", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Body == body {
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
			if m.Body == body {
				n++
			}
		}
		return n > 0
	})
	if n != 1 {
		t.Fatalf("bob got the message %d times", n)
	}

	// "Verwerfen" (session.Drop, as bosctl queue drop) takes a refused message and its local echo away.
	setEventsDefault(t, srv, token, room, 50)
	const dropped = "wird verworfen"
	test.Type(a.Composer().Entry, dropped)
	typeKey(a.Composer().Entry, "Return")
	q.until(t, "second failed message shown", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Body == dropped && m.SendState == session.SendStateFailed {
				failed = m
				return true
			}
		}
		return false
	})
	a.selectMessage(failed)
	if !a.actBtns["action.drop"].Visible() || !a.actBtns["action.retry"].Visible() || a.actBtns["action.reply"].Visible() {
		t.Fatal("a failed message does not offer Erneut senden and Verwerfen (only)")
	}
	a.clearSelection()
	a.drop(failed)
	q.until(t, "dropped message gone", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Body == dropped {
				return false
			}
		}
		return true
	})
	if _, err := sh.Session().QueueEntryByID(ctx, failed.TxnID); !errors.Is(err, session.ErrUnknownQueueEntry) {
		t.Fatalf("dropped message still queued: %v", err)
	}
}

// flowLogin logs in over the client API (another device) and returns the access token.
func flowLogin(t *testing.T, srv *testserver.Server, local string) string {
	t.Helper()
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	flowCall(t, http.MethodPost, srv.URL+"/_matrix/client/v3/login", "", map[string]any{"type": "m.login.password",
		"identifier": map[string]string{"type": "m.id.user", "user": local}, "password": flowPassword}, &resp)
	return resp.AccessToken
}

// setEventsDefault sets the power level needed to send messages in the room.
func setEventsDefault(t *testing.T, srv *testserver.Server, token string, room id.RoomID, level int) {
	t.Helper()
	u := srv.URL + "/_matrix/client/v3/rooms/" + url.PathEscape(room.String()) + "/state/m.room.power_levels/"
	var pl map[string]any
	flowCall(t, http.MethodGet, u, token, nil, &pl)
	pl["events_default"] = level
	flowCall(t, http.MethodPut, u, token, pl, nil)
}

func flowCall(t *testing.T, method, u, token string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, u, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatal(err)
		}
	}
}
