package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// fakeSound records the alarm tone's state.
type fakeSound struct {
	mu      sync.Mutex
	playing bool
	starts  int
}

func (f *fakeSound) Start() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.playing {
		f.starts++
	}
	f.playing = true
	return nil
}

func (f *fakeSound) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.playing = false
}

func (f *fakeSound) state() (bool, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.playing, f.starts
}

// fakeNotes records desktop notifications.
type fakeNotes struct {
	mu    sync.Mutex
	notes []string // "critical|title|body"
}

func (f *fakeNotes) notify(title, body string, critical bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := "normal"
	if critical {
		c = "critical"
	}
	f.notes = append(f.notes, c+"|"+title+"|"+body)
	return nil
}

func (f *fakeNotes) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.notes...)
}

// startAlertShell opens the shell on u's data dir with the fake outputs; stop ends it and closes
// its session (also at cleanup).
func startAlertShell(t *testing.T, q *uiQueue, u *flowUser, out AlertOutputs) (*App, func()) {
	t.Helper()
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 720))
	ctx, cancel := context.WithCancel(context.Background())
	scfg := u.config(t)
	sh := StartShell(ctx, w, ShellConfig{DataDir: u.Dir, SyncTimeout: time.Second, Alerts: out,
		Open: func(ctx context.Context, _ string) (*session.Session, error) { return session.Open(ctx, scfg) }})
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		done := make(chan struct{})
		go func() { sh.Wait(); close(done) }()
		q.until(t, "shell stopped", func() bool {
			select {
			case <-done:
				return true
			default:
				return false
			}
		})
		if a := sh.App(); a != nil {
			a.Stop()
		}
		if s := sh.Session(); s != nil {
			s.Close()
		}
	}
	t.Cleanup(stop)
	var a *App
	q.until(t, "main view", func() bool { a = sh.App(); return a != nil })
	return a, stop
}

// typeLikeUser types into the focused widget, as a keyboard does, or to the canvas when none has
// the focus (test.TypeOnCanvas always goes to the canvas).
func typeLikeUser(c fyne.Canvas, chars string) {
	if f := c.Focused(); f != nil {
		test.Type(f, chars)
		return
	}
	test.TypeOnCanvas(c, chars)
}

// waitSent waits until a queued event of s is on the server.
func waitSent(t *testing.T, s *session.Session) func(string, error) {
	return func(txn string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WaitSent(testCtx(t), txn); err != nil {
			t.Fatal(err)
		}
	}
}

// sendAlertBy sends an alert and waits until the server has it.
func sendAlertBy(t *testing.T, s *session.Session, room id.RoomID, al alert.Alert) id.EventID {
	t.Helper()
	txn, err := s.SendAlert(testCtx(t), room, al)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.WaitSent(testCtx(t), txn)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// An alarm takes over the window with the tone and a critical notification, counts down, queues
// a second alarm behind it; an info alert only shows a banner. The buttons and keys send the
// right responses through the engine (the dispatcher's engine sees them on its board), the tone
// stops when the last alarm is answered, the board counts update live, the FMS panel shows the
// units and sends our status with a digit key, and an unanswered alarm comes back after a
// restart.
func TestAlertTakeoverFlow(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	srv := testserver.Shared(t)
	leitU, fwU, thirdU := newFlowUser(t, srv, "leitstelle"), newFlowUser(t, srv, "fw"), newFlowUser(t, srv, "third")
	leit, third := leitU.login(t), thirdU.login(t)
	fwU.login(t).Close()
	ctx := testCtx(t)
	fwID := id.UserID(fwU.ID)
	room, err := leit.CreateRoom(ctx, session.CreateRoomOptions{Name: "Einsatz Hauptstraße", Encrypted: true,
		Invite: []id.UserID{fwID, third.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := third.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}

	sound, notes := &fakeSound{}, &fakeNotes{}
	a, stop := startAlertShell(t, q, fwU, AlertOutputs{Sound: sound, Notify: notes.notify})
	s := a.s
	if _, err := s.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	syncUntil(t, leit, "three members", func() bool {
		r, err := leit.Room(ctx, room)
		return err == nil && r.JoinedCount == 3
	})
	q.until(t, "room listed as joined", func() bool {
		for _, r := range a.RoomList().Rooms() {
			if r.ID == room && r.Membership == "join" {
				return true
			}
		}
		return false
	})
	// The room is open with the composer focused: the alarm's keys must reach the alarm anyway.
	a.OpenRoom(room)
	q.until(t, "composer focused", func() bool { return a.w.Canvas().Focused() == a.Composer().Entry })
	// The receiving engine's sync must have passed the join, so that the alerts arrive live.
	time.Sleep(2 * time.Second)

	// 1. An alarm takes over.
	deadline := time.Now().Add(10 * time.Minute)
	first := sendAlertBy(t, leit, room, alert.Alert{Keyword: "B3 Brand Gebäude", Text: "Dachstuhl in Vollbrand\nMenschenleben in Gefahr",
		Address: "Hauptstr. 1", Units: []string{"HLF 20-1", "DLK 23"}, DeadlineTS: deadline.UnixMilli(), Required: 2})
	v := a.AlertView()
	q.until(t, "alarm takeover", func() bool { return v.Visible() && v.Info().EventID == first })
	if a.MainUsable() {
		t.Fatal("the main view stays usable under the alarm")
	}
	if v.Keyword.Text != "B3 Brand Gebäude" || v.Address.Text != "Hauptstr. 1" || !strings.Contains(v.Text.Text, "Menschenleben") ||
		!strings.Contains(v.Units.Text, "HLF 20-1, DLK 23") || !strings.Contains(v.Units.Text, "2") {
		t.Fatalf("alert view: %q %q %q %q", v.Keyword.Text, v.Address.Text, v.Text.Text, v.Units.Text)
	}
	if playing, starts := sound.state(); !playing || starts != 1 {
		t.Fatalf("tone playing %v after %d starts", playing, starts)
	}
	if n := notes.all(); len(n) != 1 || n[0] != "critical|"+T("alert.notify_title_alarm")+"|"+T("alert.notify_room", "Einsatz Hauptstraße") {
		t.Fatalf("notifications %q", n)
	}
	// The countdown runs: mm:ss to the deadline, live.
	if c := v.Countdown.Text; !strings.HasPrefix(c, "10:") && !strings.HasPrefix(c, "09:") {
		t.Fatalf("countdown %q", c)
	}
	before := v.Countdown.Text
	q.until(t, "countdown ticks", func() bool { return v.Countdown.Text != before })
	v.Tick(deadline.Add(-(4*time.Minute + 5*time.Second)))
	if v.Countdown.Text != "04:05" || !strings.Contains(v.Deadline.Text, deadline.Local().Format("15:04")) {
		t.Fatalf("countdown %q deadline %q", v.Countdown.Text, v.Deadline.Text)
	}
	v.Tick(deadline.Add(time.Second))
	if v.Countdown.Text != T("alert.expired") {
		t.Fatalf("countdown after the deadline %q", v.Countdown.Text)
	}

	// M turns the tone off; the view stays.
	typeLikeUser(a.w.Canvas(), "m")
	if playing, _ := sound.state(); playing || !v.Visible() || !v.Mute.Disabled() {
		t.Fatal("M must turn the tone off and keep the alarm")
	}

	// 2. A second alarm queues behind and rings again; an info alert is quieter: a banner, no
	// tone, no takeover.
	second := sendAlertBy(t, leit, room, alert.Alert{Keyword: "TH Person eingeklemmt", Address: "B9 km 12", DeadlineTS: deadline.UnixMilli()})
	info := sendAlertBy(t, leit, room, alert.Alert{Keyword: "Übung Donnerstag", Text: "19 Uhr Gerätehaus", Priority: alert.PriorityInfo})
	q.until(t, "second queued, info banner", func() bool {
		return len(a.AlertQueue()) == 2 && a.AlertBanner().Visible()
	})
	if v.Info().EventID != first || !strings.Contains(v.queued.Text, "1") {
		t.Fatalf("the first alarm must stay on screen with the queue shown: %s %q", v.Info().EventID, v.queued.Text)
	}
	if !strings.Contains(a.AlertBanner().Text(), "Übung Donnerstag") {
		t.Fatalf("banner %q", a.AlertBanner().Text())
	}
	q.until(t, "three notifications", func() bool { return len(notes.all()) == 3 })
	for _, n := range notes.all() {
		if strings.Contains(n, T("alert.notify_title_info")) && !strings.HasPrefix(n, "normal|") {
			t.Fatalf("the info alert notified %q", n)
		}
	}
	if playing, starts := sound.state(); !playing || starts != 2 {
		t.Fatalf("after the second alarm and the info: tone playing %v, %d starts (want 2: the info is silent)", playing, starts)
	}

	// 3. The dispatcher's board (opened in this app for the first alarm) counts live.
	board := a.OpenBoard(room, first)
	q.until(t, "board loaded", func() bool { return board.Board() != nil })
	// fw and third: no reaction yet, or fw's automatic receipt already (jitter up to 10 s).
	if b := board.Board(); b.Counts.None+b.Counts.Received != 2 || board.Count("coming") != "0" || !strings.Contains(board.Strength.Text, "0") {
		t.Fatalf("board before answers: none %s received %s coming %s %q", board.Count("none"), board.Count("received"), board.Count("coming"), board.Strength.Text)
	}

	// Komme (K) answers the first alarm: the second shows, the tone goes on.
	typeLikeUser(a.w.Canvas(), "k")
	q.until(t, "second alarm shown", func() bool { return v.Info().EventID == second })
	if playing, _ := sound.state(); !playing {
		t.Fatal("the tone stopped with an alarm still open")
	}
	syncUntil(t, leit, "fw coming on the dispatcher's board", func() bool {
		b, err := leit.AlertBoard(ctx, room, first)
		return err == nil && len(b.Responses) == 1 && b.Responses[0].UserID == fwID && b.Responses[0].Status == alert.StatusComing
	})
	// The board counts fw (queue first, then synced) and then third's answer.
	q.until(t, "board counts fw coming", func() bool { return board.Count("coming") == "1" })
	waitSent(t, third)(third.SendAlertResponse(ctx, room, first, alert.Response{Status: alert.StatusLater, ETAMinutes: 20, Comment: "Arbeit"}))
	q.until(t, "board counts third later", func() bool {
		return board.Count("later") == "1" && board.Count("none") == "0"
	})
	var laterRow bool
	for _, r := range board.Rows() {
		laterRow = laterRow || (strings.Contains(r, T("alert.later_word")) && strings.Contains(r, T("board.eta", 20)) && strings.Contains(r, "Arbeit"))
	}
	if !laterRow || !strings.Contains(board.Strength.Text, "1") {
		t.Fatalf("board rows %q strength %q", board.Rows(), board.Strength.Text)
	}
	board.dlg.Hide()

	// Später with an ETA on the second: the last alarm answered, the tone stops, the window is back.
	test.Type(v.ETA, "12")
	test.Tap(v.Later)
	q.until(t, "takeover ends", func() bool { return !v.Visible() && a.MainUsable() })
	if playing, _ := sound.state(); playing {
		t.Fatal("the tone plays on after the last alarm was answered")
	}
	syncUntil(t, leit, "fw later with ETA", func() bool {
		b, err := leit.AlertBoard(ctx, room, second)
		return err == nil && len(b.Responses) == 1 && b.Responses[0].Status == alert.StatusLater && b.Responses[0].ETAMinutes == 12
	})

	// 4. FMS: third's status shows in the incident room's panel; fw sends its own with key 4.
	waitSent(t, third)(third.SendUnitStatus(ctx, room, alert.UnitStatus{FMS: 3, Unit: "HLF 20-1"}))
	q.until(t, "FMS panel", func() bool {
		tx := a.fms.Texts()
		return a.fms.Visible() && len(tx) == 1 && tx[0] == "HLF 20-1: 3 "+T("fms.3")
	})
	a.fms.OnSet()
	if a.fmsDlg == nil {
		t.Fatal("no status dialog")
	}
	a.fmsDlg.unit.SetText("LF 10")
	typeLikeUser(a.w.Canvas(), "4")
	q.until(t, "own FMS status shown", func() bool {
		tx := a.fms.Texts()
		return len(tx) == 2 && tx[1] == "LF 10: 4 "+T("fms.4")
	})
	if a.fmsDlg != nil {
		t.Fatal("the status dialog stays open")
	}

	// 5. Komme nicht on a new alarm; a further alarm stays unanswered and comes back after a restart.
	_ = info
	third3 := sendAlertBy(t, leit, room, alert.Alert{Keyword: "RD Notfall", DeadlineTS: deadline.UnixMilli()})
	q.until(t, "third alarm", func() bool { return v.Visible() && v.Info().EventID == third3 })
	test.Tap(v.NotComing)
	q.until(t, "third answered", func() bool { return !v.Visible() })
	open := sendAlertBy(t, leit, room, alert.Alert{Keyword: "B2 Kaminbrand", Address: "Waldweg 3", DeadlineTS: deadline.UnixMilli()})
	q.until(t, "open alarm", func() bool { return v.Visible() && v.Info().EventID == open })
	syncUntil(t, leit, "fw not coming", func() bool {
		b, err := leit.AlertBoard(ctx, room, third3)
		return err == nil && len(b.Responses) == 1 && b.Responses[0].Status == alert.StatusNotComing
	})
	stop()
	if playing, _ := sound.state(); playing {
		t.Fatal("the tone plays on after the app stopped")
	}
	sound2 := &fakeSound{}
	a2, _ := startAlertShell(t, q, fwU, AlertOutputs{Sound: sound2, Notify: notes.notify})
	v2 := a2.AlertView()
	q.until(t, "open alarm back after the restart", func() bool { return v2.Visible() && v2.Info().EventID == open })
	if q := a2.AlertQueue(); len(q) != 1 || v2.Keyword.Text != "B2 Kaminbrand" {
		t.Fatalf("after restart: queue %d, keyword %q", len(q), v2.Keyword.Text)
	}
	if playing, _ := sound2.state(); !playing {
		t.Fatal("no tone after the restart")
	}
	// Answered on another device of fw: the alarm closes here and the tone stops.
	otherDevice := *fwU
	otherDevice.Dir = t.TempDir()
	s2 := otherDevice.login(t)
	syncUntil(t, s2, "the other device in the room", func() bool {
		r, err := s2.Room(ctx, room)
		return err == nil && r.Membership == "join"
	})
	waitSent(t, s2)(s2.SendAlertResponse(ctx, room, open, alert.Response{Status: alert.StatusComing, ETAMinutes: 3}))
	q.until(t, "answered on the other device", func() bool { return !v2.Visible() })
	if playing, _ := sound2.state(); playing {
		t.Fatal("the tone plays on after the other device answered")
	}

	// Closing an alarm without an answer: the tone stops.
	last := sendAlertBy(t, leit, room, alert.Alert{Keyword: "THL Ölspur", DeadlineTS: deadline.UnixMilli()})
	q.until(t, "last alarm", func() bool { return v2.Visible() && v2.Info().EventID == last })
	test.Tap(v2.Dismiss)
	if v2.Visible() {
		t.Fatal("dismiss left the view")
	}
	if playing, _ := sound2.state(); playing {
		t.Fatal("the tone plays on after dismissing")
	}
}
