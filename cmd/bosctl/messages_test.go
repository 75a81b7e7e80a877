package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/faultproxy"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

func TestSendTailHistory(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "sender"), loggedIn(t, srv, "tailer")
	roomID := sharedRoom(t, a, b, "Tail Room")

	// b tails; everything after b's last sync (the join) is new to it, so no readiness wait is needed.
	tail := b.start("tail", roomID, "--json", "--count", "3", "--timeout", "90s")
	texts := []string{"first message", "second: with \"quotes\" and ümlauts", "third\nwith a newline"}
	var sent []string
	for _, text := range texts {
		sent = append(sent, a.send(roomID, text))
	}
	r := tail.wait(2 * time.Minute)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("tail: %v", r)
	}
	events := parseEvents(t, r.stdout, messageKeys...)
	if len(events) != 3 {
		t.Fatalf("tail printed %d events, want 3: %v", len(events), r)
	}
	for i, ev := range events {
		if ev.RoomID != roomID || ev.EventID != sent[i] || ev.Sender != a.id || ev.Type != "m.room.message" ||
			ev.MsgType != "m.text" || ev.Body != texts[i] || ev.TS <= 0 || ev.Encrypted || ev.Decrypted {
			t.Errorf("tail event %d: %+v (want %s %q)", i, ev, sent[i], texts[i])
		}
	}

	// No new messages: a tail for one event times out with an error.
	mustFail(t, b.run("tail", roomID, "--json", "--count", "1", "--timeout", "2s"), 1, "timeout: 0 of 1 events arrived")

	// history --json: oldest first, the newest limit events. history does not sync (a's sends came
	// back only as echoes that a has not synced yet), so a syncs first.
	a.ok("sync", "--once")
	hist := a.history(roomID, 2)
	if len(hist) != 2 || hist[0].EventID != sent[1] || hist[1].EventID != sent[2] || hist[1].Body != texts[2] {
		t.Fatalf("history --limit 2: %+v", hist)
	}
	b.ok("sync", "--once")
	msgs := messages(b.history(roomID, 20))
	if got := bodies(msgs); !slices.Equal(got, texts) {
		t.Fatalf("b's history: %q, want %q", got, texts)
	}
	// Plain history: one "TIME SENDER: TEXT" line per event, continuation lines indented.
	plain := a.ok("history", roomID, "--limit", "3")
	lines := plain.lines()
	if len(lines) != 4 || !strings.HasSuffix(lines[0], " "+a.id+": first message") || lines[3] != "    with a newline" {
		t.Fatalf("plain history: %v", plain)
	}
	// Plain tail output for new events.
	ptail := b.start("tail", roomID, "--count", "1", "--timeout", "90s")
	a.send(roomID, "plain tail")
	if r := ptail.wait(2 * time.Minute); r.code != 0 || !strings.HasSuffix(r.stdout, " "+a.id+": plain tail\n") || len(r.lines()) != 1 {
		t.Fatalf("plain tail: %v", r)
	}
}

// TestLock: while tail holds a data dir, other bosctl processes on it fail with "in use", and the
// store is fine afterwards.
func TestLock(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "lockA"), loggedIn(t, srv, "lockB")
	roomID := sharedRoom(t, a, b, "Lock Room")
	// tail prints every event a sync brings after it started; under load Dendrite can hand the
	// joined room's older events to a later sync than the join's, so b syncs them first.
	b.ok("sync", "--once")

	tail := b.start("tail", roomID, "--json", "--count", "2", "--timeout", "90s")
	a.send(roomID, "lock one")
	// The first event proves tail is running and holds the data dir.
	if ev := parseEvents(t, tail.nextLine(time.Minute)+"\n", messageKeys...); ev[0].Body != "lock one" {
		t.Fatalf("tail printed %+v", ev)
	}
	mustFail(t, b.run("rooms"), 1, "data dir is in use")
	mustFail(t, b.run("send", roomID, "while locked"), 1, "in use")
	mustFail(t, b.run("logout"), 1, "in use")
	pw := testPassword
	mustFail(t, bosctl(t, runOpts{password: &pw}, "--data", b.dir, "login", "--homeserver", srv.URL, "--user", b.local), 1, "in use")

	a.send(roomID, "lock two")
	r := tail.wait(2 * time.Minute)
	if r.code != 0 || r.stderr != "" || len(r.lines()) != 2 {
		t.Fatalf("tail: %v", r)
	}
	// The data dir is free again and its store intact.
	if room := b.rooms()[roomID]; room.Membership != "join" || room.Name != "Lock Room" {
		t.Fatalf("after the lock b sees %+v", room)
	}
	if got := bodies(messages(b.history(roomID, 10))); !slices.Equal(got, []string{"lock one", "lock two"}) {
		t.Fatalf("b's history after the lock: %q", got)
	}
	b.whoami()
}

// TestHistoryPaginates sends more messages than the sync timeline limit (50) with the session
// package and checks that history pages back through the server to return them all, in order.
func TestHistoryPaginates(t *testing.T) {
	t.Parallel()
	const n = 70
	srv := sharedServer(t)
	// b talks to the homeserver through a proxy that counts /messages requests.
	proxy := faultproxy.New(t, srv.URL)
	b := newUser(t, srv, "pager")
	pw := testPassword
	mustOK(t, bosctl(t, runOpts{password: &pw}, "--data", b.dir, "login", "--homeserver", proxy.URL, "--user", b.local))

	// a uses the engine directly (cheap key parameters), which is faster for many messages.
	aLocal := fmt.Sprintf("bulk%d", userSeq.Add(1))
	srv.Register(t, aLocal, testPassword)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := session.Login(ctx, session.Config{DataDir: t.TempDir(), Passphrase: "engine passphrase",
		KeyParams: &storekey.Params{Time: 1, MemoryKiB: 1024, Threads: 1}, MinBackoff: 50 * time.Millisecond,
		MaxBackoff: 500 * time.Millisecond}, srv.URL, aLocal, testPassword)
	if err != nil {
		t.Fatalf("engine login: %v", err)
	}
	defer s.Close()
	roomID, err := s.CreateRoom(ctx, session.CreateRoomOptions{Name: "Busy Room", Invite: []id.UserID{id.UserID(b.id)}})
	if err != nil {
		t.Fatalf("create room: %v", err)
	}
	b.ok("sync", "--once")
	b.ok("join", roomID.String())

	// The bulk send gets its own time: on a loaded machine the bosctl runs above can take most of
	// the first context's.
	sendCtx, sendCancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer sendCancel()
	var want []string
	var last string
	for i := range n {
		body := fmt.Sprintf("bulk message %03d", i)
		want = append(want, body)
		if last, err = s.Send(sendCtx, roomID, session.Draft{Text: body, Plain: true}); err != nil {
			t.Fatalf("queue: %v", err)
		}
	}
	if _, err := s.WaitSent(sendCtx, last); err != nil { // sends the whole queue, oldest first

		t.Fatalf("send: %v", err)
	}

	// b's next sync gets a limited timeline (the newest 50); history --limit 70 pages back for the rest.
	b.ok("sync", "--once")
	before := proxy.Count("/messages")
	hist := b.history(roomID.String(), n)
	if len(hist) != n {
		t.Fatalf("history --limit %d returned %d events", n, len(hist))
	}
	if got := bodies(hist); !slices.Equal(got, want) {
		t.Fatalf("history is not the %d messages in order:\n%q", n, got)
	}
	seen := map[string]bool{}
	for i, ev := range hist {
		if ev.Sender != s.Account().UserID.String() || ev.Type != "m.room.message" || seen[ev.EventID] ||
			(i > 0 && ev.TS < hist[i-1].TS) {
			t.Fatalf("history event %d: %+v", i, ev)
		}
		seen[ev.EventID] = true
	}
	if proxy.Count("/messages") == before {
		t.Fatal("history did not paginate from the server (no /messages request)")
	}
	// A bigger limit reaches the room's start (creation events) and keeps the messages in order.
	all := b.history(roomID.String(), 500)
	if got := bodies(messages(all)); !slices.Equal(got, want) || all[0].Type != "m.room.create" {
		t.Fatalf("full history: %d events, first %+v, messages %q", len(all), all[0], got)
	}
}
