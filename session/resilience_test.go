package session_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/faultproxy"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// runSync runs the session's sync loop until the test ends and returns a function that waits
// until the room's history contains all bodies.
func runSync(t *testing.T, s *session.Session) {
	t.Helper()
	c, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = s.Run(c, 2*time.Second, nil)
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// waitStored polls the store (no sync of its own) until the room's timeline has all bodies.
func waitStored(t *testing.T, s *session.Session, roomID id.RoomID, bodies []string) []session.TimelineEvent {
	t.Helper()
	return pollHistory(t, s, roomID, 500, bodies, 60*time.Second, func() { time.Sleep(100 * time.Millisecond) })
}

func assertOnce(t *testing.T, hist []session.TimelineEvent, bodies []string) {
	t.Helper()
	for _, b := range bodies {
		if n := countBody(hist, b); n != 1 {
			t.Errorf("%q is in the timeline %d times, want once", b, n)
		}
	}
	seen := map[id.EventID]bool{}
	for _, e := range hist {
		if seen[e.EventID] {
			t.Errorf("event %s twice in the timeline", e.EventID)
		}
		seen[e.EventID] = true
	}
}

func TestSyncSurvivesHomeserverRestart(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Neustart"})
	runSync(t, sb)

	var bodies []string
	for i := range 3 {
		bodies = append(bodies, fmt.Sprintf("before-%d", i))
		mustSend(t, sa, roomID, bodies[len(bodies)-1])
	}
	waitStored(t, sb, roomID, bodies)

	srv.Kill() // crash in the middle of bob's long-poll
	time.Sleep(300 * time.Millisecond)
	srv.Restart(t)
	for i := range 3 {
		bodies = append(bodies, fmt.Sprintf("after-%d", i))
		mustSend(t, sa, roomID, bodies[len(bodies)-1])
	}
	assertOnce(t, waitStored(t, sb, roomID, bodies), bodies)
}

func TestSyncRetriesThroughServerErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	proxy := faultproxy.New(t, srv.URL)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa := alice.login(t)
	cfg := bob.config()
	sb, err := session.Login(ctx(t), cfg, proxy.URL, bob.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Störung"})
	mustSync(t, sb)

	for _, fault := range []faultproxy.Fault{faultproxy.Status500, faultproxy.Status502, faultproxy.MalformedJSON, faultproxy.Drop} {
		t.Run(fault.String(), func(t *testing.T) {
			before := proxy.Count("/sync")
			faulted := proxy.Faulted()
			proxy.Inject("/sync", fault, 3)
			_, err := sb.SyncOnce(ctx(t), 0)
			if err == nil {
				t.Fatalf("a %v answer must fail the sync", fault)
			}
			body := "nach " + fault.String()
			mustSend(t, sa, roomID, body)
			runCtx, cancel := context.WithCancel(ctx(t))
			done := make(chan error, 1)
			go func() { done <- sb.Run(runCtx, time.Second, nil) }()
			hist := waitStored(t, sb, roomID, []string{body})
			cancel()
			<-done
			assertOnce(t, hist, []string{body})
			if proxy.Faulted()-faulted < 3 || proxy.Count("/sync")-before < 4 {
				t.Errorf("expected 3 faults and a retry, saw %d faults and %d sync requests",
					proxy.Faulted()-faulted, proxy.Count("/sync")-before)
			}
		})
	}
}

func TestSendRetriesThroughServerErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	proxy := faultproxy.New(t, srv.URL)
	alice := newAccount(t, srv, "alice")
	sa, err := session.Login(ctx(t), alice.config(), proxy.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sa.Close() })
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Sendestörung"})
	if err != nil {
		t.Fatal(err)
	}
	// Two refusals, then the server stores the event but the answer is lost: the next attempt must
	// not create a second event (the queue finds the echo in sync, or the server deduplicates the
	// transaction ID).
	proxy.Inject("/send/", faultproxy.Status502, 2)
	txn, err := sa.Send(ctx(t), roomID, session.Draft{Text: "genau einmal", Plain: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := sa.FlushQueue(ctx(t)); err == nil {
			t.Fatal("a 502 must fail the flush")
		}
	}
	proxy.Inject("/send/", faultproxy.DropResponse, 1)
	if err := sa.FlushQueue(ctx(t)); err == nil {
		t.Fatal("a lost answer must fail the flush")
	}
	eventID, err := sa.WaitSent(ctx(t), txn)
	if err != nil {
		t.Fatal(err)
	}
	if proxy.Count("/send/") < 3 {
		t.Fatalf("expected retries, saw %d send requests", proxy.Count("/send/"))
	}
	hist := waitForBodies(t, sa, roomID, 100, "genau einmal")
	assertOnce(t, hist, []string{"genau einmal"})
	if hist[len(hist)-1].EventID != eventID {
		t.Errorf("send returned %s, timeline has %s", eventID, hist[len(hist)-1].EventID)
	}
}

func TestResumeAfterRestartWithoutInitialSync(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Wiederaufnahme"})
	mustSend(t, sa, roomID, "eins")
	waitForBodies(t, sb, roomID, 50, "eins")
	sb.Close()

	mustSend(t, sa, roomID, "zwei")
	sb = bob.open(t)
	// A long poll: Dendrite may not have "zwei" in its sync stream yet when the send returned.
	st, err := sb.SyncOnce(ctx(t), 30*time.Second)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if st.Initial {

		t.Fatal("reopened session made an initial sync instead of resuming from the stored token")
	}
	if st.Events != 1 {
		t.Errorf("resumed sync should bring exactly the one new message, got %d events", st.Events)
	}
	hist, err := sb.History(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	assertOnce(t, hist, []string{"eins", "zwei"})
}

func TestGappySyncAndBackfill(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Lücke"})
	mustSend(t, sa, roomID, "first")
	waitForBodies(t, sb, roomID, 10, "first")

	// While bob is away, more messages than the sync timeline limit arrive: his next sync is limited.
	const n = 80
	var bodies []string
	for i := range n {
		bodies = append(bodies, fmt.Sprintf("msg-%03d", i))
		if _, err := sa.Send(ctx(t), roomID, session.Draft{Text: bodies[i], Plain: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sa.FlushQueue(ctx(t)); err != nil {
		t.Fatal(err)
	}
	sub := sb.Subscribe(0)
	defer sub.Close()
	all := append([]string{"first"}, bodies...)
	// Dendrite's sync API catches up asynchronously; sync until all are there.
	hist := waitForBodies(t, sb, roomID, n+30, all...)
	assertOnce(t, hist, all)
	var got []string
	for _, e := range hist {
		if e.Type == "m.room.message" {
			got = append(got, e.Body)
		}
	}
	if fmt.Sprint(got[len(got)-len(all):]) != fmt.Sprint(all) {
		t.Fatalf("history out of order:\n got %v\nwant %v", got, all)
	}
	// Subscribers saw the gap and the backfill.
	kinds := map[session.ChangeKind]bool{}
	var last int64
	for len(kinds) < 10 {
		c, cancel := context.WithTimeout(ctx(t), time.Second)
		batch, err := sub.Next(c)
		cancel()
		if err != nil {
			break
		}
		for _, ch := range batch {
			if ch.Seq <= last {
				t.Fatalf("change sequence not increasing: %d after %d", ch.Seq, last)
			}
			last = ch.Seq
			kinds[ch.Kind] = true
		}
	}
	for _, k := range []session.ChangeKind{session.ChangeTimelineReset, session.ChangeBackfill, session.ChangeTimeline, session.ChangeSyncComplete} {
		if !kinds[k] {
			t.Errorf("no %s change seen (saw %v)", k, kinds)
		}
	}
}

func TestOpensAndReadsOfflineWhenServerIsDown(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Offline", Encrypted: true})
	mustSync(t, sa)
	mustSend(t, sa, roomID, "vor dem Ausfall")
	waitForBodies(t, sb, roomID, 50, "vor dem Ausfall")
	sb.Close()
	srv.Stop()

	sb = bob.open(t) // no network needed to open an existing account
	rooms, err := sb.Rooms(ctx(t))
	if err != nil || len(rooms) != 1 {
		t.Fatalf("rooms offline: %+v %v", rooms, err)
	}
	hist, err := sb.History(ctx(t), roomID, 5)
	if err != nil || countBody(hist, "vor dem Ausfall") != 1 {
		t.Fatalf("history offline: %+v %v", hist, err)
	}
	if _, err := sb.SyncOnce(ctx(t), 0); err == nil {
		t.Fatal("sync with the server down succeeded")
	}
	// A message written offline waits in the queue and goes out once the server is back.
	txn, err := sb.Send(ctx(t), roomID, session.Draft{Text: "während des Ausfalls", Plain: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.FlushQueue(ctx(t)); err == nil {
		t.Fatal("flush with the server down succeeded")
	}
	srv.Restart(t)
	if _, err := sb.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	waitForBodies(t, sa, roomID, 50, "während des Ausfalls")
}
