package main

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/livekittest"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
)

// groupJSON is what bosctl call --group --json prints.
type groupJSON struct {
	callJSON
	Participants *[]struct {
		UserID       string  `json:"user_id"`
		DeviceID     string  `json:"device_id"`
		Identity     string  `json:"identity"`
		RTPPacketsIn uint64  `json:"rtp_packets_in"`
		DetectedHz   float64 `json:"detected_hz"`
	} `json:"participants"`
}

func parseGroupCall(t *testing.T, r result) groupJSON {
	t.Helper()
	var g groupJSON
	if err := json.Unmarshal([]byte(r.stdout), &g); err != nil || g.ConnectedMS == nil || g.RTPPacketsIn == nil ||
		g.DetectedHz == nil || g.HangupReason == nil || g.Participants == nil {
		t.Fatalf("call --group --json output %q: %v (connected_ms, rtp_packets_in, detected_hz, hangup_reason, participants wanted)", r.stdout, err)
	}
	return g
}

// TestGroupCallBosctl: three bosctl processes join one MatrixRTC group call (Dendrite,
// livekit-server --dev and the test JWT service, inside a network namespace), each sending its
// own tone and expecting the next one's: all exit 0, and their --json names the two others by
// user and device, with packets in and each one's tone. A fourth, expecting a tone nobody sends,
// exits 1 and says so.
func TestGroupCallBosctl(t *testing.T) {
	if !netns.Inside() {
		t.Parallel()
	}
	testserver.BinDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	_, err := livekittest.Binary(ctx)
	cancel()
	if err != nil {
		t.Fatalf("livekit-server: %v", err)
	}
	if !netns.Enter(t) {
		return
	}
	livekittest.AddClientInterface(t)
	srv := testserver.Start(t, testserver.Options{Federation: true})
	focus := livekittest.Start(t, livekittest.Options{Homeservers: map[string]string{srv.ServerName: srv.FederationURL}})

	users := []*user{loggedIn(t, srv, "grpa"), loggedIn(t, srv, "grpb"), loggedIn(t, srv, "grpc")}
	// Everyone may publish a call membership (org.matrix.msc3401.call.member at power 0), as
	// Element Call sets up its rooms.
	token := matrixLogin(t, srv, users[0].local)
	var created struct {
		RoomID string `json:"room_id"`
	}
	matrixCall(t, http.MethodPost, srv.URL+"/_matrix/client/v3/createRoom", token, map[string]any{
		"name": "Gruppenanruf", "preset": "private_chat", "invite": []string{users[1].id, users[2].id},
		"power_level_content_override": map[string]any{"events": map[string]int{"org.matrix.msc3401.call.member": 0}},
	}, &created)
	roomID := created.RoomID
	for _, u := range users[1:] {
		matrixCall(t, http.MethodPost, srv.URL+"/_matrix/client/v3/join/"+url.PathEscape(roomID),
			matrixLogin(t, srv, u.local), map[string]any{}, nil)
	}

	t.Run("three", func(t *testing.T) {
		tones := []string{"440", "660", "880"}
		procs := make([]*bg, len(users))
		for i, u := range users {
			procs[i] = startBG(t, runOpts{}, "--data", u.dir, "call", roomID, "--group", "--tone", tones[i],
				"--expect-tone", tones[(i+1)%3], "--duration", "40s", "--well-known", focus.WellKnownURL, "--json")
		}
		for i, p := range procs {
			r := mustOK(t, p.wait(cmdTimeout))
			g := parseGroupCall(t, r)
			want := map[string]float64{users[(i+1)%3].id: hz(tones[(i+1)%3]), users[(i+2)%3].id: hz(tones[(i+2)%3])}
			if *g.ConnectedMS < 0 || *g.RTPPacketsIn == 0 || math.Abs(*g.DetectedHz-want[users[(i+1)%3].id]) > 15 ||
				*g.HangupReason != "user_hangup" || len(*g.Participants) != 2 {
				t.Fatalf("%s: %s", users[i].local, r.stdout)
			}
			for _, p := range *g.Participants {
				w, ok := want[p.UserID]
				if !ok || p.DeviceID == "" || p.RTPPacketsIn == 0 || math.Abs(p.DetectedHz-w) > 15 {
					t.Fatalf("%s: participant %+v, want one of %v with its tone: %s", users[i].local, p, want, r.stdout)
				}
			}
			t.Logf("%s: connected after %d ms, %d RTP packets in", users[i].local, *g.ConnectedMS, *g.RTPPacketsIn)
		}
	})

	t.Run("wrong tone", func(t *testing.T) {
		other := startBG(t, runOpts{}, "--data", users[1].dir, "call", roomID, "--group", "--tone", "660",
			"--duration", "20s", "--well-known", focus.WellKnownURL)
		r := bosctl(t, runOpts{}, "--data", users[0].dir, "call", roomID, "--group", "--tone", "440",
			"--expect-tone", "1200", "--duration", "15s", "--well-known", focus.WellKnownURL, "--json")
		if r.code != 1 || !strings.Contains(r.stderr, "expected a tone of 1200 Hz") {
			t.Fatalf("want exit 1 for the missing tone, got %v", r)
		}
		g := parseGroupCall(t, r)
		if *g.ConnectedMS < 0 || len(*g.Participants) != 1 || math.Abs((*g.Participants)[0].DetectedHz-660) > 15 {
			t.Fatalf("the failed call still reports what it heard: %s", r.stdout)
		}
		mustOK(t, other.wait(cmdTimeout))
	})
}

func hz(s string) float64 {
	var f float64
	_ = json.Unmarshal([]byte(s), &f)
	return f
}
