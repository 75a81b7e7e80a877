package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/faultproxy"
	"bosmessenger/internal/testserver"
)

// queueJSONKeys are the fields every entry of queue --json has.
var queueJSONKeys = []string{"id", "room_id", "state", "attempts", "error", "created_ts"}

// queue returns u's send queue (queue --json), checking the contract's fields.
func (u *user) queue() []queueJSON {
	u.t.Helper()
	r := u.ok("queue", "--json")
	var raw []map[string]json.RawMessage
	var list []queueJSON
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		u.t.Fatalf("queue --json is not one JSON array (%v): %v", err, r)
	}
	for _, m := range raw {
		for _, k := range queueJSONKeys {
			if _, ok := m[k]; !ok {
				u.t.Fatalf("queue entry without %q: %s", k, r.stdout)
			}
		}
	}
	_ = json.Unmarshal([]byte(r.stdout), &list)
	return list
}

func entryByID(list []queueJSON, id string) (queueJSON, bool) {
	for _, e := range list {
		if e.ID == id {
			return e, true
		}
	}
	return queueJSON{}, false
}

var queuedAsRe = regexp.MustCompile(`queued as (\S+) `)

// With the homeserver down, send gives up after --timeout with exit status 3 and says the message
// is queued; the next sync --once sends it, exactly once (also in an encrypted room).
func TestSendTimeoutQueues(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	a, b := loggedIn(t, srv, "funkloch"), loggedIn(t, srv, "leitstelle")
	plain := sharedRoom(t, a, b, "Funkloch")
	enc := a.createRoom("--name", "Funkloch verschlüsselt", "--invite", b.id)
	b.ok("join", enc)
	a.send(enc, "vor dem Ausfall") // the room key reaches b's device while the server is up

	srv.Stop()
	txns := map[string]string{}
	for _, roomID := range []string{plain, enc} {
		body := "im Funkloch " + roomID[1:6]
		r := a.run("send", roomID, body, "--timeout", "2s")
		mustFail(t, r, exitQueued, "will be sent by the next bosctl sync")
		if !strings.Contains(r.stderr, "within 2s") || r.dur > 30*time.Second {
			t.Fatalf("send with the server down: %v", r)
		}
		t.Logf("send, server down: exit %d after %v: %s", r.code, r.dur.Round(time.Millisecond), r.stderr)
		m := queuedAsRe.FindStringSubmatch(r.stderr)
		if m == nil {
			t.Fatalf("no queue ID in %v", r)
		}
		txns[m[1]] = body
		e, ok := entryByID(a.queue(), m[1])
		// The first message was tried and its error kept; the queue keeps its order, so the next
		// one waits behind it.
		tried := len(txns) == 1
		if !ok || e.State != "queued" || e.RoomID != roomID || (e.Attempts >= 1) != tried || (e.Error != "") != tried || e.CreatedTS <= 0 {
			t.Fatalf("queue entry %s: %+v (found %v)", m[1], e, ok)
		}
		if line := a.ok("queue").stdout; !strings.Contains(line, m[1]+"  queued ") || !strings.Contains(line, fmt.Sprintf("%q", body)) {
			t.Fatalf("queue: %q", line)
		}
	}
	// The default timeout applies without the flag, too (here: exit 3 after 10 s).
	if r := a.run("send", plain, "ohne Flag"); r.code != exitQueued || r.dur < 10*time.Second {
		t.Fatalf("send without --timeout, server down: %v", r)
	} else {
		txns[queuedAsRe.FindStringSubmatch(r.stderr)[1]] = "ohne Flag"
	}

	srv.Restart(t)
	mustOK(t, a.run("sync", "--once"))
	for range 2 { // more syncs send nothing again
		mustOK(t, a.run("sync", "--once"))
	}
	for txn := range txns {
		if e, ok := entryByID(a.queue(), txn); ok {
			t.Errorf("%s still in the queue after the sync: %+v", txn, e)
		}
	}
	eventually.NoError(t, time.Minute, func() error {
		b.ok("sync", "--once")
		counts := map[string]int{}
		for _, roomID := range []string{plain, enc} {
			for _, ev := range b.history(roomID, 50) {
				if ev.Type == "m.room.message" {
					counts[ev.Body]++
				}
			}
		}
		missing := 0
		for _, body := range txns {
			if counts[body] > 1 {
				t.Fatalf("%q arrived %d times", body, counts[body])
			}
			if counts[body] == 0 {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d queued messages never arrived: %v", missing, counts)
		}
		return nil
	})

	if r := a.ok("help"); !strings.Contains(r.stdout, "3 message queued but not yet sent") {
		t.Fatalf("help does not explain exit status 3: %v", r)
	}
}

// queue lists a message that failed for good; queue retry sends it once the cause is gone, queue
// drop removes another one with its local echo; unknown IDs are a clear error.
func TestQueueCommands(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "raumchef"), loggedIn(t, srv, "entfernt")
	roomID := sharedRoom(t, a, b, "Rauswurf")
	token := matrixLogin(t, srv, a.local)
	kick := func() {
		t.Helper()
		matrixCall(t, http.MethodPost, srv.URL+"/_matrix/client/v3/rooms/"+url.PathEscape(roomID)+"/kick", token,
			map[string]string{"user_id": b.id}, nil)
	}

	// b was removed but has not synced: its send is refused for good and stays in the queue.
	kick()
	r := b.run("send", roomID, "nach dem \x1b]0;Rauswurf\x07")
	mustFail(t, r, 1, "it stays in the queue as failed: bosctl queue retry")
	first := regexp.MustCompile(`queue retry (\S+),`).FindStringSubmatch(r.stderr)[1]
	e, ok := entryByID(b.queue(), first)
	if !ok || e.State != "failed" || e.Attempts != 1 || e.RoomID != roomID || !strings.Contains(e.Error, "403") {
		t.Fatalf("failed entry: %+v (found %v)", e, ok)
	}
	human := b.ok("queue").stdout
	if !strings.Contains(human, first+"  failed ") || !strings.Contains(human, `"nach dem \x1b]0;Rauswurf\x07"`) || strings.ContainsAny(human, "\x1b\x07") {
		t.Fatalf("queue: %q", human)
	}

	mustFail(t, b.run("queue", "retry", "bos-unbekannt"), 1, "no such message in the send queue")
	mustFail(t, b.run("queue", "drop", "bos-unbekannt"), 1, "no such message in the send queue")
	mustFail(t, b.run("queue", "resend", first), 2, "usage")
	mustFail(t, b.run("queue", "retry"), 2, "usage")

	// b may come back: the retry sends the message, once.
	a.ok("invite", roomID, b.id)
	b.ok("join", roomID)
	retried := oneID(t, b.ok("queue", "retry", first), eventIDRe)
	mustFail(t, b.run("queue", "drop", first), 1, "already sent")

	// Removed again: drop takes the failed message and its local echo away.
	kick()
	r = b.run("send", roomID, "wird verworfen")
	mustFail(t, r, 1, "failed")
	second := regexp.MustCompile(`queue drop (\S+)\)`).FindStringSubmatch(r.stderr)[1]
	if got := b.ok("queue", "drop", second).stdout; got != "dropped "+second+"\n" {
		t.Fatalf("drop printed %q", got)
	}
	if _, ok := entryByID(b.queue(), second); ok {
		t.Fatal("dropped message still in the queue")
	}
	mustFail(t, b.run("queue", "retry", second), 1, "no such message")

	a.ok("sync", "--once")
	var n int
	for _, ev := range a.history(roomID, 50) {
		if ev.EventID == retried {
			n++
		}
		if ev.Body == "wird verworfen" {
			t.Fatal("the dropped message arrived")
		}
	}
	if n != 1 {
		t.Fatalf("retried message %s seen %d times", retried, n)
	}
}

// A send whose request hangs past --timeout is cut off (exit 3) and shows as "sending" (an
// attempt without an outcome); the next sync --once sends it. The hung request reaches the server
// later all the same (the proxy forwards it after its delay): the message still arrives once.
func TestSendTimeoutInFlight(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	proxy := faultproxy.New(t, srv.URL)
	a, b := newUser(t, srv, "haenger"), loggedIn(t, srv, "wartend")
	a.loginTo(t, proxy.URL)
	roomID := sharedRoom(t, a, b, "Hänger")

	// A room the store does not know is looked up by a sync, within the timeout as well.
	proxy.InjectDelay("/sync", time.Minute, 1)
	mustFail(t, a.run("send", "!unbekannt:"+srv.ServerName, "x", "--timeout", "2s"), 1,
		"the homeserver did not answer within 2s (looking up !unbekannt:"+srv.ServerName+"); nothing was sent")
	proxy.Clear()

	const delay = 8 * time.Second
	proxy.InjectDelay("/send/", delay, 1)
	start := time.Now()
	r := a.run("send", roomID, "hängt in der Leitung", "--timeout", "2s")
	mustFail(t, r, exitQueued, "did not accept it within 2s")
	txn := queuedAsRe.FindStringSubmatch(r.stderr)[1]
	if e, ok := entryByID(a.queue(), txn); !ok || e.State != "sending" || e.Attempts != 1 {
		t.Fatalf("entry after the cut-off attempt: %+v (found %v)", e, ok)
	}
	mustOK(t, a.run("sync", "--once"))
	time.Sleep(time.Until(start.Add(delay + 2*time.Second))) // the late original has reached the server
	mustOK(t, a.run("sync", "--once"))
	if e, ok := entryByID(a.queue(), txn); ok {
		t.Fatalf("still in the queue: %+v", e)
	}
	b.ok("sync", "--once")
	n := 0
	for _, ev := range b.history(roomID, 20) {
		if ev.Body == "hängt in der Leitung" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the message arrived %d times", n)
	}
}
