package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// The call button shows only in joined rooms with exactly one other member, and not under
// disable_calls.
func TestHeaderCallButton(t *testing.T) {
	test.NewTempApp(t)
	h := NewHeader()
	for _, c := range []struct {
		r    *session.RoomSummary
		off  bool
		want bool
	}{
		{nil, false, false},
		{&session.RoomSummary{Membership: "join", JoinedCount: 2}, false, true},
		{&session.RoomSummary{Membership: "join", JoinedCount: 3}, false, false},
		{&session.RoomSummary{Membership: "join", JoinedCount: 1}, false, false},
		{&session.RoomSummary{Membership: "invite", JoinedCount: 2}, false, false},
		{&session.RoomSummary{Membership: "join", JoinedCount: 2}, true, false},
	} {
		h.SetCallsDisabled(c.off)
		h.Set(c.r)
		if got := !h.CallButton().Hidden; got != c.want {
			t.Errorf("room %+v, disabled %v: button shown %v", c.r, c.off, got)
		}
	}
}

// fakeRing counts the ring tone's starts and stops.
type fakeRing struct{ on, starts atomic.Int32 }

func (r *fakeRing) Start() error { r.on.Store(1); r.starts.Add(1); return nil }
func (r *fakeRing) Stop()        { r.on.Store(0) }

// calleeCall waits until bob has a call that satisfies ok.
func calleeCall(t *testing.T, s *session.Session, what string, ok func(session.CallInfo) bool) session.CallInfo {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range s.Calls() {
			if ok(c) {
				return c
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
	return session.CallInfo{}
}

// TestFlowCall: alice (GUI, null audio backend, loopback ICE) calls bob (a session) with the
// header's call button; bob answers with a tone; the call bar shows the connected call, its
// duration ticks, the received level moves and Stumm toggles; Auflegen ends it and the timeline
// shows "Anruf, 0:0x". Then bob calls alice: the dialog rings, Ablehnen rejects (bob's call ends
// rejected); bob calls again, Annehmen answers, the bar shows, bob hangs up and the bar goes.
func TestFlowCall(t *testing.T) {
	t.Setenv(session.CallLoopbackEnv, "1")
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	old := newCallAudio
	newCallAudio = callmedia.OpenNullAudio
	t.Cleanup(func() { newCallAudio = old })
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newFlowUser(t, srv, "alice"), newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	ctx := testCtx(t)
	room, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Leitstelle", Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	if _, err := as.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	as.Close()
	ring := &fakeRing{}
	_, a := openShell(t, q, alice, ShellConfig{Room: room, SyncTimeout: time.Second})
	a.SetAlertOutputs(AlertOutputs{Ring: ring, Notify: func(string, string, bool) error { return nil }})
	runDone := make(chan struct{})
	rctx, cancel := context.WithCancel(context.Background())
	go func() { defer close(runDone); _ = bs.Run(rctx, time.Second, nil) }()
	t.Cleanup(func() { cancel(); <-runDone })

	q.until(t, "call button of the 1:1 room", func() bool {
		return a.Current() == room && !a.Header().CallButton().Hidden
	})
	test.Tap(a.Header().CallButton())
	in := calleeCall(t, bs, "bob's phone rings", func(c session.CallInfo) bool { return c.State == call.StateRinging })
	q.until(t, "call bar shows the outgoing call", func() bool { return a.CallBar().Visible() })
	if err := bs.AnswerCall(ctx, in.CallID, session.CallMediaOptions{Source: callmedia.NewTone(440)}); err != nil {
		t.Fatal(err)
	}
	var first string
	q.until(t, "connected", func() bool {
		first = a.CallBar().Status()
		return strings.HasPrefix(first, "Anruf mit ")
	})
	q.until(t, "duration ticks and bob's tone shows on the meter", func() bool {
		_, theirs := a.CallBar().Levels()
		return a.CallBar().Status() != first && theirs > 0.05
	})
	if mics, spks := a.CallBar().Devices(); len(mics.Options) == 0 || len(spks.Options) == 0 {
		t.Errorf("device choice: %v / %v", mics.Options, spks.Options)
	}
	test.Tap(a.CallBar().MuteButton())
	if a.CallBar().MuteButton().Text != "Ton an" {
		t.Fatalf("mute button %q", a.CallBar().MuteButton().Text)
	}
	test.Tap(a.CallBar().HangupButton())
	q.until(t, "call bar gone", func() bool { return !a.CallBar().Visible() })
	calleeCall(t, bs, "bob sees the hangup", func(c session.CallInfo) bool { return c.CallID == in.CallID && c.State == call.StateEnded })
	q.until(t, "history line in the timeline", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Kind == session.KindCall && strings.HasPrefix(callLineText(m.Call), "Anruf, 0:") {
				return true
			}
		}
		return false
	})

	// Bob calls: Ablehnen.
	placed, err := bs.PlaceCall(ctx, room, session.CallMediaOptions{Source: callmedia.NewTone(440)})
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "ringing dialog", func() bool { id, _, _ := a.IncomingCall(); return id == placed.CallID })
	if ring.on.Load() != 1 {
		t.Fatal("the incoming call does not ring")
	}
	_, _, reject := a.IncomingCall()
	test.Tap(reject)
	if ring.on.Load() != 0 {
		t.Fatal("still ringing after Ablehnen")
	}
	ended := calleeCall(t, bs, "bob's call rejected", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateEnded })
	if !ended.EndedByRemote {
		t.Fatalf("rejected call %+v", ended)
	}

	// Bob calls and gives up before alice answers: the dialog closes, the ringing stops.
	placed, err = bs.PlaceCall(ctx, room, session.CallMediaOptions{Source: callmedia.NewTone(440)})
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "ringing dialog", func() bool { id, _, _ := a.IncomingCall(); return id == placed.CallID })
	if err := bs.HangupCall(placed.CallID, ""); err != nil {
		t.Fatal(err)
	}
	q.until(t, "dialog closed by bob's hangup", func() bool { id, _, _ := a.IncomingCall(); return id == "" })
	if ring.on.Load() != 0 {
		t.Fatal("still ringing after the caller hung up")
	}

	// Bob calls again: Annehmen, then bob hangs up.
	placed, err = bs.PlaceCall(ctx, room, session.CallMediaOptions{Source: callmedia.NewTone(440)})
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "ringing dialog", func() bool { id, _, _ := a.IncomingCall(); return id == placed.CallID })
	_, accept, _ := a.IncomingCall()
	test.Tap(accept)
	q.until(t, "answered: call bar connected", func() bool {
		id, _, _ := a.IncomingCall()
		return id == "" && a.CallBar().Visible() && strings.HasPrefix(a.CallBar().Status(), "Anruf mit ")
	})
	if ring.on.Load() != 0 {
		t.Fatal("still ringing after Annehmen")
	}
	if err := bs.HangupCall(placed.CallID, ""); err != nil {
		t.Fatal(err)
	}
	q.until(t, "call bar gone after bob's hangup", func() bool { return !a.CallBar().Visible() })
}
