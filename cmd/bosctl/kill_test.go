package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/faultproxy"
	"bosmessenger/session"
	"bosmessenger/store"
	"bosmessenger/store/seal"
	"bosmessenger/store/storekey"
)

// killRun is one bosctl send that was SIGKILLed.
type killRun struct {
	marker   string
	targeted bool          // killed right after its PUT reached the homeserver, not after a random delay
	after    time.Duration // from the start of the process to the kill
	printed  string        // event ID printed before the process died ("" if none)
	exited   bool          // the process finished by itself before the kill
	queued   string        // state of its send-queue entry right after the kill ("" if never queued)
}

// Stages a killed send can have reached.
const (
	stageBeforeQueue = "killed before queueing"
	stageQueued      = "queued, not confirmed"
	stageConfirmed   = "confirmed (event ID printed)"
)

func (k killRun) stage() string {
	switch {
	case k.printed != "":
		return stageConfirmed
	case k.queued != "":
		return stageQueued
	}
	return stageBeforeQueue
}

// TestSendExactlyOnceUnderKill starts bosctl send as real processes and SIGKILLs them: first after
// random delays, then (to be sure to hit the window between queueing and confirmation) right after
// the send request reached the homeserver. Whatever was queued before the kill must reach the room
// exactly once (later sends and sync --once resume the queue); what was not queued must not appear.
func TestSendExactlyOnceUnderKill(t *testing.T) {
	t.Parallel()
	killCampaign(t, false)
}

// TestSendExactlyOnceUnderKillEncrypted is the kill campaign in an end-to-end encrypted room, every
// other run sending a file (bosctl send-file): each message and attachment that was queued arrives
// exactly once, every event decrypts at B, and each attachment downloads (decrypted) unchanged.
func TestSendExactlyOnceUnderKillEncrypted(t *testing.T) {
	t.Parallel()
	killCampaign(t, true)
}

// killCampaign runs the kill campaign (see TestSendExactlyOnceUnderKill) in a plain room or, with
// encrypted, in an encrypted room where every other run sends a file.
func killCampaign(t *testing.T, encrypted bool) {
	srv := sharedServer(t)
	// A talks to the homeserver through a pass-through proxy, which tells when a send request arrives.
	proxy := faultproxy.New(t, srv.URL)
	prefix := "kill"
	if encrypted {
		prefix = "killE"
	}
	a, b := newUser(t, srv, prefix+"A"), loggedIn(t, srv, prefix+"B")
	a.loginTo(t, proxy.URL)
	var roomID string
	if encrypted {
		roomID = a.createRoom("--name", "Encrypted Kill Room", "--invite", b.id)
		if got := oneID(t, b.ok("join", roomID), roomIDRe); got != roomID {
			t.Fatalf("join printed %s, want %s", got, roomID)
		}
		a.ok("sync", "--once") // A knows that B joined before the first room key goes out
	} else {
		roomID = sharedRoom(t, a, b, "Kill Room")
	}
	files := map[string][]byte{} // attachment runs: marker (the file name) -> content
	fileDir := t.TempDir()

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BOSCTL_KILL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BOSCTL_KILL_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("kill test seed %d (rerun with BOSCTL_KILL_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x6b696c6c))

	// Calibrate: random delays spread over 0-600 ms, or longer if a send takes longer here.
	var sends []time.Duration
	for i := range 3 {
		r := a.ok("send", roomID, fmt.Sprintf("calibration %d", i))
		oneID(t, r, eventIDRe)
		sends = append(sends, r.dur)
	}
	tSend := median(sends)
	spread := max(600*time.Millisecond, tSend*6/5)
	t.Logf("calibration: a send takes %v; random kill delays spread over 0-%v", tSend, spread)

	// The store key, to look into A's send queue after each kill without paying Argon2id each time.
	key, err := storekey.Unlock(a.dir, storekey.Options{Passphrase: testPassphrase})
	if err != nil {
		t.Fatalf("unlock A's store: %v", err)
	}
	queueOf := func() map[string]string {
		t.Helper()
		return queueStates(t, a.dir, key, roomID)
	}

	randomRuns, minTargeted, maxTargeted, wantQueued := 30, 5, 25, 3
	if encrypted {
		randomRuns, maxTargeted = 20, 15
	}
	var runs []killRun
	queuedHits, targeted := 0, 0
	for i := 0; ; i++ {
		k := killRun{marker: fmt.Sprintf("kill-%d-%d", seed%100000, i), targeted: i >= randomRuns}
		var trigger func(done <-chan struct{}) bool
		if !k.targeted {
			delay := time.Duration(rng.Int64N(int64(spread)))
			trigger = func(done <-chan struct{}) bool {
				select {
				case <-time.After(delay):
					return true
				case <-done:
					return false
				}
			}
		} else {
			if targeted >= maxTargeted || (targeted >= minTargeted && queuedHits >= wantQueued) {
				break
			}
			targeted++
			seen, extra := proxy.Count("/send/"), time.Duration(rng.Int64N(int64(40*time.Millisecond)))
			trigger = func(done <-chan struct{}) bool {
				for proxy.Count("/send/") == seen {
					select {
					case <-time.After(time.Millisecond):
					case <-done:
						return false
					}
				}
				select {
				case <-time.After(extra):
					return true
				case <-done:
					return false
				}
			}
		}
		args := []string{"send", roomID, k.marker}
		if encrypted && i%2 == 1 {
			path := filepath.Join(fileDir, k.marker) // the message's body is the file name
			content := []byte(fmt.Sprintf("attachment %s %x", k.marker, rng.Uint64()))
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			files[k.marker] = content
			args = []string{"send-file", roomID, path}
		}
		k.printed, k.exited, k.after = killedSend(t, a.dir, k.marker, trigger, args...)
		k.queued = queueOf()[k.marker]
		if k.stage() == stageQueued {
			queuedHits++
		}
		runs = append(runs, k)
	}

	// Resume: A's sync --once sends what is still queued. Further ones bring the echoes back and
	// must not send anything more, nor change A's history.
	a.ok("sync", "--once")
	if q := pending(queueOf()); len(q) > 0 {
		t.Fatalf("A's queue after sync --once still holds %v", q)
	}
	sendsBefore := proxy.Count("/send/")
	a.ok("sync", "--once")
	limit := 200 + len(runs)
	aHist := a.history(roomID, limit)
	a.ok("sync", "--once")
	aHist2 := a.history(roomID, limit)
	if len(aHist2) != len(aHist) {
		t.Fatalf("a further sync --once changed A's history from %d to %d events", len(aHist), len(aHist2))
	}
	if n := proxy.Count("/send/") - sendsBefore; n != 0 {
		t.Errorf("the sync --once after the flush made %d send requests", n)
	}

	b.ok("sync", "--once")
	bHist := b.history(roomID, limit)
	aCount, aIDs := markerCounts(aHist)
	bCount, bIDs := markerCounts(bHist)

	// Per mode (random delay, targeted) and stage: how many runs, and how many arrived at B.
	counts, delivered := map[string]int{}, map[string]int{}
	for _, k := range runs {
		st := k.stage()
		mode := "random"
		if k.targeted {
			mode = "targeted"
		}
		counts[mode+"/"+st]++
		n := bCount[k.marker]
		if n > 0 {
			delivered[mode+"/"+st]++
			delivered[st]++
		}
		switch {
		case n > 1:
			t.Errorf("%s (%v, %s) arrived %d times at B", k.marker, k.after, st, n)
		case aCount[k.marker] != n:
			t.Errorf("%s (%v, %s): A's history has it %d times, B's %d times", k.marker, k.after, st, aCount[k.marker], n)
		case st == stageBeforeQueue && n != 0:
			t.Errorf("%s (%v) was never queued but arrived", k.marker, k.after)
		case st != stageBeforeQueue && n != 1:
			t.Errorf("%s (%v, %s, queue state %q) never arrived", k.marker, k.after, st, k.queued)
		case k.printed != "" && bIDs[k.marker] != k.printed:
			t.Errorf("%s: bosctl printed %s, B got %s", k.marker, k.printed, bIDs[k.marker])
		case aIDs[k.marker] != bIDs[k.marker]:
			t.Errorf("%s: A has %s, B has %s", k.marker, aIDs[k.marker], bIDs[k.marker])
		}
	}
	for _, ev := range bHist {
		if encrypted && (ev.Type == "m.room.message" || ev.Type == "m.room.encrypted") && (!ev.Encrypted || !ev.Decrypted) {
			t.Errorf("B's %s (%s) is not an encrypted and decrypted event: encrypted %v, decrypted %v", ev.EventID, ev.Type,
				ev.Encrypted, ev.Decrypted)
		}
	}
	downloaded := 0
	for marker, want := range files {
		if bCount[marker] != 1 {
			continue
		}
		out := filepath.Join(t.TempDir(), "download")
		b.ok("download", bIDs[marker], "--out", out)
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("attachment %s downloaded by B as %q, sent %q", marker, got, want)
		}
		downloaded++
	}
	if encrypted {
		t.Logf("%d of %d attachment runs delivered and downloaded unchanged", downloaded, len(files))
		if downloaded == 0 {
			t.Error("no attachment was delivered")
		}
	}
	for m := range bCount {
		if !slices.ContainsFunc(runs, func(k killRun) bool { return k.marker == m }) {
			t.Errorf("B got unexpected marker %s", m)
		}
	}
	for m := range aCount {
		if bCount[m] == 0 {
			t.Errorf("A's history has %s, B's does not", m)
		}
	}

	// The engine sees an empty queue: nothing queued, failed, or sent-but-never-seen.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := session.Open(ctx, session.Config{DataDir: a.dir, Passphrase: testPassphrase, Log: zerolog.Nop()})
	if err != nil {
		t.Fatalf("open A: %v", err)
	}
	queue, err := s.Queue(ctx)
	s.Close()
	if err != nil {
		t.Fatalf("A's send queue: %v", err)
	}
	for _, e := range queue {
		if e.RoomID == id.RoomID(roomID) {
			t.Errorf("left in A's send queue: %s %s (%s)", e.ID, e.State, e.Preview)
		}
	}

	for _, mode := range []string{"random", "targeted"} {
		exited := 0
		for _, k := range runs {
			if k.exited && k.targeted == (mode == "targeted") {
				exited++
			}
		}
		t.Logf("%s kills: %d %s; %d %s, %d of them delivered; %d %s (%d finished before the kill)", mode,
			counts[mode+"/"+stageBeforeQueue], stageBeforeQueue, counts[mode+"/"+stageQueued], stageQueued,
			delivered[mode+"/"+stageQueued], counts[mode+"/"+stageConfirmed], stageConfirmed, exited)
	}
	if delivered[stageQueued] == 0 {
		t.Errorf("no send killed before printing its event ID was delivered in %d runs (seed %d)", len(runs), seed)
	}
}

// killedSend runs bosctl with args (send or send-file; text names the run) and SIGKILLs it when
// trigger says so (trigger gets a channel that is closed when the process ended by itself). It
// returns the event ID the process printed (if any), whether it ended by itself first, and when it
// was killed.
func killedSend(t *testing.T, dir, text string, trigger func(done <-chan struct{}) bool, args ...string) (printed string, exited bool, after time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := bosctlCmd(ctx, runOpts{}, append([]string{"--data", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start bosctl send: %v", err)
	}
	done, killed := make(chan struct{}), make(chan time.Duration, 1)
	go func() {
		if trigger(done) {
			killed <- time.Since(start)
			_ = cmd.Process.Signal(syscall.SIGKILL)
		}
		close(killed)
	}()
	err := cmd.Wait()
	close(done)
	after = <-killed
	var ee *exec.ExitError
	switch {
	case err == nil:
		exited = true
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("bosctl send %s failed by itself: %v, stderr %q", text, err, stderr.String())
		}
	default:
		t.Fatalf("bosctl send %s: %v", text, err)
	}
	if line, _, _ := strings.Cut(stdout.String(), "\n"); eventIDRe.MatchString(line) {
		printed = line
	} else if exited {
		t.Fatalf("bosctl send %s exited 0 without an event ID: %q", text, stdout.String())
	}
	return printed, exited, after
}

// queueStates opens A's store directly (no bosctl runs meanwhile) and maps the bodies of the room's
// send-queue entries to their states. Opening it also checks that the store survived the kill.
func queueStates(t *testing.T, dir string, key []byte, roomID string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sealer, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "bos.db"), sealer)
	if err != nil {
		t.Fatalf("open A's store after a kill: %v", err)
	}
	defer db.Close()
	var out []*store.Outgoing
	err = db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.OutgoingInRoom(roomID)
		return err
	})
	if err != nil {
		t.Fatalf("read A's send queue: %v", err)
	}
	states := map[string]string{}
	for _, o := range out {
		states[bodyOf(o.Content)] = o.State
	}
	return states
}

// pending keeps the entries that still wait to be sent (or failed).
func pending(states map[string]string) []string {
	var out []string
	for body, st := range states {
		if st != store.SendSent {
			out = append(out, body+"="+st)
		}
	}
	return out
}

func bodyOf(content json.RawMessage) string {
	var c struct {
		Body string `json:"body"`
	}
	_ = json.Unmarshal(content, &c)
	return c.Body
}

// markerCounts counts the kill markers in a history and maps them to their event IDs.
func markerCounts(events []eventJSON) (map[string]int, map[string]string) {
	counts, ids := map[string]int{}, map[string]string{}
	for _, ev := range events {
		if ev.Type == "m.room.message" && strings.HasPrefix(ev.Body, "kill-") {
			counts[ev.Body]++
			ids[ev.Body] = ev.EventID
		}
	}
	return counts, ids
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
