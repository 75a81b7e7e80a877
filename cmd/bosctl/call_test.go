package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// callJSON is what bosctl call --json prints.
type callJSON struct {
	ConnectedMS  *int64   `json:"connected_ms"`
	RTPPacketsIn *uint64  `json:"rtp_packets_in"`
	DetectedHz   *float64 `json:"detected_hz"`
	HangupReason *string  `json:"hangup_reason"`
}

var callEnv = runOpts{env: []string{session.CallLoopbackEnv + "=1"}}

func parseCall(t *testing.T, r result) callJSON {
	t.Helper()
	var c callJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || c.ConnectedMS == nil || c.RTPPacketsIn == nil ||
		c.DetectedHz == nil || c.HangupReason == nil {
		t.Fatalf("call --json output %q: %v (all four fields wanted)", r.stdout, err)
	}
	return c
}

func checkCall(t *testing.T, who string, c callJSON, hz float64, reason string) {
	t.Helper()
	if *c.ConnectedMS < 0 || *c.RTPPacketsIn == 0 || math.Abs(*c.DetectedHz-hz) > 15 || *c.HangupReason != reason {
		t.Fatalf("%s: connected_ms %d, rtp_packets_in %d, detected_hz %.1f, hangup_reason %q; want %.0f Hz, %s",
			who, *c.ConnectedMS, *c.RTPPacketsIn, *c.DetectedHz, *c.HangupReason, hz, reason)
	}
}

// joinFederated joins a room of the other server (the invite may take a moment to arrive).
func joinFederated(t *testing.T, u *user, roomID string) {
	t.Helper()
	eventually.NoError(t, 60*time.Second, func() error {
		r := u.run("join", roomID)
		if r.code == 0 {
			return nil
		}
		u.run("sync", "--once")
		return fmt.Errorf("join %s: %v", roomID, r)
	})
}

// TestCallBosctl: two bosctl processes on two federated Dendrites call each other, in a plain
// room (the caller hangs up after --duration) and an encrypted one (the answerer hangs up):
// both connect, hear the other's tone and report the hangup; an expected tone that does not come
// fails with exit 1; history shows the call line. The federated pair is the package's shared one (fresh users).
func TestCallBosctl(t *testing.T) {
	t.Parallel()
	srvA, srvB := testserver.SharedFederated(t)
	disp, unit := newUser(t, srvA, "disp"), newUser(t, srvB, "unit")
	disp.login(t)
	unit.login(t)
	for _, enc := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "encrypted"}[enc]
		t.Run(name, func(t *testing.T) {
			args := []string{"--name", "Anruf " + name, "--invite", unit.id}
			if !enc {
				args = append(args, "--plain")
			}
			roomID := disp.createRoom(args...)
			joinFederated(t, unit, roomID)
			disp.ok("sync", "--once")
			answerArgs := []string{"--data", unit.dir, "call", "--answer", "--tone", "880", "--expect-tone", "440", "--timeout", "90s", "--json"}
			callArgs := []string{"--data", disp.dir, "call", roomID, "--tone", "440", "--expect-tone", "880", "--json"}
			if enc {
				answerArgs = append(answerArgs, "--duration", "3s")
				callArgs = append(callArgs, "--duration", "90s")
			} else {
				callArgs = append(callArgs, "--duration", "3s")
			}
			answerer := startBG(t, callEnv, answerArgs...)
			caller := mustOK(t, bosctl(t, callEnv, callArgs...))
			ans := answerer.wait(60 * time.Second)
			mustOK(t, ans)
			c, a := parseCall(t, caller), parseCall(t, ans)
			checkCall(t, "caller", c, 880, "user_hangup")
			checkCall(t, "answerer", a, 440, "user_hangup")
			t.Logf("%s: call setup (placing to connected) %d ms; answerer: invite to connected %d ms", name, *c.ConnectedMS, *a.ConnectedMS)
			hist := disp.ok("history", roomID, "--limit", "50")
			if !strings.Contains(hist.stdout, "[call] Anruf, 0:0") {
				t.Errorf("history has no call line:\n%s", hist.stdout)
			}
		})
	}
	t.Run("disable_calls", func(t *testing.T) {
		policy := filepath.Join(t.TempDir(), "policy.json")
		if err := os.WriteFile(policy, []byte(`{"managed": {"disable_calls": true}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		off := runOpts{env: []string{"BOSMESSENGER_POLICY=" + policy}}
		mustFail(t, bosctl(t, off, "--data", disp.dir, "call", "!nirgends:127.0.0.1"), 1, "disable_calls")
		mustFail(t, bosctl(t, off, "--data", unit.dir, "call", "--answer", "--timeout", "1s"), 1, "disable_calls")
	})
	t.Run("wrong tone", func(t *testing.T) {
		roomID := disp.createRoom("--name", "Ton", "--plain", "--invite", unit.id)
		joinFederated(t, unit, roomID)
		disp.ok("sync", "--once")
		answerer := startBG(t, callEnv, "--data", unit.dir, "call", "--answer", "--tone", "880", "--timeout", "90s")
		r := bosctl(t, callEnv, "--data", disp.dir, "call", roomID, "--tone", "440", "--expect-tone", "1200", "--duration", "2s")
		if r.code != 1 || !strings.Contains(r.stderr, "expected a tone of 1200 Hz") {
			t.Fatalf("want exit 1 for the missing tone, got %v", r)
		}
		mustOK(t, answerer.wait(60*time.Second))
	})
}
