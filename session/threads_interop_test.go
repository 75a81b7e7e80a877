package session_test

import (
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// matrix-js-sdk (with thread support, as Element runs it; the peer sees Dendrite as Matrix 1.4,
// see jspeer's announceThreads) in an encrypted room: its thread reply
// lands in our thread, ours in its Thread (threadRootId, its fallback naming the latest reply),
// and it reads our location with geo_uri and the MSC3488 keys.
func TestThreadsAndLocationInteropJS(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	anna, bob := newAccount(t, srv, "anna"), newAccount(t, srv, "bob")
	sa := anna.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.LoginWithThreads(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "Threads JS")
	root := mustSend(t, sa, roomID, "Wer übernimmt Abschnitt Süd?")
	if _, err := js.WaitForText(ctx(t), roomID.String(), "Wer übernimmt Abschnitt Süd?"); err != nil {
		t.Fatal(err)
	}

	// js replies in the thread: it shows in our thread and as the root's summary.
	jsReply, err := js.SendThreadReply(ctx(t), roomID.String(), root.String(), "Zug 2 übernimmt")
	if err != nil {
		t.Fatal(err)
	}
	msgs := waitMessages(t, sa, roomID, "", "js reply in the summary", func(m []session.Message) bool {
		r := byEventID(m, root)
		return r != nil && r.Thread != nil && r.Thread.Count == 1 && r.Thread.LatestBody == "Zug 2 übernimmt"
	})
	if byEventID(msgs, id.EventID(jsReply)) != nil {
		t.Fatal("js thread reply shows in the main timeline")
	}
	th := waitMessages(t, sa, roomID, root, "js reply in our thread", func(m []session.Message) bool { return len(m) == 2 })
	if th[1].EventID != id.EventID(jsReply) || th[1].ThreadRoot != root || th[1].Reply != nil || !th[1].Encrypted {
		t.Fatalf("js reply in our thread: %+v", th[1])
	}

	// Our reply goes into js's Thread, falling back to its reply.
	txn, err := sa.Send(ctx(t), roomID, session.Draft{Text: "Verstanden, Zug 2", Thread: root})
	ours := queuedSent(t, sa, txn, err)
	thread, err := js.Thread(ctx(t), roomID.String(), root.String(), 2, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var got *jspeer.Event
	for i, e := range thread.Events {
		if e.EventID == ours.String() {
			got = &thread.Events[i]
		}
	}
	if got == nil || got.ThreadRootID != root.String() || got.Body() != "Verstanden, Zug 2" || got.InReplyTo() != jsReply || got.DecryptionFailure != "" {
		t.Fatalf("our reply in js's thread (length %d): %+v", thread.Length, thread.Events)
	}
	if rel, _ := got.Content["m.relates_to"].(map[string]any); rel["is_falling_back"] != true {
		t.Fatalf("fallback flag: %v", got.Content["m.relates_to"])
	}

	// js reads our location.
	txn, err = sa.SendLocation(ctx(t), roomID, session.Location{Lat: 49.01, Lon: 8.4, Description: "Bereitstellungsraum"})
	loc := queuedSent(t, sa, txn, err)
	ev, err := js.WaitForEvent(ctx(t), roomID.String(), func(e jspeer.Event) bool { return e.EventID == loc.String() })
	if err != nil {
		t.Fatal(err)
	}
	l, _ := ev.Content["org.matrix.msc3488.location"].(map[string]any)
	a, _ := ev.Content["org.matrix.msc3488.asset"].(map[string]any)
	if !ev.Encrypted || ev.Content["msgtype"] != "m.location" || ev.Content["geo_uri"] != "geo:49.01,8.4" ||
		l["uri"] != "geo:49.01,8.4" || l["description"] != "Bereitstellungsraum" || a["type"] != "m.pin" {
		t.Fatalf("js sees the location as %+v", ev)
	}
}
