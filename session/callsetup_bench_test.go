package session_test

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jscall"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// BenchmarkCallSetup: call setup time, invite to connected, of our engine with our engine and
// with matrix-js-sdk's MatrixCall in headless Chromium (internal/jscall), in the same run and
// interleaved, so that load hits all alike: b.N rounds of three calls in plain rooms across two
// federated Dendrites, inside a network namespace with only lo (internal/netns). In each round
// disp (ours, server A) calls unit (ours, B), then web (the browser, B), then web calls disp;
// each call connects, the caller's tone is heard by ours, and the caller hangs up. Reported
// medians (ms): ours-ours and ours-js from PlaceCall to connected at our caller; js-ours from
// placeVoiceCall() to connected in the browser; callee-ours and callee-js from the invite's
// arrival to connected at our callee (unit for ours-ours, disp for js-ours).
//
//	go test -tags goolm -run '^$' -bench CallSetup -benchtime 5x ./session
func BenchmarkCallSetup(b *testing.B) {
	jscall.Install(b) // needs the network: before entering the namespace
	testserver.BinDir(b)
	if !netns.EnterBench(b) {
		return
	}
	if probeRun(b) {
		return
	}
	b.Setenv(session.CallLoopbackEnv, "1")
	srvA, srvB := testserver.StartFederated(b)
	disp, unit := newAccount(b, srvA, "disp"), newAccount(b, srvB, "unit")
	sa, sb := disp.login(b), unit.login(b)
	runSyncTB(b, sa)
	runSyncTB(b, sb)
	srvB.Register(b, "web", testPassword)
	web := jscall.Start(b, jscall.Options{Homeserver: srvB.URL, User: "web", Password: testPassword, ToneHz: 660, NoCrypto: true})

	oursRoom := benchRoom(b, sa, sb.Account().UserID)
	waitJoinedTB(b, sb, oursRoom, sb, 2)
	webRoom := benchRoom(b, sa, id.UserID(web.UserID))
	bctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := web.WaitInvite(bctx, string(webRoom)); err != nil {
		b.Fatal(err)
	}
	if err := web.Join(bctx, string(webRoom), srvA.ServerName); err != nil {
		b.Fatal(err)
	}
	if err := web.WaitRoom(bctx, string(webRoom), false, string(sa.Account().UserID), web.UserID); err != nil {
		b.Fatal(err)
	}
	waitJoinedTB(b, sa, webRoom, nil, 2)

	ms := map[string][]float64{}
	add := func(k string, d time.Duration) { ms[k] = append(ms[k], float64(d.Microseconds())/1000) }
	b.ResetTimer()
	for range b.N {
		// ours -> ours
		heard := callmedia.NewToneDetector()
		start := time.Now()
		placed, err := sa.PlaceCall(bctx, oursRoom, session.CallMediaOptions{Source: callmedia.NewTone(440)})
		if err != nil {
			b.Fatal(err)
		}
		in := waitCallTB(b, sb, "ringing", placed.CallID, call.StateRinging)
		if err := sb.AnswerCall(bctx, in.CallID, session.CallMediaOptions{Sink: heard}); err != nil {
			b.Fatal(err)
		}
		caller := waitCallTB(b, sa, "connected", placed.CallID, call.StateConnected)
		callee := waitCallTB(b, sb, "connected", placed.CallID, call.StateConnected)
		add("ours-ours", caller.ConnectedAt.Sub(start))
		add("callee-ours", callee.ConnectedAt.Sub(callee.InviteAt))
		waitHeard(b, heard, 440)
		hangupTB(b, sa, sb, placed.CallID)

		// ours -> js
		answered := make(chan error, 1)
		go func() {
			callID, err := web.WaitIncomingAndAnswer(bctx)
			if err == nil {
				err = web.WaitState(bctx, callID, jscall.StateConnected)
			}
			answered <- err
		}()
		heard = callmedia.NewToneDetector()
		start = time.Now()
		placed, err = sa.PlaceCall(bctx, webRoom, session.CallMediaOptions{Source: callmedia.NewTone(440), Sink: heard})
		if err != nil {
			b.Fatal(err)
		}
		caller = waitCallTB(b, sa, "connected", placed.CallID, call.StateConnected)
		add("ours-js", caller.ConnectedAt.Sub(start))
		if err := <-answered; err != nil {
			b.Fatalf("browser: %v", err)
		}
		waitHeard(b, heard, 660)
		if err := sa.HangupCall(placed.CallID, ""); err != nil {
			b.Fatal(err)
		}
		if _, err := web.WaitHangup(bctx, placed.CallID); err != nil {
			b.Fatalf("browser: %v", err)
		}

		// js -> ours
		heard = callmedia.NewToneDetector()
		callID, err := web.PlaceCall(bctx, string(webRoom))
		if err != nil {
			b.Fatal(err)
		}
		in = waitCallTB(b, sa, "ringing", callID, call.StateRinging)
		if err := sa.AnswerCall(bctx, in.CallID, session.CallMediaOptions{Source: callmedia.NewTone(440), Sink: heard}); err != nil {
			b.Fatal(err)
		}
		callee = waitCallTB(b, sa, "connected", callID, call.StateConnected)
		if err := web.WaitState(bctx, callID, jscall.StateConnected); err != nil {
			b.Fatalf("browser: %v", err)
		}
		st, err := web.Stats(bctx)
		if err != nil {
			b.Fatal(err)
		}
		add("js-ours", time.Duration(st.ConnectedMS)*time.Millisecond)
		add("callee-js", callee.ConnectedAt.Sub(callee.InviteAt))
		waitHeard(b, heard, 660)
		if err := web.Hangup(bctx); err != nil {
			b.Fatal(err)
		}
		waitCallTB(b, sa, "hangup", callID, call.StateEnded)
	}
	b.StopTimer()
	for k, v := range ms {
		slices.Sort(v)
		b.ReportMetric(v[len(v)/2], "ms-"+k)
		b.Logf("%s: %v ms", k, v)
	}
}

// runSyncTB runs the session's sync loop until the benchmark ends.
func runSyncTB(b *testing.B, s *session.Session) {
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(rctx, 2*time.Second, nil) }()
	b.Cleanup(func() { cancel(); <-done })
}

// benchRoom creates a plain room of s with invitee.
func benchRoom(b *testing.B, s *session.Session, invitee id.UserID) id.RoomID {
	b.Helper()
	roomID, err := s.CreateRoom(ctx(b), session.CreateRoomOptions{Name: "Anruf", Invite: []id.UserID{invitee}})
	if err != nil {
		b.Fatal(err)
	}
	return roomID
}

// waitJoinedTB has joiner (when not nil) join roomID, then waits until s sees n joined members.
func waitJoinedTB(b *testing.B, s *session.Session, roomID id.RoomID, joiner *session.Session, n int) {
	b.Helper()
	if joiner != nil {
		eventually.NoError(b, time.Minute, func() error {
			_, err := joiner.Join(ctx(b), roomID.String())
			return err
		})
	}
	eventually.True(b, time.Minute, fmt.Sprintf("%d members in %s", n, roomID), func() bool {
		r, err := s.Room(ctx(b), roomID)
		return err == nil && r.JoinedCount >= n
	})
}

// waitCallTB waits until s's call callID is in state and returns it.
func waitCallTB(b *testing.B, s *session.Session, what, callID string, state call.State) session.CallInfo {
	b.Helper()
	var got session.CallInfo
	eventually.True(b, time.Minute, what+" "+callID, func() bool {
		c, err := s.Call(callID)
		got = c
		return err == nil && c.State == state
	})
	return got
}

// waitHeard waits until d hears hz.
func waitHeard(b *testing.B, d *callmedia.ToneDetector, hz float64) {
	b.Helper()
	eventually.True(b, 30*time.Second, fmt.Sprintf("a tone of %.0f Hz", hz), func() bool {
		got := d.DominantHz()
		return got > hz-15 && got < hz+15
	})
}

// hangupTB hangs up callID at from and waits until both sides ended it.
func hangupTB(b *testing.B, from, to *session.Session, callID string) {
	b.Helper()
	if err := from.HangupCall(callID, ""); err != nil {
		b.Fatal(err)
	}
	waitCallTB(b, to, "hangup", callID, call.StateEnded)
}

// probeRun tells the b.N = 1 run that testing makes before the run of -benchtime Nx (N > 1): a
// benchmark that starts servers and a browser returns from it at once instead of doing it all
// twice.
func probeRun(b *testing.B) bool {
	f := flag.Lookup("test.benchtime")
	if b.N != 1 || f == nil {
		return false
	}
	v := f.Value.String()
	n, err := strconv.Atoi(strings.TrimSuffix(v, "x"))
	return strings.HasSuffix(v, "x") && err == nil && n > 1
}
