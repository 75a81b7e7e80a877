package session_test

import (
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// Open alarms survive a restart: after the receiving session is closed and opened again,
// OpenAlerts lists the unanswered alarm before its deadline, and leaves out the answered one, the
// dismissed one, the info alert, the one whose deadline passed and the sender's own alert. The
// timeline marks alert messages.
func TestOpenAlertsAfterRestart(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	leit, fw := newAccount(t, srv, "leitstelle"), newAccount(t, srv, "fw")
	sa, sb0 := leit.login(t), fw.login(t)
	roomID := sharedRoom(t, sa, sb0, session.CreateRoomOptions{Name: "Alarm", Encrypted: true})
	mustSync(t, sb0)
	sb0.Close()
	sb := openWithJitter(t, fw, time.Hour)
	mustSync(t, sb)

	later := time.Now().Add(30 * time.Minute).UnixMilli()
	open := sendAlert(t, sa, roomID, alert.Alert{Keyword: "B3 offen", DeadlineTS: later})
	answered := sendAlert(t, sa, roomID, alert.Alert{Keyword: "B2 beantwortet", DeadlineTS: later})
	dismissed := sendAlert(t, sa, roomID, alert.Alert{Keyword: "B1 weggeklickt", DeadlineTS: later})
	info := sendAlert(t, sa, roomID, alert.Alert{Keyword: "Info", Priority: alert.PriorityInfo, DeadlineTS: later})
	expiring := sendAlert(t, sa, roomID, alert.Alert{Keyword: "TH kurz", DeadlineTS: time.Now().Add(4 * time.Second).UnixMilli()})
	noDeadline := sendAlert(t, sa, roomID, alert.Alert{Keyword: "RD ohne Frist"})
	waitForBodiesPrefix(t, sb, roomID, "ALARM RD ohne Frist")
	sentBy(t, sb)(sb.SendAlertResponse(ctx(t), roomID, answered, alert.Response{Status: alert.StatusComing}))
	if err := sb.DismissAlert(ctx(t), dismissed); err != nil {
		t.Fatal(err)
	}
	msgs, err := sb.Timeline(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.EventID == info && (m.Alert == nil || m.Alert.Keyword != "Info" || m.Alert.Priority != alert.PriorityInfo) {
			t.Fatalf("timeline message of the info alert: %+v", m)
		}
	}

	// The restart: a new session on the same data dir.
	sb.Close()
	time.Sleep(4 * time.Second) // the short deadline passes
	sb = openWithJitter(t, fw, time.Hour)
	got, err := sb.OpenAlerts(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []id.EventID
	for _, a := range got {
		ids = append(ids, a.EventID)
	}
	if want := []id.EventID{open, noDeadline}; !slices.Equal(ids, want) {
		t.Fatalf("open alerts %v, want %v (answered %s dismissed %s info %s expiring %s)", ids, want, answered, dismissed, info, expiring)
	}
	if got[0].Keyword != "B3 offen" || got[0].RoomID != roomID || got[0].Sender != sa.Account().UserID {
		t.Fatalf("open alert %+v", got[0])
	}
	// The sender has none: its own alerts never wait for its answer.
	if mine, err := sa.OpenAlerts(ctx(t)); err != nil || len(mine) != 0 {
		t.Fatalf("sender's open alerts %v %v", mine, err)
	}
	// Answering after the restart closes it.
	sentBy(t, sb)(sb.SendAlertResponse(ctx(t), roomID, open, alert.Response{Status: alert.StatusLater, ETAMinutes: 15}))
	if got, _ := sb.OpenAlerts(ctx(t)); len(got) != 1 || got[0].EventID != noDeadline {
		t.Fatalf("after answering: %+v", got)
	}
}
