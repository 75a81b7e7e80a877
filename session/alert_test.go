package session_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// openWithJitter opens the account with an ack jitter window.
func openWithJitter(t *testing.T, a *account, jitter time.Duration) *session.Session {
	t.Helper()
	cfg := a.config()
	cfg.AlertAckJitter = jitter
	s, err := session.Open(ctx(t), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", a.Local, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// run runs the session's sync loop (with its receipts) until the test ends or stop is called.
func run(t *testing.T, s *session.Session) (stop func()) {
	t.Helper()
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(c, time.Second, nil)
	}()
	var stopped bool
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitBoard syncs s until the board of the alert satisfies ok.
func waitBoard(t *testing.T, s *session.Session, roomID id.RoomID, alertEvent id.EventID, what string, ok func(*alert.Board) bool) *alert.Board {
	t.Helper()
	var b *alert.Board
	eventually.NoError(t, 45*time.Second, func() error {
		if _, err := s.SyncOnce(ctx(t), 500*time.Millisecond); err != nil {
			t.Logf("sync: %v", err)
		}
		var err error
		if b, err = s.AlertBoard(ctx(t), roomID, alertEvent); err != nil {
			t.Fatalf("board: %v", err)
		}
		if !ok(b) {
			return fmt.Errorf("board never showed %s: %+v", what, b)
		}
		return nil
	})
	return b
}

// acksBy counts the receipts of user for the alert in s's store.
func acksBy(t *testing.T, s *session.Session, roomID id.RoomID, user id.UserID) int {
	t.Helper()
	hist, err := s.History(ctx(t), roomID, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range hist {
		if e.Type == alert.TypeAck && e.Sender == user {
			n++
		}
	}
	return n
}

func sendAlert(t *testing.T, s *session.Session, roomID id.RoomID, a alert.Alert) id.EventID {
	t.Helper()
	txn, err := s.SendAlert(ctx(t), roomID, a)
	if err != nil {
		t.Fatal(err)
	}
	eventID, err := s.WaitSent(ctx(t), txn)
	if err != nil {
		t.Fatal(err)
	}
	return eventID
}

// An alert into an encrypted room: the other member's engine acknowledges it after the jitter
// (once, also across a restart), responses count with the latest winning, a plain "komme" reply
// counts, members who did neither are listed, and a member who joins later never acknowledges
// the old alert.
func TestAlertAckAndBoard(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	leit, fw, third := newAccount(t, srv, "leitstelle"), newAccount(t, srv, "fw"), newAccount(t, srv, "third")
	sa, sb0, sc := leit.login(t), fw.login(t), third.login(t)
	roomID := sharedRoom(t, sa, sb0, session.CreateRoomOptions{Name: "Alarm", Encrypted: true,
		Invite: []id.UserID{sc.Account().UserID}})
	if _, err := sc.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	waitJoined(t, sa, roomID, 3)
	mustSync(t, sb0)
	if err := sb0.Close(); err != nil {
		t.Fatal(err)
	}

	// b receives the alert live, but is closed before its receipt was due: the receipt is
	// remembered and sent after the restart, exactly once.
	sb := openWithJitter(t, fw, time.Hour)
	deadline := time.Now().Add(30 * time.Minute)
	alertID := sendAlert(t, sa, roomID, alert.Alert{Keyword: "B3 Brand Gebäude", Text: "Dachstuhl", Address: "Hauptstr. 1",
		Units: []string{"HLF 20-1"}, DeadlineTS: deadline.UnixMilli(), Required: 2})
	seq, _ := sb.LastSeq(ctx(t))
	sub := sb.Subscribe(seq)
	waitForBodiesPrefix(t, sb, roomID, "ALARM B3 Brand Gebäude – Hauptstr. 1 – Rückmeldung bis ")
	if !gotChange(t, sub, session.ChangeAlert, alertID) {
		t.Fatal("no alert change event for the live alert")
	}
	sub.Close()
	info, ok, err := sb.AlertInfo(ctx(t), alertID)
	if err != nil || !ok || info.Keyword != "B3 Brand Gebäude" || info.Sender != sa.Account().UserID || info.Required != 2 {
		t.Fatalf("alert info %+v %v %v", info, ok, err)
	}
	board := waitBoard(t, sa, roomID, alertID, "nobody acknowledged yet", func(b *alert.Board) bool { return b.Counts.None == 2 })
	if board.Counts != (alert.Counts{None: 2}) || board.Required != 2 || board.Alert.Keyword != "B3 Brand Gebäude" {
		t.Fatalf("board before receipts: %+v", board)
	}
	sb.Close()
	sb = openWithJitter(t, fw, time.Second)
	stop := run(t, sb)
	start := time.Now()
	board = waitBoard(t, sa, roomID, alertID, "b's receipt", func(b *alert.Board) bool { return b.Counts.Received == 1 })
	t.Logf("receipt after restart on the board after %v", time.Since(start))
	// b is received, c did nothing.
	if len(board.Received) != 1 || board.Received[0] != sb.Account().UserID || len(board.None) != 1 || board.None[0] != sc.Account().UserID {
		t.Fatalf("board: %+v", board)
	}
	stop()
	sb.Close()
	sb = openWithJitter(t, fw, time.Second)
	run(t, sb)
	time.Sleep(2 * time.Second)
	mustSync(t, sa)
	if n := acksBy(t, sa, roomID, sb.Account().UserID); n != 1 {
		t.Fatalf("b acknowledged %d times", n)
	}
	if n := acksBy(t, sa, roomID, sa.Account().UserID); n != 0 {
		t.Fatalf("the sender acknowledged its own alert %d times", n)
	}

	// Responses: latest wins.
	sentBy(t, sb)(sb.SendAlertResponse(ctx(t), roomID, alertID, alert.Response{Status: alert.StatusComing, ETAMinutes: 8}))
	board = waitBoard(t, sa, roomID, alertID, "b coming", func(b *alert.Board) bool { return b.Counts.Coming == 1 })
	if board.Counts != (alert.Counts{Coming: 1, None: 1}) || board.Responses[0].ETAMinutes != 8 {
		t.Fatalf("board: %+v", board)
	}
	sentBy(t, sb)(sb.SendAlertResponse(ctx(t), roomID, alertID, alert.Response{Status: alert.StatusNotComing, Comment: "krank"}))
	board = waitBoard(t, sa, roomID, alertID, "b not coming", func(b *alert.Board) bool { return b.Counts.NotComing == 1 })
	if board.Counts != (alert.Counts{NotComing: 1, None: 1}) || board.Responses[0].Comment != "krank" {
		t.Fatalf("board: %+v", board)
	}
	// c answers with a plain reply, as from Element.
	sentBy(t, sc)(sc.Send(ctx(t), roomID, session.Draft{Text: "Komme", Plain: true, ReplyTo: alertID}))
	board = waitBoard(t, sa, roomID, alertID, "c coming", func(b *alert.Board) bool { return b.Counts.Coming == 1 })
	if board.Counts != (alert.Counts{Coming: 1, NotComing: 1}) {
		t.Fatalf("board: %+v", board)
	}
	// The sender sees the board's changes as alert_update events.
	seq, _ = sa.LastSeq(ctx(t))
	sub = sa.Subscribe(seq)
	sentBy(t, sc)(sc.SendAlertResponse(ctx(t), roomID, alertID, alert.Response{Status: alert.StatusLater, ETAMinutes: 20}))
	waitBoard(t, sa, roomID, alertID, "c later", func(b *alert.Board) bool { return b.Counts.Later == 1 })
	if !gotChange(t, sub, session.ChangeAlertUpdate, alertID) {
		t.Fatal("no alert_update change")
	}
	sub.Close()

	// A member who joins after the alert gets it as history: no receipt.
	late := newAccount(t, srv, "late")
	late.login(t).Close()
	sl := openWithJitter(t, late, 500*time.Millisecond)
	if err := sa.Invite(ctx(t), roomID, sl.Account().UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := sl.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	run(t, sl)
	waitBoard(t, sa, roomID, alertID, "the late member", func(b *alert.Board) bool { return b.Counts.None == 1 })
	time.Sleep(3 * time.Second) // well beyond the late member's jitter window
	mustSync(t, sa)
	if n := acksBy(t, sa, roomID, sl.Account().UserID); n != 0 {
		t.Fatalf("the late member acknowledged an old alert")
	}

	// Unknown alerts: an ordinary message, an unknown event.
	plain := mustSend(t, sa, roomID, "keine Alarmierung")
	mustSync(t, sa)
	for _, ev := range []id.EventID{plain, "$unknown"} {
		if _, err := sa.AlertBoard(ctx(t), roomID, ev); !errors.Is(err, session.ErrUnknownAlert) {
			t.Errorf("board of %s: %v", ev, err)
		}
	}
}

// waitForBodiesPrefix syncs s until a message of the room starts with prefix.
func waitForBodiesPrefix(t *testing.T, s *session.Session, roomID id.RoomID, prefix string) {
	t.Helper()
	eventually.True(t, 30*time.Second, fmt.Sprintf("a message starting with %q", prefix), func() bool {
		mustSync(t, s)
		hist, err := s.History(ctx(t), roomID, 50)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(hist, func(e session.TimelineEvent) bool { return strings.HasPrefix(e.Body, prefix) })
	})
}

// gotChange reports whether the subscription holds a change of kind for eventID (waiting a bit).
func gotChange(t *testing.T, sub *session.Subscription, kind session.ChangeKind, eventID id.EventID) bool {
	t.Helper()
	c, cancel := context.WithTimeout(ctx(t), 5*time.Second)
	defer cancel()
	for {
		batch, err := sub.Next(c)
		if err != nil {
			return false
		}
		for _, ch := range batch {
			if ch.Kind == kind && ch.EventID == eventID {
				return true
			}
		}
	}
}

// Unit status: the latest per unit.
func TestUnitStatus(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	a, b := newAccount(t, srv, "wache"), newAccount(t, srv, "hlf")
	sa, sb := a.login(t), b.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Status", Encrypted: true})
	send := func(s *session.Session, fms int, unit string) {
		sentBy(t, s)(s.SendUnitStatus(ctx(t), roomID, alert.UnitStatus{FMS: fms, Unit: unit}))
	}
	send(sb, 2, "HLF 20-1")
	send(sb, 3, "HLF 20-1")
	send(sa, 1, "DLK 23")
	send(sb, 4, "HLF 20-1")
	send(sb, 6, "")
	if _, err := sa.SendUnitStatus(ctx(t), roomID, alert.UnitStatus{FMS: 10}); !errors.Is(err, alert.ErrInvalid) {
		t.Fatalf("FMS 10: %v", err)
	}
	waitForBodies(t, sa, roomID, 50, "Status 4 – Am Einsatzort (HLF 20-1)", "Status 6 – Nicht einsatzbereit")
	got, err := sa.UnitStatuses(ctx(t), roomID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Unit != "@"+b.Local+":"+srv.ServerName || got[0].FMS != 6 ||
		got[1].Unit != "DLK 23" || got[1].FMS != 1 || got[2].Unit != "HLF 20-1" || got[2].FMS != 4 || got[2].Meaning != "Am Einsatzort" {
		t.Fatalf("statuses %+v", got)
	}
}

// A member who joins after an alert gets it with the room's history: no receipt for it (in an
// unencrypted room, where the late member can read it), but one for the next, live alert. The
// sender's running engine acknowledges neither.
func TestAlertHistoryNotAcknowledged(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	leit, late := newAccount(t, srv, "leitstelle"), newAccount(t, srv, "late")
	sa := leit.login(t)
	late.login(t).Close()
	sl := openWithJitter(t, late, 300*time.Millisecond)
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Offen", Invite: []id.UserID{sl.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	old := sendAlert(t, sa, roomID, alert.Alert{Keyword: "Alt"})
	mustSync(t, sl)
	if _, err := sl.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	run(t, sl)
	run(t, sa) // the sender's engine runs too: it never acknowledges its own alerts
	waitForBodiesPrefix(t, sl, roomID, "ALARM Alt")
	live := sendAlert(t, sa, roomID, alert.Alert{Keyword: "Neu"})
	waitBoard(t, sa, roomID, live, "the live alert's receipt", func(b *alert.Board) bool { return b.Counts.Received == 1 })
	time.Sleep(time.Second)
	board := waitBoard(t, sa, roomID, old, "the old alert", func(*alert.Board) bool { return true })
	if board.Counts != (alert.Counts{None: 1}) {
		t.Fatalf("the old alert was acknowledged: %+v", board)
	}
	if n := acksBy(t, sa, roomID, sa.Account().UserID); n != 0 {
		t.Fatalf("the sender acknowledged its own alerts %d times", n)
	}
}
