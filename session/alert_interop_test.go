package session_test

import (
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// matrix-js-sdk in an encrypted room: it reads the alert's fallback text, its response written
// per docs/PROTOCOL.md counts on our board, and so does its plain "komme" reply (latest wins).
func TestAlertInteropJS(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	leit, bob := newAccount(t, srv, "leitstelle"), newAccount(t, srv, "bob")
	sa := leit.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "Alarm JS")
	alertID := sendAlert(t, sa, roomID, alert.Alert{Keyword: "THL 1 Ölspur", Address: "B 96", Required: 1,
		DeadlineTS: time.Now().Add(10 * time.Minute).UnixMilli()})
	ev, err := js.WaitForEvent(ctx(t), roomID.String(), func(e jspeer.Event) bool { return e.EventID == alertID.String() })
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Encrypted || ev.DecryptionFailure != "" || !strings.HasPrefix(ev.Body(), "ALARM THL 1 Ölspur – B 96 – Rückmeldung bis ") {
		t.Fatalf("js sees the alert as %+v", ev)
	}
	if obj, _ := ev.Content["de.bos.alert"].(map[string]any); obj["keyword"] != "THL 1 Ölspur" {
		t.Fatalf("js alert content: %v", ev.Content)
	}
	board := waitBoard(t, sa, roomID, alertID, "js without answer", func(b *alert.Board) bool { return b.Counts.None == 1 })
	if board.None[0] != id.UserID(bob.UserID) {
		t.Fatalf("board: %+v", board)
	}

	// A response as another vendor would write it from docs/PROTOCOL.md.
	_, err = js.SendEvent(ctx(t), roomID.String(), "m.room.message", map[string]any{
		"msgtype":               "m.text",
		"body":                  "Später – ca. 20 Min.",
		"m.relates_to":          map[string]any{"rel_type": "m.reference", "event_id": alertID.String()},
		"de.bos.alert.response": map[string]any{"status": "later", "eta_minutes": 20, "comment": "vom Handy"},
	})
	if err != nil {
		t.Fatal(err)
	}
	board = waitBoard(t, sa, roomID, alertID, "js later", func(b *alert.Board) bool { return b.Counts.Later == 1 })
	if r := board.Responses[0]; r.UserID != id.UserID(bob.UserID) || r.ETAMinutes != 20 || r.Comment != "vom Handy" || board.Counts.None != 0 {
		t.Fatalf("board: %+v", board)
	}
	// A plain reply as Element sends it.
	if _, err := js.SendReply(ctx(t), roomID.String(), alertID.String(), "komme"); err != nil {
		t.Fatal(err)
	}
	board = waitBoard(t, sa, roomID, alertID, "js coming", func(b *alert.Board) bool { return b.Counts.Coming == 1 })
	if board.Counts != (alert.Counts{Coming: 1}) {
		t.Fatalf("board: %+v", board)
	}
}

// Across two federated servers: the other organisation's engine acknowledges after the jitter
// and its response counts.
func TestAlertFederated(t *testing.T) {
	t.Parallel()
	a, b := testserver.SharedFederated(t)
	leit, fw := newAccount(t, a, "leitstelle"), newAccount(t, b, "feuerwehr")
	sa := leit.login(t)
	fw.login(t).Close()
	sb := openWithJitter(t, fw, time.Second)
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Einsatz Ahr", Encrypted: true,
		Invite: []id.UserID{sb.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	joinEventually(t, sb, roomID)
	waitJoined(t, sa, roomID, 2)
	mustSync(t, sb)
	run(t, sb)
	alertID := sendAlert(t, sa, roomID, alert.Alert{Keyword: "H 2 Hochwasser", Units: []string{"THW OV Ahrweiler"}})
	start := time.Now()
	waitBoard(t, sa, roomID, alertID, "the receipt from the other server", func(b *alert.Board) bool { return b.Counts.Received == 1 })
	t.Logf("receipt across federation on the board after %v", time.Since(start))
	sentBy(t, sb)(sb.SendAlertResponse(ctx(t), roomID, alertID, alert.Response{Status: alert.StatusComing, ETAMinutes: 15}))
	board := waitBoard(t, sa, roomID, alertID, "coming", func(b *alert.Board) bool { return b.Counts.Coming == 1 })
	if board.Counts != (alert.Counts{Coming: 1}) || board.Responses[0].UserID != sb.Account().UserID {
		t.Fatalf("board: %+v", board)
	}
}
