package session

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"bosmessenger/store"
	"bosmessenger/store/seal"
)

func testStore(t testing.TB) *store.DB {
	t.Helper()
	sealer, err := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bos.db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ingestJSON decodes a /sync body the way SyncOnce does and stores it.
func ingestJSON(db *store.DB, body []byte) (*ingester, error) {
	var resp syncResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	in := &ingester{me: "@me:x", log: zerolog.Nop()}
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		*in = ingester{tx: tx, me: in.me, log: in.log}
		return in.apply(&resp)
	})
	return in, err
}

const goodSync = `{"next_batch":"s2","rooms":{"join":{"!r:x":{
 "state":{"events":[{"type":"m.room.name","state_key":"","event_id":"$n","sender":"@a:x","origin_server_ts":1,"content":{"name":"Lage"}}]},
 "timeline":{"limited":false,"prev_batch":"p1","events":[
  {"type":"m.room.message","event_id":"$1","sender":"@a:x","origin_server_ts":10,"content":{"msgtype":"m.text","body":"eins"}},
  {"type":"m.room.message","event_id":"$2","sender":"@me:x","origin_server_ts":11,"content":{"msgtype":"m.text","body":"zwei"},"unsigned":{"transaction_id":"t1"}},
  {"type":"m.room.redaction","event_id":"$3","sender":"@a:x","origin_server_ts":12,"redacts":"$1","content":{}}]},
 "ephemeral":{"events":[{"type":"m.typing","content":{"user_ids":["@a:x"]}},{"type":"m.receipt","content":{"$2":{"m.read":{"@a:x":{"ts":13}}}}}]},
 "unread_notifications":{"notification_count":2,"highlight_count":1}}},
 "invite":{"!i:x":{"invite_state":{"events":[{"type":"m.room.name","state_key":"","sender":"@b:x","content":{"name":"Einladung"}},{"type":"m.room.member","state_key":"@me:x","sender":"@b:x","content":{"membership":"invite","is_direct":true}}]}}}},
 "account_data":{"events":[{"type":"m.direct","content":{"@a:x":["!r:x"]}}]}}`

func TestIngestStoresEverythingInOneResponse(t *testing.T) {
	db := testStore(t)
	in, err := ingestJSON(db, []byte(goodSync))
	if err != nil {
		t.Fatal(err)
	}
	if in.malformed != 0 || in.events != 3 {
		t.Fatalf("malformed %d events %d", in.malformed, in.events)
	}
	err = db.Read(context.Background(), func(tx *store.Tx) error {
		r, ok, err := tx.Room("!r:x")
		if err != nil || !ok || r.Name != "Lage" || !r.IsDirect || r.NotifyCount != 2 || r.PrevBatch != "p1" || r.LastActivityTS != 11 {
			t.Errorf("room: %+v %v", r, err)
		}
		inv, ok, err := tx.Room("!i:x")
		if err != nil || !ok || inv.Membership != "invite" || inv.Name != "Einladung" || !inv.IsDirect {
			t.Errorf("invite: %+v %v", inv, err)
		}
		tl, err := tx.Timeline("!r:x", 10)
		if err != nil || len(tl) != 3 {
			t.Fatalf("timeline: %d %v", len(tl), err)
		}
		if tl[0].RedactedBy != "$3" || bytes.Contains(tl[0].Content, []byte("eins")) {
			t.Errorf("redaction not applied: %+v %s", tl[0], tl[0].Content)
		}
		if tl[1].TxnID != "t1" {
			t.Errorf("txn id not kept: %+v", tl[1])
		}
		typing, _ := tx.Typing("!r:x")
		receipts, _ := tx.Receipts("!r:x")
		if len(typing) != 1 || len(receipts) != 1 || receipts[0].EventID != "$2" {
			t.Errorf("typing %v receipts %+v", typing, receipts)
		}
		next, _ := tx.Value(store.KeyNextBatch)
		if next != "s2" {
			t.Errorf("next_batch %q", next)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIngestSkipsMalformedEventsAndKeepsTheRest(t *testing.T) {
	db := testStore(t)
	body := `{"next_batch":"s9","rooms":{"join":{
	 "!ok:x":{"timeline":{"events":[
	   {"type":"m.room.message","event_id":"$good","sender":"@a:x","origin_server_ts":1,"content":{"body":"bleibt"}},
	   {"type":"m.room.message","event_id":"no-dollar","sender":"@a:x","content":{}},
	   {"type":"m.room.message","event_id":"$nocontent","sender":"@a:x"},
	   {"type":"m.room.message","event_id":"$badts","sender":"@a:x","origin_server_ts":"gestern","content":{}},
	   {"type":"m.room.message","event_id":"$str","sender":"@a:x","content":"<script>"},
	   42, null, "x",
	   {"type":"m.room.message","event_id":"$good2","sender":"@a:x","origin_server_ts":2,"content":{"body":"auch"}}]},
	   "ephemeral":{"events":[{"type":"m.typing","content":{"user_ids":"alle"}}, {"content":{}}]}},
	 "!broken:x": {"timeline": 5},
	 "not-a-room": {}}}}`
	in, err := ingestJSON(db, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if in.malformed < 9 {
		t.Errorf("only %d malformed items reported", in.malformed)
	}
	err = db.Read(context.Background(), func(tx *store.Tx) error {
		tl, err := tx.Timeline("!ok:x", 10)
		if err != nil || len(tl) != 2 || tl[0].EventID != "$good" || tl[1].EventID != "$good2" {
			t.Errorf("timeline: %+v %v", tl, err)
		}
		next, _ := tx.Value(store.KeyNextBatch)
		if next != "s9" {
			t.Errorf("the sync token must advance past bad data, got %q", next)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzIngestSync feeds arbitrary /sync bodies through decoding and the store: never a panic, and a
// body that decodes is either stored whole or rejected whole.
func FuzzIngestSync(f *testing.F) {
	f.Add([]byte(goodSync))
	f.Add([]byte(`{"next_batch":"a","rooms":{"join":{"!r:x":{"timeline":{"limited":true,"events":[{}]}}}}}`))
	f.Add([]byte(`{"next_batch":"a","rooms":{"leave":{"!r:x":{"timeline":{"events":[{"type":"m.room.member","state_key":"@me:x","event_id":"$l","sender":"@me:x","content":{"membership":"ban"}}]}}}}}`))
	f.Add([]byte(`{"next_batch":`))
	db := testStore(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = ingestJSON(db, body)
	})
}
