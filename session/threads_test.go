package session_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// waitMessages syncs s until the room's timeline (root "": the main one, else that thread)
// satisfies ok, and returns it.
func waitMessages(t *testing.T, s *session.Session, roomID id.RoomID, root id.EventID, what string, ok func([]session.Message) bool) []session.Message {
	t.Helper()
	var msgs []session.Message
	eventually.NoError(t, 30*time.Second, func() error {
		if _, err := s.SyncOnce(ctx(t), time.Second); err != nil {
			t.Logf("sync: %v", err)
		}
		var err error
		if root == "" {
			msgs, err = s.Timeline(ctx(t), roomID, 50)
		} else {
			msgs, err = s.ThreadTimeline(ctx(t), roomID, root, 50)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !ok(msgs) {
			return fmt.Errorf("%s: never happened; last timeline %+v", what, msgs)
		}
		return nil
	})
	return msgs
}

func byEventID(msgs []session.Message, eventID id.EventID) *session.Message {
	for i := range msgs {
		if msgs[i].EventID == eventID {
			return &msgs[i]
		}
	}
	return nil
}

func queuedSent(t *testing.T, s *session.Session, txn string, err error) id.EventID {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	eventID, err := s.WaitSent(ctx(t), txn)
	if err != nil {
		t.Fatal(err)
	}
	return eventID
}

// Threads in an encrypted room on Dendrite: replies carry m.thread with the spec's fallback (the
// latest reply), stay out of the main timeline, fold into the root's summary, and receipts in the
// thread keep their thread_id through the server (an unthreaded receipt does not replace them).
func TestThreadsOnDendrite(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa, bert := newAccount(t, srv, "anna").login(t), newAccount(t, srv, "bert")
	// b talks through a proxy that keeps the bodies of receipt requests.
	var receiptMu sync.Mutex
	var receiptBodies []string
	target, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/receipt/") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			receiptMu.Lock()
			receiptBodies = append(receiptBodies, r.URL.Path+" "+string(body))
			receiptMu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	sb, err := session.Login(ctx(t), bert.config(), proxy.URL, bert.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Lage", Encrypted: true})
	waitJoined(t, sa, roomID, 2)
	root := mustSend(t, sa, roomID, "Lage Nord?")
	waitMessages(t, sb, roomID, "", "root at b", func(m []session.Message) bool { return byEventID(m, root) != nil })

	txn, err := sb.Send(ctx(t), roomID, session.Draft{Text: "ruhig", Thread: root})
	r1 := queuedSent(t, sb, txn, err)
	msgs := waitMessages(t, sa, roomID, "", "summary with one reply", func(m []session.Message) bool {
		r := byEventID(m, root)
		return r != nil && r.Thread != nil && r.Thread.Count == 1
	})
	if byEventID(msgs, r1) != nil {
		t.Fatal("thread reply shows in the main timeline")
	}
	if sum := byEventID(msgs, root).Thread; sum.LatestEventID != r1 || sum.LatestBody != "ruhig" || sum.LatestSender != sb.Account().UserID || !sum.Unread {
		t.Fatalf("summary: %+v", sum)
	}
	// A reply to the reply goes into the same thread, falling back to the latest reply.
	txn, err = sa.Send(ctx(t), roomID, session.Draft{Text: "danke", Thread: r1})
	r2 := queuedSent(t, sa, txn, err)
	waitMessages(t, sa, roomID, root, "own reply echoed", func(m []session.Message) bool { return byEventID(m, r2) != nil })
	ev, ok, err := sa.Event(ctx(t), r2)
	if err != nil || !ok || !ev.Encrypted || ev.ThreadRoot != root {
		t.Fatalf("own reply: %+v %v %v", ev, ok, err)
	}
	var c event.MessageEventContent
	if err := json.Unmarshal(ev.Content, &c); err != nil {
		t.Fatal(err)
	}
	if rel := c.RelatesTo; rel == nil || rel.Type != event.RelThread || rel.EventID != root || !rel.IsFallingBack ||
		rel.InReplyTo == nil || rel.InReplyTo.EventID != r1 {
		t.Fatalf("relation of the reply: %+v", c.RelatesTo)
	}
	th := waitMessages(t, sb, roomID, root, "thread at b", func(m []session.Message) bool { return len(m) == 3 })
	if th[0].EventID != root || th[1].EventID != r1 || th[2].EventID != r2 || th[2].Reply != nil || th[2].ThreadRoot != root {
		t.Fatalf("thread at b: %+v", th)
	}
	if h, err := sb.ThreadHistory(ctx(t), roomID, root, 10); err != nil || len(h) != 3 || h[2].ThreadRoot != root || h[2].Body != "danke" {
		t.Fatalf("thread history: %+v %v", h, err)
	}

	// b reads the thread: the receipt names the thread (MSC3771) and shows at the reply in a's
	// thread. (Dendrite 0.13.8 keeps one m.read receipt per user and drops thread_id, so the
	// thread_id coming back through sync is covered by TestThreadFoldFromStore.)
	if err := sb.MarkThreadRead(ctx(t), roomID, root, r2); err != nil {
		t.Fatal(err)
	}
	receiptMu.Lock()
	sent := strings.Join(receiptBodies, "\n")
	receiptMu.Unlock()
	if want := `{"thread_id":"` + root.String() + `"}`; !strings.Contains(sent, "/receipt/m.read/"+url.PathEscape(r2.String())) || !strings.Contains(sent, want) {
		t.Fatalf("thread receipt request: %s", sent)
	}
	waitMessages(t, sa, roomID, root, "b's thread receipt at the reply", func(m []session.Message) bool {
		r := byEventID(m, r2)
		return r != nil && slices.Contains(r.ReadBy, sb.Account().UserID)
	})
	if err := sb.MarkRead(ctx(t), roomID, root); err != nil {
		t.Fatal(err)
	}
	waitMessages(t, sa, roomID, "", "b's main receipt at the root", func(m []session.Message) bool {
		r := byEventID(m, root)
		return r != nil && slices.Contains(r.ReadBy, sb.Account().UserID)
	})
	msgs, _ = sb.Timeline(ctx(t), roomID, 50)
	if sum := byEventID(msgs, root).Thread; sum == nil || sum.Count != 2 || sum.Unread {
		t.Fatalf("b's summary after reading: %+v", sum)
	}
	if _, err := sb.Send(ctx(t), roomID, session.Draft{Text: "x", Thread: "$unbekannt"}); !errors.Is(err, session.ErrUnknownEvent) {
		t.Fatalf("reply to an unknown root: %v", err)
	}
}

// A location sent by us reaches the other side with its coordinates, description and asset, and
// history shows its geo_uri; with disable_location nothing is sent.
func TestLocationOnDendrite(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	acc := newAccount(t, srv, "anna")
	sa, sb := acc.login(t), newAccount(t, srv, "bert").login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Lage", Encrypted: true})
	waitJoined(t, sa, roomID, 2)
	txn, err := sa.SendLocation(ctx(t), roomID, session.Location{Lat: 50.73438, Lon: 7.09549, Accuracy: 12,
		Description: "Sammelplatz Marktplatz", Asset: session.AssetSelf})
	locID := queuedSent(t, sa, txn, err)
	msgs := waitMessages(t, sb, roomID, "", "location at b", func(m []session.Message) bool { return byEventID(m, locID) != nil })
	m := byEventID(msgs, locID)
	if m.Kind != session.KindLocation || m.Location == nil || m.Location.Lat != 50.73438 || m.Location.Lon != 7.09549 ||
		m.Location.Accuracy != 12 || m.Location.Description != "Sammelplatz Marktplatz" || m.Location.Asset != session.AssetSelf {
		t.Fatalf("location at b: %+v %+v", m, m.Location)
	}
	ev, _, err := sb.Event(ctx(t), locID)
	if err != nil || ev.GeoURI != "geo:50.73438,7.09549;u=12" || !ev.Encrypted {
		t.Fatalf("history event: %+v %v", ev, err)
	}
	var raw map[string]any
	_ = json.Unmarshal(ev.Content, &raw)
	loc, _ := raw["org.matrix.msc3488.location"].(map[string]any)
	asset, _ := raw["org.matrix.msc3488.asset"].(map[string]any)
	if raw["msgtype"] != "m.location" || raw["geo_uri"] != "geo:50.73438,7.09549;u=12" || loc["uri"] != "geo:50.73438,7.09549;u=12" ||
		asset["type"] != "m.self" || raw["org.matrix.msc3488.ts"] == nil || raw["org.matrix.msc1767.text"] != "Sammelplatz Marktplatz geo:50.73438,7.09549;u=12" ||
		raw["body"] != "Sammelplatz Marktplatz geo:50.73438,7.09549;u=12\nhttps://www.openstreetmap.org/?mlat=50.73438&mlon=7.09549#map=16/50.73438/7.09549" {
		t.Fatalf("wire content: %v", raw)
	}
	if _, err := sa.SendLocation(ctx(t), roomID, session.Location{Lat: 91, Lon: 0}); !errors.Is(err, session.ErrInvalidLocation) {
		t.Fatalf("latitude 91: %v", err)
	}

	waitMessages(t, sa, roomID, "", "own location echoed", func(m []session.Message) bool { return byEventID(m, locID) != nil })
	sa.Close()
	cfg := acc.config()
	cfg.DisableLocation = true
	locked, err := session.Open(ctx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer locked.Close()
	_, err = locked.SendLocation(ctx(t), roomID, session.Location{Lat: 1, Lon: 2})
	if !errors.Is(err, session.ErrLocationDisabled) || !errors.Is(err, session.ErrPolicyDenied) || locked.CheckLocation() == nil {
		t.Fatalf("disable_location: %v", err)
	}
	if q, _ := locked.Queue(ctx(t)); len(q) != 0 {
		t.Fatalf("queued despite disable_location: %+v", q)
	}
}

// A thread whose root and replies the store never got (a limited sync brought only the newest 50
// events) comes from the server with LoadThread, decrypted.
func TestLoadThreadFromServer(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa, sb := newAccount(t, srv, "anna").login(t), newAccount(t, srv, "bert").login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Lage", Encrypted: true})
	waitJoined(t, sa, roomID, 2)
	root := mustSend(t, sb, roomID, "Wer hat den Schlüssel?")
	mustSync(t, sb)
	txn, err := sb.Send(ctx(t), roomID, session.Draft{Text: "liegt im Gerätehaus", Thread: root})
	reply := queuedSent(t, sb, txn, err)
	for i := 0; i < 55; i++ {
		mustSend(t, sb, roomID, fmt.Sprintf("Füller %d", i))
	}
	mustSync(t, sa)
	if th, err := sa.ThreadTimeline(ctx(t), roomID, root, 10); err != nil || len(th) != 0 {
		t.Fatalf("the limited sync brought the thread after all: %+v %v", th, err)
	}
	n, err := sa.LoadThread(ctx(t), roomID, root)
	if err != nil || n != 2 {
		t.Fatalf("LoadThread: %d new, %v", n, err)
	}
	th, err := sa.ThreadTimeline(ctx(t), roomID, root, 10)
	if err != nil || len(th) != 2 || th[0].EventID != root || th[0].Body != "Wer hat den Schlüssel?" ||
		th[1].EventID != reply || th[1].Body != "liegt im Gerätehaus" || th[1].ThreadRoot != root {
		t.Fatalf("thread after LoadThread: %+v %v", th, err)
	}
	if n, err := sa.LoadThread(ctx(t), roomID, root); err != nil || n != 0 {
		t.Fatalf("second LoadThread: %d new, %v", n, err)
	}
}
