package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestPruneMessagesBeforeKeepsNewerAndState(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Now().UnixMilli()
	day := int64(24 * time.Hour / time.Millisecond)
	empty := ""
	err := db.Tx(ctx, func(tx *Tx) error {
		r, err := tx.RoomOrNew("!r:x", "join")
		if err != nil {
			return err
		}
		r.PrevBatch = "t1"
		if err := tx.SaveRoom(r); err != nil {
			return err
		}
		for _, e := range []*Event{
			{EventID: "$old1", TS: now - 40*day, Type: "m.room.encrypted", Decrypted: json.RawMessage(`{"body":"old"}`)},
			{EventID: "$old2", TS: now - 31*day, Type: "m.room.message"},
			{EventID: "$state", TS: now - 90*day, Type: "m.room.name", StateKey: &empty},
			{EventID: "$new", TS: now - 29*day, Type: "m.room.message"},
		} {
			e.RoomID, e.Sender, e.Content = "!r:x", "@a:x", json.RawMessage(`{}`)
			rowID, _, err := tx.PutEvent(e)
			if err != nil {
				return err
			}
			if err := tx.AppendTimeline("!r:x", rowID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Tx(ctx, func(tx *Tx) (err error) { n, err = tx.PruneMessagesBefore(now - 30*day); return err }); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("pruned %d, want 2", n)
	}
	_ = db.Read(ctx, func(tx *Tx) error {
		for id, want := range map[string]bool{"$old1": false, "$old2": false, "$state": true, "$new": true} {
			if _, ok, err := tx.EventByID(id); err != nil || ok != want {
				t.Errorf("%s stored %v (err %v), want %v", id, ok, err, want)
			}
		}
		if l, _ := tx.TimelineLen("!r:x"); l != 2 {
			t.Errorf("timeline has %d entries, want 2", l)
		}
		if r, _, _ := tx.Room("!r:x"); !r.HistoryComplete || r.PrevBatch != "" {
			t.Errorf("room history complete %v, prev batch %q", r.HistoryComplete, r.PrevBatch)
		}
		return nil
	})
}
