package session

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// Thread replies leave the room's timeline and fold into a summary under their root (count, the
// newest reply, unread after our receipt); the thread shows the root, its replies without the
// fallback quote, receipts with its thread_id, and our queued reply.
func TestThreadFoldFromStore(t *testing.T) {
	db := testStore(t)
	const room = "!r:x"
	thread := func(root, latest string) string {
		return `"m.relates_to":{"rel_type":"m.thread","event_id":"` + root + `","is_falling_back":true,"m.in_reply_to":{"event_id":"` + latest + `"}}`
	}
	events := []string{
		stateEv("m.room.member", "@a:x", "$ja", "@a:x", 1, `{"membership":"join","displayname":"Anna"}`, ""),
		stateEv("m.room.member", "@me:x", "$jme", "@me:x", 2, `{"membership":"join","displayname":"Ich"}`, ""),
		ev("m.room.message", "$root", "@a:x", 10, `{"msgtype":"m.text","body":"Lage Nord?"}`),
		ev("m.room.message", "$t1", "@me:x", 11, `{"msgtype":"m.text","body":"ruhig",`+thread("$root", "$root")+`}`),
		ev("m.room.message", "$main", "@a:x", 12, `{"msgtype":"m.text","body":"Hauptverlauf"}`),
		ev("m.room.message", "$t2", "@a:x", 13, `{"msgtype":"m.text","body":"danke",`+thread("$root", "$t1")+`}`),
		ev("m.room.message", "$t3", "@a:x", 14, `{"msgtype":"m.text","body":"gelöscht",`+thread("$root", "$t2")+`}`),
		`{"type":"m.room.redaction","event_id":"$x","sender":"@a:x","origin_server_ts":15,"redacts":"$t3","content":{}}`,
		ev("m.reaction", "$r", "@me:x", 16, `{"m.relates_to":{"rel_type":"m.annotation","event_id":"$t2","key":"👍"}}`),
	}
	receipts := `{"type":"m.receipt","content":{"$t2":{"m.read":{"@a:x":{"ts":20,"thread_id":"$root"}}},"$main":{"m.read":{"@a:x":{"ts":21}}}}}`
	if in, err := ingestJSON(db, syncWith(room, 1, events, receipts)); err != nil || in.malformed != 0 {
		t.Fatalf("ingest: %v", err)
	}
	s := offlineSession(db, "@me:x")
	ctx := context.Background()
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		return tx.Enqueue(&store.Outgoing{RoomID: room, TxnID: "q1", Type: "m.room.message",
			Content: json.RawMessage(`{"msgtype":"m.text","body":"unterwegs",` + thread("$root", "$t2") + `}`)})
	}); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Timeline(ctx, room, 50)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var root Message
	for _, m := range msgs {
		ids = append(ids, m.EventID.String()+m.TxnID)
		if m.EventID == "$root" {
			root = m
		}
	}
	if want := []string{"$ja", "$jme", "$root", "$main"}; len(ids) != len(want) || ids[2] != "$root" || ids[3] != "$main" {
		t.Fatalf("main timeline shows thread replies or the queued thread reply: %v", ids)
	}
	sum := root.Thread
	if sum == nil || sum.Count != 2 || sum.LatestEventID != "$t2" || sum.LatestBody != "danke" || sum.LatestName != "Anna" || !sum.Unread {
		t.Fatalf("thread summary: %+v", sum)
	}
	for _, m := range msgs {
		if m.EventID == "$main" && (len(m.ReadBy) != 1 || m.ReadBy[0] != "@a:x") {
			t.Errorf("main receipt: %v", m.ReadBy)
		}
	}

	th, err := s.ThreadTimeline(ctx, room, "$root", 50)
	if err != nil {
		t.Fatal(err)
	}
	ids = nil
	for _, m := range th {
		ids = append(ids, m.EventID.String()+m.TxnID)
	}
	if len(th) != 5 || ids[0] != "$root" || ids[1] != "$t1" || ids[2] != "$t2" || ids[3] != "$t3" || ids[4] != "q1" {
		t.Fatalf("thread: %v", ids)
	}
	if th[2].Reply != nil || th[2].ThreadRoot != "$root" || len(th[2].Reactions) != 1 || th[3].Kind != KindRedacted {
		t.Errorf("thread reply: %+v (fallback quote must not show), redacted %+v", th[2], th[3])
	}
	if len(th[2].ReadBy) != 1 || th[2].ReadBy[0] != id.UserID("@a:x") {
		t.Errorf("thread receipt (thread_id) not at its reply: %v", th[2].ReadBy)
	}
	if th[4].SendState != SendStateQueued || th[4].Body != "unterwegs" {
		t.Errorf("queued thread reply: %+v", th[4])
	}

	// Our own receipt in the thread, newer than the latest reply, clears the unread mark.
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		return tx.SaveReceipt(&store.Receipt{RoomID: room, UserID: "@me:x", Type: "m.read", ThreadID: "$root", EventID: "$t2", TS: 30})
	}); err != nil {
		t.Fatal(err)
	}
	msgs, _ = s.Timeline(ctx, room, 50)
	for _, m := range msgs {
		if m.EventID == "$root" && (m.Thread == nil || m.Thread.Unread) {
			t.Errorf("thread still unread after our receipt: %+v", m.Thread)
		}
	}

	// The fallback of the next reply is the newest reply; a reply to a thread reply goes to its root.
	err = db.Read(ctx, func(tx *store.Tx) error {
		latest, err := threadLatest(tx, room, "$root")
		if err != nil || latest != "$t2" {
			t.Errorf("latest = %q, %v", latest, err)
		}
		r, err := threadRootOf(tx, room, "$t1")
		if err != nil || r != "$root" {
			t.Errorf("root of a thread reply = %q, %v", r, err)
		}
		if _, err := threadRootOf(tx, room, "$nope"); !errors.Is(err, ErrUnknownEvent) {
			t.Errorf("unknown root: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.ThreadHistory(ctx, room, "$root", 10)
	if err != nil || len(h) != 4 || h[1].ThreadRoot != "$root" || h[0].ThreadRoot != "" {
		t.Fatalf("thread history: %+v %v", h, err)
	}
}

// matrix-js-sdk names thread relations io.element.thread on servers without Matrix 1.4; they
// count as m.thread, also when only the plaintext carries the relation.
func TestUnstableThreadRelation(t *testing.T) {
	rt, target := relationOf(json.RawMessage(`{"m.relates_to":{"rel_type":"io.element.thread","event_id":"$root"}}`))
	if rt != "m.thread" || target != "$root" {
		t.Fatalf("relation %q %q", rt, target)
	}
	se := &store.Event{Type: "m.room.encrypted", Content: json.RawMessage(`{"algorithm":"m.megolm.v1.aes-sha2"}`)}
	applyDecryption(se, e2ee.Decrypted{Type: "m.room.message", Content: json.RawMessage(`{"body":"x","m.relates_to":{"rel_type":"io.element.thread","event_id":"$r"}}`)})
	if se.RelType != "m.thread" || se.RelatesTo != "$r" {
		t.Fatalf("relation from the plaintext: %q %q", se.RelType, se.RelatesTo)
	}
}

func TestLocationParsing(t *testing.T) {
	for _, c := range []struct {
		in       string
		lat, lon float64
		acc      float64
		uri      string
	}{
		{"geo:52.5163,13.3777;u=35", 52.5163, 13.3777, 35, "geo:52.5163,13.3777;u=35"},
		{"GEO:-33.9,18.4,12;crs=wgs84", -33.9, 18.4, 0, "geo:-33.9,18.4"},
		{"52.5163, 13.3777", 52.5163, 13.3777, 0, "geo:52.5163,13.3777"},
		{"52,5163; 13,3777", 52.5163, 13.3777, 0, "geo:52.5163,13.3777"},
		{"52.5163 13.3777", 52.5163, 13.3777, 0, "geo:52.5163,13.3777"},
		{"https://www.openstreetmap.org/?mlat=48.1374&mlon=11.5755#map=16/48.1374/11.5755", 48.1374, 11.5755, 0, "geo:48.1374,11.5755"},
		{"https://www.openstreetmap.org/#map=15/50.9375/6.9603", 50.9375, 6.9603, 0, "geo:50.9375,6.9603"},
		{"https://www.google.com/maps/@53.5511,9.9937,15z", 53.5511, 9.9937, 0, "geo:53.5511,9.9937"},
		{"https://maps.google.com/?q=51.0504,13.7373", 51.0504, 13.7373, 0, "geo:51.0504,13.7373"},
		{"52.123456789, 13.0000001", 52.123456789, 13.0000001, 0, "geo:52.123457,13"},
	} {
		l, err := ParseLocationInput(c.in)
		if err != nil || l.Lat != c.lat || l.Lon != c.lon || l.Accuracy != c.acc || l.GeoURI != c.uri {
			t.Errorf("%q: %+v %v", c.in, l, err)
		}
	}
	for _, bad := range []string{"", "geo:91,0", "geo:0,181", "100, 20", "Marktplatz", "geo:1,2;u=x", "https://example.org/", "geo:1,2;u=-5"} {
		if l, err := ParseLocationInput(bad); !errors.Is(err, ErrInvalidLocation) {
			t.Errorf("%q accepted: %+v %v", bad, l, err)
		}
	}
	l := Location{Lat: 52.52, Lon: 13.405}
	if got := l.MapURL(); got != "https://www.openstreetmap.org/?mlat=52.52&mlon=13.405#map=16/52.52/13.405" {
		t.Errorf("map URL %s", got)
	}
}

// A received location shows with coordinates, description and asset from the MSC3488 keys, or
// from geo_uri alone; one without a valid geo URI falls back to its body.
func TestLocationInTimeline(t *testing.T) {
	db := testStore(t)
	const room = "!r:x"
	events := []string{
		stateEv("m.room.member", "@a:x", "$ja", "@a:x", 1, `{"membership":"join","displayname":"Anna"}`, ""),
		ev("m.room.message", "$l1", "@a:x", 10, `{"msgtype":"m.location","body":"Sammelplatz geo:50.1,8.6","geo_uri":"geo:50.1,8.6",
			"org.matrix.msc3488.location":{"uri":"geo:50.1,8.6;u=10","description":"Sammelplatz"},"org.matrix.msc3488.asset":{"type":"m.self"}}`),
		ev("m.room.message", "$l2", "@a:x", 11, `{"msgtype":"m.location","body":"alt","geo_uri":"geo:1.5,2.5"}`),
		ev("m.room.message", "$l3", "@a:x", 12, `{"msgtype":"m.location","body":"kaputt","geo_uri":"geo:x"}`),
	}
	if _, err := ingestJSON(db, syncWith(room, 1, events)); err != nil {
		t.Fatal(err)
	}
	msgs, err := offlineSession(db, "@me:x").Timeline(context.Background(), room, 10)
	if err != nil || len(msgs) != 4 {
		t.Fatalf("%+v %v", msgs, err)
	}
	l1, l2, l3 := msgs[1], msgs[2], msgs[3]
	if l1.Kind != KindLocation || l1.Location == nil || *l1.Location != (Location{Lat: 50.1, Lon: 8.6, Accuracy: 10, Description: "Sammelplatz",
		Asset: AssetSelf, GeoURI: "geo:50.1,8.6;u=10", TS: 10}) {
		t.Errorf("location: %+v %+v", l1, l1.Location)
	}
	if l2.Kind != KindLocation || l2.Location == nil || l2.Location.Lat != 1.5 || l2.Location.Asset != AssetPin {
		t.Errorf("geo_uri only: %+v", l2.Location)
	}
	if l3.Kind != KindText || l3.Location != nil || l3.Body != "kaputt" {
		t.Errorf("invalid geo URI: %+v", l3)
	}
}
