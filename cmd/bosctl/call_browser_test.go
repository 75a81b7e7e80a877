package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jscall"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Tones of the two sides: ours sends oursHz, the browser's fake microphone webHz.
const (
	oursHz = 440
	webHz  = 660
)

// bosctl call and matrix-js-sdk's MatrixCall in headless Chromium call each other across two
// federated Dendrites, inside a network namespace with only lo, in a plain and an encrypted
// room: ours calls the browser and ours hangs up (after --duration), then the browser calls ours
// and the browser hangs up; then ours calls ours, for the setup time in the same run. Each side must connect and detect the other's tone (bosctl:
// --expect-tone and detected_hz; the browser: getStats() energy and the FFT of the played audio),
// and see the other's hangup. The setup times of both directions are logged
// (docs/PERFORMANCE.md).
func TestCallBrowserInterop(t *testing.T) {
	if !netns.Inside() {
		// Outside, the test only waits for its child in the namespace (which runs it alone).
		t.Parallel()
	}
	// Installing needs the network: before entering the namespace (the child finds both ready).
	jscall.Install(t)
	testserver.BinDir(t)
	if !netns.Enter(t) {
		return
	}
	// Pion leaves loopback out of its candidates unless asked; the namespace has nothing else.
	t.Setenv(session.CallLoopbackEnv, "1")
	a, b := testserver.StartFederated(t)
	ours := loggedIn(t, a, "disp")
	unit := loggedIn(t, b, "unit") // ours on B, for the ours<->ours figure of the same run
	b.Register(t, "web", testPassword)
	web := jscall.Start(t, jscall.Options{Homeserver: b.URL, User: "web", Password: testPassword, ToneHz: webHz})

	for _, encrypted := range []bool{false, true} {
		name, flag := "plain", "--plain"
		if encrypted {
			name, flag = "encrypted", "--encrypted"
		}
		t.Run(name, func(t *testing.T) {
			roomID := ours.createRoom("--name", "call "+name, flag, "--invite", web.UserID)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if err := web.WaitInvite(ctx, roomID); err != nil {
				t.Fatal(err)
			}
			if err := web.Join(ctx, roomID, a.ServerName); err != nil {
				t.Fatal(err)
			}
			if err := web.WaitRoom(ctx, roomID, encrypted, ours.id, web.UserID); err != nil {
				t.Fatal(err)
			}
			waitMember(t, ours, roomID, web.UserID)

			t.Run("ours-calls-browser", func(t *testing.T) { oursCallsBrowser(t, ours.in(t), web, roomID) })
			t.Run("browser-calls-ours", func(t *testing.T) { browserCallsOurs(t, ours.in(t), web, roomID) })
			t.Run("ours-calls-ours", func(t *testing.T) { oursCallsOurs(t, ours.in(t), unit.in(t), flag) })
		})
	}
}

// oursCallsBrowser: bosctl call places the call, the browser answers, bosctl hangs up after
// --duration.
func oursCallsBrowser(t *testing.T, ours *user, web *jscall.Peer, roomID string) {
	logPushes(t, web)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	type answered struct {
		callID string
		stats  jscall.Stats
		err    error
	}
	done := make(chan answered, 1)
	go func() {
		var r answered
		defer func() { done <- r }()
		if r.callID, r.err = web.WaitIncomingAndAnswer(ctx); r.err != nil {
			return
		}
		if r.err = web.WaitState(ctx, r.callID, jscall.StateConnected); r.err != nil {
			return
		}
		r.stats, r.err = web.WaitStats(ctx, "our tone", toneHeard(oursHz))
	}()
	got := okCall(t, ours.start("call", roomID, "--tone", itoa(oursHz), "--expect-tone", itoa(webHz), "--duration", "12s", "--json").wait(2*time.Minute))
	w := <-done
	if w.err != nil {
		t.Fatalf("browser: %v", w.err)
	}
	h, err := web.WaitHangup(ctx, w.callID)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if h.Party != "remote" {
		t.Fatalf("browser saw hangup %+v, want one by the remote party", h)
	}
	checkOurs(t, got)
	t.Logf("call setup ours->js: %d ms (ours as caller, invite to connected); browser callee %d ms from the invite seen; browser got %d bytes, energy %.3f, %.1f Hz; ours %d RTP packets, %.1f Hz",
		*got.ConnectedMS, w.stats.ConnectedMS, w.stats.BytesReceived, w.stats.TotalAudioEnergy, w.stats.DominantHz, *got.RTPPacketsIn, *got.DetectedHz)
}

// browserCallsOurs: bosctl call --answer waits, the browser calls and later hangs up.
func browserCallsOurs(t *testing.T, ours *user, web *jscall.Peer, roomID string) {
	logPushes(t, web)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bg := ours.start("call", "--answer", "--tone", itoa(oursHz), "--expect-tone", itoa(webHz), "--timeout", "90s", "--json")
	callID, err := web.PlaceCall(ctx, roomID)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.WaitState(ctx, callID, jscall.StateConnected); err != nil {
		t.Fatalf("browser: %v", err)
	}
	s, err := web.WaitStats(ctx, "our tone", toneHeard(oursHz))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	// Give ours time to detect the browser's tone before the browser hangs up.
	time.Sleep(3 * time.Second)
	if err := web.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	got := okCall(t, bg.wait(time.Minute))
	checkOurs(t, got)
	if *got.HangupReason == "" {
		t.Fatalf("bosctl call --answer reported no hangup reason: %+v", got)
	}
	t.Logf("call setup js->ours: %d ms (browser as caller, invite to connected); ours %d RTP packets, %.1f Hz, hangup %q; browser got %d bytes, energy %.3f, %.1f Hz",
		s.ConnectedMS, *got.RTPPacketsIn, *got.DetectedHz, *got.HangupReason, s.BytesReceived, s.TotalAudioEnergy, s.DominantHz)
}

// oursCallsOurs: the same call between two of our clients (a room of their own, 1:1), for
// the setup time beside ours<->js in the same run; TestCallBosctl tests this pairing.
func oursCallsOurs(t *testing.T, ours, unit *user, flag string) {
	roomID := ours.createRoom("--name", "ours", flag, "--invite", unit.id)
	joinFederated(t, unit, roomID)
	ours.ok("sync", "--once")
	answerer := unit.start("call", "--answer", "--tone", itoa(webHz), "--expect-tone", itoa(oursHz), "--timeout", "90s", "--json")
	got := okCall(t, ours.start("call", roomID, "--tone", itoa(oursHz), "--expect-tone", itoa(webHz), "--duration", "3s", "--json").wait(2*time.Minute))
	ans := okCall(t, answerer.wait(time.Minute))
	checkOurs(t, got)
	t.Logf("call setup ours->ours: %d ms (ours as caller, invite to connected); answerer %d ms from the invite's arrival",
		*got.ConnectedMS, *ans.ConnectedMS)
}

// toneHeard accepts stats with received audio energy and hz as the dominant frequency.
func toneHeard(hz float64) func(jscall.Stats) bool {
	return func(s jscall.Stats) bool {
		return s.BytesReceived > 0 && s.TotalAudioEnergy > 0 && math.Abs(s.DominantHz-hz) < 0.03*hz
	}
}

// okCall requires bosctl call to have succeeded, quietly (pion's own log lines are discarded,
// nothing on stderr), and decodes its JSON (call_test.go).
func okCall(t *testing.T, r result) callJSON {
	t.Helper()
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("want success, got %v", r)
	}
	return parseCall(t, r)
}

// checkOurs checks our side's report: connected, packets in, the browser's tone detected.
func checkOurs(t *testing.T, c callJSON) {
	t.Helper()
	if *c.ConnectedMS <= 0 || *c.RTPPacketsIn == 0 || math.Abs(*c.DetectedHz-webHz) > 0.03*webHz {
		t.Fatalf("bosctl call reported %+v, want connected, RTP packets in and %d Hz detected", c, webHz)
	}
}

// waitMember syncs u until it sees member joined to roomID.
func waitMember(t *testing.T, u *user, roomID, member string) {
	t.Helper()
	eventually.NoError(t, time.Minute, func() error {
		var ms []struct {
			UserID     string `json:"user_id"`
			Membership string `json:"membership"`
		}
		u.ok("sync", "--once")
		r := u.ok("members", roomID, "--json")
		if err := json.Unmarshal([]byte(r.stdout), &ms); err != nil {
			t.Fatalf("members --json: %v", err)
		}
		for _, m := range ms {
			if m.UserID == member && m.Membership == "join" {
				return nil
			}
		}
		return fmt.Errorf("%s does not see %s joined to %s: %s", u.id, member, roomID, r.stdout)
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// in returns u for the subtest t (its helpers fail t, not the parent test).
func (u *user) in(t *testing.T) *user {
	c := *u
	c.t = t
	return &c
}

// logPushes logs the browser's call events, its last stats and its SDPs when t failed.
func logPushes(t *testing.T, web *jscall.Peer) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := web.Stats(ctx)
		t.Logf("browser call events: %+v\nbrowser stats: %+v (%v)", web.Pushes(), s, err)
		local, remote, err := web.SDP(ctx)
		t.Logf("browser local SDP:\n%s\nbrowser remote SDP:\n%s\n(%v)", local, remote, err)
	})
}
