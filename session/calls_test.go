package session_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// loginWith signs the account in with a changed config.
func (a *account) loginWith(t testing.TB, change func(*session.Config)) *session.Session {
	t.Helper()
	cfg := a.config()
	change(&cfg)
	s, err := session.Login(ctx(t), cfg, a.srv.URL, a.Local, testPassword)
	if err != nil {
		t.Fatalf("login %s: %v", a.Local, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runCallSync runs the session's sync loop (short long polls) until the test ends.
func runCallSync(t *testing.T, s *session.Session) {
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(rctx, 2*time.Second, nil) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitCall waits until one of s's calls satisfies ok.
func waitCall(t *testing.T, s *session.Session, what string, ok func(session.CallInfo) bool) session.CallInfo {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range s.Calls() {
			if ok(c) {
				return c
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %s never happened; calls: %+v", s.Account().UserID, what, s.Calls())
	return session.CallInfo{}
}

func waitTone(t *testing.T, d *callmedia.ToneDetector, hz float64, who string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got float64
	for time.Now().Before(deadline) {
		if got = d.DominantHz(); math.Abs(got-hz) < 15 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s heard %.1f Hz, want %.0f", who, got, hz)
}

// TestCallsFederated: our client to our client across two federated Dendrites, in a plain and an
// encrypted room: the call rings, is answered and connects, each side hears the other's tone, and
// the hangup (from the caller in one room, the callee in the other) reaches the other side with
// its reason; the history shows the call as one line. Then a rejected call, an unanswered one
// (invite timeout: a missed call on the callee's side), and disable_calls.
func TestCallsFederated(t *testing.T) {
	t.Setenv(session.CallLoopbackEnv, "1")
	srvA, srvB := testserver.StartFederated(t)
	disp, unit := newAccount(t, srvA, "disp"), newAccount(t, srvB, "unit")
	sa := disp.loginWith(t, func(c *session.Config) { c.CallInviteLifetime = 5 * time.Second })
	sb := unit.login(t)
	runCallSync(t, sa)
	runCallSync(t, sb)
	rooms := map[bool]id.RoomID{}
	for _, enc := range []bool{false, true} {
		roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Anruf", Encrypted: enc,
			Invite: []id.UserID{sb.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		joinEventually(t, sb, roomID)
		waitJoined(t, sa, roomID, 2)
		rooms[enc] = roomID
	}

	for _, enc := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "encrypted"}[enc]
		t.Run(name, func(t *testing.T) {
			roomID := rooms[enc]
			heardA, heardB := callmedia.NewToneDetector(), callmedia.NewToneDetector()
			start := time.Now()
			placed, err := sa.PlaceCall(ctx(t), roomID, session.CallMediaOptions{Source: callmedia.NewTone(440), Sink: heardA})
			if err != nil {
				t.Fatal(err)
			}
			in := waitCall(t, sb, "ringing", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateRinging })
			if in.Peer != sa.Account().UserID || in.Outbound {
				t.Fatalf("incoming %+v", in)
			}
			if err := sb.AnswerCall(ctx(t), in.CallID, session.CallMediaOptions{Source: callmedia.NewTone(880), Sink: heardB}); err != nil {
				t.Fatal(err)
			}
			connected := waitCall(t, sa, "connected", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateConnected })
			waitCall(t, sb, "connected", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateConnected })
			t.Logf("%s: call setup (placing to connected) %v", name, connected.ConnectedAt.Sub(start).Round(time.Millisecond))
			waitTone(t, heardA, 880, "caller")
			waitTone(t, heardB, 440, "callee")
			if st, ok := sa.CallStats(placed.CallID); !ok || st.RTPPacketsIn == 0 {
				t.Errorf("caller stats %+v %v", st, ok)
			}
			from, to := sa, sb
			if enc {
				from, to = sb, sa
			}
			if err := from.HangupCall(placed.CallID, ""); err != nil {
				t.Fatal(err)
			}
			ended := waitCall(t, to, "remote hangup", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateEnded })
			if ended.EndReason != call.ReasonUserHangup || !ended.EndedByRemote {
				t.Fatalf("ended %+v", ended)
			}
			// The history line of the call, on both sides.
			for _, s := range []*session.Session{sa, sb} {
				line := waitHistoryCall(t, s, roomID, placed.CallID, session.CallOutcomeEnded)
				if line.Body == "" || line.Body[:6] != "Anruf," {
					t.Errorf("history line %q", line.Body)
				}
			}
		})
	}

	t.Run("reject", func(t *testing.T) {
		placed, err := sa.PlaceCall(ctx(t), rooms[true], session.CallMediaOptions{})
		if err != nil {
			t.Fatal(err)
		}
		waitCall(t, sb, "ringing", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateRinging })
		if err := sb.RejectCall(placed.CallID); err != nil {
			t.Fatal(err)
		}
		got := waitCall(t, sa, "rejected", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateEnded })
		if got.EndReason != call.ReasonRejected || !got.EndedByRemote {
			t.Fatalf("caller %+v", got)
		}
		waitHistoryCall(t, sa, rooms[true], placed.CallID, session.CallOutcomeRejected)
	})

	t.Run("invite timeout", func(t *testing.T) {
		placed, err := sa.PlaceCall(ctx(t), rooms[false], session.CallMediaOptions{})
		if err != nil {
			t.Fatal(err)
		}
		waitCall(t, sb, "ringing", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateRinging })
		got := waitCall(t, sa, "invite timeout", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateEnded })
		if got.EndReason != call.ReasonInviteTimeout {
			t.Fatalf("caller %+v", got)
		}
		missed := waitCall(t, sb, "missed", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateEnded })
		if !missed.Missed {
			t.Fatalf("callee %+v, want missed", missed)
		}
		line := waitHistoryCall(t, sb, rooms[false], placed.CallID, session.CallOutcomeMissed)
		if line.Body != "Verpasster Anruf" {
			t.Errorf("history line %q", line.Body)
		}
		msgs, err := sb.Timeline(ctx(t), rooms[false], 50)
		if err != nil {
			t.Fatal(err)
		}
		var calls int
		for _, m := range msgs {
			if m.Kind == session.KindCall {
				calls++
				if m.Call.CallID == placed.CallID && m.Body != "Verpasster Anruf" {
					t.Errorf("timeline line %q", m.Body)
				}
			} else if m.Kind == session.KindUnknown {
				t.Errorf("timeline shows an unknown event (a call event not folded?)")
			}
		}
		if calls != 2 {
			t.Errorf("timeline shows %d call lines, want 2 (the plain room's calls)", calls)
		}
	})

	t.Run("disable_calls", func(t *testing.T) {
		off := newAccount(t, srvA, "off").loginWith(t, func(c *session.Config) { c.DisableCalls = true })
		_, err := off.PlaceCall(ctx(t), rooms[false], session.CallMediaOptions{})
		if !errors.Is(err, session.ErrCallsDisabled) || !errors.Is(err, session.ErrPolicyDenied) {
			t.Fatalf("place with disable_calls: %v", err)
		}
		if err := off.AnswerCall(ctx(t), "nope", session.CallMediaOptions{}); !errors.Is(err, session.ErrUnknownCall) {
			t.Fatalf("answer unknown: %v", err)
		}
	})
}

// waitHistoryCall waits until s's history of the room shows the call with the outcome.
func waitHistoryCall(t *testing.T, s *session.Session, roomID id.RoomID, callID, outcome string) session.TimelineEvent {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last []session.TimelineEvent
	for time.Now().Before(deadline) {
		events, err := s.History(ctx(t), roomID, 100)
		if err != nil {
			t.Fatal(err)
		}
		last = events
		for _, e := range events {
			if e.Call != nil && e.Call.CallID == callID && e.Call.Outcome == outcome {
				return e
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, e := range last {
		if e.Call != nil {
			t.Logf("call line %+v", *e.Call)
		}
	}
	t.Fatalf("%s: no %s call line for %s", s.Account().UserID, outcome, callID)
	return session.TimelineEvent{}
}
