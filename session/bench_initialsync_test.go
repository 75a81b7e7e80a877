//go:build linux

package session_test

// BenchmarkInitialSync200x50: the initial sync of an account with 200 rooms x 50 messages against
// a real Dendrite (seeded once and cached, see seed_test.go). Linux only: peak RSS comes from
// getrusage's ru_maxrss, which Linux reports in KiB.
//
//	go test -tags goolm -run '^$' -bench 'InitialSync200x50' -benchtime 3x -timeout 60m ./session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"

	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

const benchPassphrase = "benchmark store passphrase"

func BenchmarkInitialSync200x50(b *testing.B) {
	seed := startSeededServer(b)
	bosctl := buildBosctl(b)
	// The headless client as a real process: ns/op is the wall time of `bosctl sync --once`.
	b.Run("bosctl", func(b *testing.B) { benchBosctlInitialSync(b, seed, bosctl) })
	// The engine in this process: ns/op is session.Login + SyncOnce.
	b.Run("engine", func(b *testing.B) { benchEngineInitialSync(b, seed) })
	// The server alone: one raw /sync request with the engine's filter, body read, nothing stored;
	// and with timeline limit 20 (the matrix-js-sdk reference in the homeserver notes used 20).
	b.Run("server", func(b *testing.B) { benchServerInitialSync(b, seed, 0) })
	b.Run("server-limit20", func(b *testing.B) { benchServerInitialSync(b, seed, 20) })
}

// buildBosctl builds cmd/bosctl (with -tags goolm) into a temp dir and returns its path.
func buildBosctl(b *testing.B) string {
	b.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		b.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		b.Fatal("go env GOMOD: not inside the module")
	}
	bin := filepath.Join(b.TempDir(), "bosctl")
	cmd := exec.Command("go", "build", "-tags", "goolm", "-o", bin, "./cmd/bosctl")
	cmd.Dir = filepath.Dir(gomod)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build bosctl: %v\n%s", err, out)
	}
	seedLogf(b, "built bosctl in %.1f s", time.Since(start).Seconds())
	return bin
}

// procResult is one finished bosctl process.
type procResult struct {
	stdout []byte
	wall   time.Duration
	maxRSS float64 // MB (ru_maxrss)
}

// runBosctl runs bin with args and the account's secrets in the environment; the caller controls
// the benchmark timer around it.
func runBosctl(b *testing.B, bin string, args ...string) procResult {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "BOSCTL_PASSWORD="+seedPassword, storekey.EnvPassphrase+"="+benchPassphrase)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("bosctl %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no rusage for the bosctl process")
	}
	return procResult{stdout: stdout.Bytes(), wall: wall, maxRSS: float64(ru.Maxrss) / 1024}
}

func benchBosctlInitialSync(b *testing.B, seed *seededServer, bin string) {
	var (
		syncs, logins, opens []time.Duration
		peakRSS, openRSS     float64
		events               int
	)
	for b.Loop() {
		b.StopTimer()
		dir, err := os.MkdirTemp(b.TempDir(), "acct")
		if err != nil {
			b.Fatal(err)
		}
		login := runBosctl(b, bin, "login", "--data", dir, "--homeserver", seed.URL, "--user", seed.User)
		logins = append(logins, login.wall)

		b.StartTimer()
		sync := runBosctl(b, bin, "sync", "--once", "--full", "--data", dir) // both phases: all 10 000 events
		b.StopTimer()

		syncs = append(syncs, sync.wall)
		peakRSS = max(peakRSS, sync.maxRSS)
		var nRooms, nEvents int
		if _, err := fmt.Sscanf(string(sync.stdout), "synced: %d rooms, %d events", &nRooms, &nEvents); err != nil {
			b.Fatalf("unexpected sync output %q: %v", sync.stdout, err)
		}
		if nEvents < seedRooms*seedMessages {
			b.Fatalf("initial sync stored %d timeline events, want at least %d", nEvents, seedRooms*seedMessages)
		}
		events = nEvents
		checkRoomList(b, runBosctl(b, bin, "rooms", "--json", "--data", dir).stdout)
		// Fixed cost of every bosctl command: process start, store unlock (Argon2id), open.
		open := runBosctl(b, bin, "whoami", "--data", dir)
		opens = append(opens, open.wall)
		openRSS = max(openRSS, open.maxRSS)
		runBosctl(b, bin, "logout", "--data", dir) // keeps the cached server's device list short
		_ = os.RemoveAll(dir)
		b.Logf("bosctl: login %v, sync --once %v (peak RSS %.1f MB, %d rooms, %d events), whoami %v (%.1f MB)",
			login.wall.Round(time.Millisecond), sync.wall.Round(time.Millisecond), sync.maxRSS, nRooms, nEvents,
			open.wall.Round(time.Millisecond), open.maxRSS)
		b.StartTimer()
	}
	b.ReportMetric(peakRSS, "peak-RSS-MB")
	b.ReportMetric(seedRooms, "rooms")
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(ms(median(syncs)), "median-sync-ms")
	b.ReportMetric(ms(mean(logins)), "login-ms")
	b.ReportMetric(ms(mean(opens)), "whoami-ms")
	b.ReportMetric(openRSS, "whoami-peak-RSS-MB")
}

// checkRoomList fails unless `bosctl rooms --json` lists exactly the seeded rooms.
func checkRoomList(b *testing.B, out []byte) {
	b.Helper()
	var rooms []session.RoomSummary
	if err := json.Unmarshal(out, &rooms); err != nil {
		b.Fatalf("bosctl rooms --json: %v", err)
	}
	checkRooms(b, rooms)
}

func checkRooms(b *testing.B, rooms []session.RoomSummary) {
	b.Helper()
	if len(rooms) != seedRooms {
		b.Fatalf("the initial sync is incomplete: %d rooms, want %d", len(rooms), seedRooms)
	}
	names := make([]string, 0, len(rooms))
	for _, r := range rooms {
		if r.Membership != "join" {
			b.Fatalf("room %s (%q): membership %q", r.ID, r.Name, r.Membership)
		}
		names = append(names, r.Name)
	}
	slices.Sort(names)
	for i, n := range names {
		if want := fmt.Sprintf("Raum %03d", i+1); n != want {
			b.Fatalf("room names: found %q where %q belongs", n, want)
		}
	}
}

func benchEngineInitialSync(b *testing.B, seed *seededServer) {
	var logins, syncs []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		dir, err := os.MkdirTemp(b.TempDir(), "acct")
		if err != nil {
			b.Fatal(err)
		}
		// Default Argon2id parameters, as a real login creates the store key.
		cfg := session.Config{DataDir: dir, Passphrase: benchPassphrase, Log: zerolog.Nop()}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)

		b.StartTimer()
		start := time.Now()
		s, err := session.Login(ctx, cfg, seed.URL, seed.User, seed.Password)
		if err != nil {
			b.Fatalf("login: %v", err)
		}
		loggedIn := time.Now()
		st, err := s.SyncOnce(ctx, 0)
		if err == nil { // phase 2 too: the benchmark counts every stored event
			var n int
			n, err = s.BackfillInitial(ctx)
			st.Events += n
		}
		done := time.Now()
		b.StopTimer()

		if err != nil {
			b.Fatalf("initial sync: %v", err)
		}
		logins, syncs = append(logins, loggedIn.Sub(start)), append(syncs, done.Sub(loggedIn))
		if !st.Initial || st.Rooms != seedRooms || st.Events < seedRooms*seedMessages {
			b.Fatalf("initial sync incomplete: %+v", st)
		}
		rooms, err := s.Rooms(ctx)
		if err != nil {
			b.Fatal(err)
		}
		checkRooms(b, rooms)
		if err := s.Logout(ctx); err != nil {
			b.Fatalf("logout: %v", err)
		}
		cancel()
		_ = os.RemoveAll(dir)
		b.Logf("engine: login %v, SyncOnce %v (%d rooms, %d events)", loggedIn.Sub(start).Round(time.Millisecond),
			done.Sub(loggedIn).Round(time.Millisecond), st.Rooms, st.Events)
		b.StartTimer()
	}
	b.ReportMetric(ms(mean(logins)), "login-ms")
	b.ReportMetric(ms(mean(syncs)), "sync-ms")
	b.ReportMetric(ms(median(syncs)), "median-sync-ms")
}

// benchServerInitialSync times the server's answer to an initial /sync with the engine's filter,
// its timeline limit replaced by timelineLimit unless that is 0.
func benchServerInitialSync(b *testing.B, seed *seededServer, timelineLimit int) {
	filterJSON := []byte(session.SyncFilterForBench)
	if timelineLimit > 0 {
		var f map[string]any
		if err := json.Unmarshal(filterJSON, &f); err != nil {
			b.Fatal(err)
		}
		room, _ := f["room"].(map[string]any)
		tl, _ := room["timeline"].(map[string]any)
		if tl == nil {
			b.Fatalf("no room.timeline in the engine's filter %s", filterJSON)
		}
		tl["limit"] = timelineLimit
		filterJSON, _ = json.Marshal(f)
	}
	var size int
	for b.Loop() {
		b.StopTimer()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cli, err := seedClient(ctx, seed.URL, seed.User, seed.Password)
		if err != nil {
			b.Fatal(err)
		}
		cli.DefaultHTTPRetries = 0
		var filter mautrix.RespCreateFilter
		_, err = cli.MakeRequest(ctx, http.MethodPost, cli.BuildClientURL("v3", "user", cli.UserID, "filter"),
			json.RawMessage(filterJSON), &filter)
		if err != nil {
			b.Fatalf("upload filter: %v", err)
		}
		url := cli.BuildURLWithQuery(mautrix.ClientURLPath{"v3", "sync"}, map[string]string{"filter": filter.FilterID, "timeout": "0"})
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+cli.AccessToken)

		b.StartTimer()
		resp, err := cli.Client.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		b.StopTimer()

		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("sync: %v (%v)", err, resp)
		}
		var parsed struct {
			Rooms struct {
				Join map[string]json.RawMessage `json:"join"`
			} `json:"rooms"`
		}
		if err := json.Unmarshal(body, &parsed); err != nil || len(parsed.Rooms.Join) != seedRooms {
			b.Fatalf("sync response: %d joined rooms, want %d (%v)", len(parsed.Rooms.Join), seedRooms, err)
		}
		size = len(body)
		if _, err := cli.Logout(ctx); err != nil {
			b.Fatalf("logout: %v", err)
		}
		cancel()
		b.StartTimer()
	}
	b.ReportMetric(float64(size)/(1<<20), "response-MiB")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
