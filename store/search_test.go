package store

import (
	"context"
	"encoding/json"
	"testing"
)

// TestSearchPostings: a stored message waits for the index until its postings are set; a search
// finds events holding all tokens, newest first, in a room or all; redaction and retention pruning
// drop postings; a late decryption puts the event back in the queue. Existing events (a store from
// before v7) wait for the index too, state events never.
func TestSearchPostings(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a, b, c := []byte("tok-a-0123456789"), []byte("tok-b-0123456789"), []byte("tok-c-0123456789")
	sk := ""
	err := db.Tx(ctx, func(tx *Tx) error {
		for i, e := range []*Event{
			{RoomID: "!r1:x", EventID: "$1", Sender: "@a:x", Type: "m.room.message", TS: 100, Content: json.RawMessage(`{"body":"x"}`)},
			{RoomID: "!r2:x", EventID: "$2", Sender: "@a:x", Type: "m.room.message", TS: 300, Content: json.RawMessage(`{"body":"y"}`)},
			{RoomID: "!r1:x", EventID: "$3", Sender: "@a:x", Type: "m.room.message", TS: 200, Content: json.RawMessage(`{"body":"z"}`)},
			{RoomID: "!r1:x", EventID: "$s", Sender: "@a:x", Type: "m.room.name", StateKey: &sk, TS: 50, Content: json.RawMessage(`{}`)},
		} {
			if _, _, err := tx.PutEvent(e); err != nil {
				return err
			}
			if n, err := tx.CountPendingSearch(); err != nil || n != i+1 {
				t.Errorf("pending after %d events: %d %v", i+1, n, err)
			}
		}
		pending, err := tx.PendingSearchEvents(10)
		if err != nil || len(pending) != 4 {
			t.Fatalf("pending: %d %v", len(pending), err)
		}
		for _, e := range pending {
			tokens := map[string][][]byte{"$1": {a, b}, "$2": {a}, "$3": {a, b, c}}[e.EventID]
			if err := tx.SetSearchPostings(e.RowID, e.TS, tokens); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	find := func(room string, tokens ...[]byte) []string {
		t.Helper()
		var out []string
		err := db.Read(ctx, func(tx *Tx) error {
			events, err := tx.SearchCandidates(tokens, room, 0, 10)
			for _, e := range events {
				out = append(out, e.EventID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	expect := func(got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
	}
	expect(find("", a), "$2", "$3", "$1")
	expect(find("", b, a), "$3", "$1")
	expect(find("", c, a, b), "$3")
	expect(find("!r1:x", a), "$3", "$1")
	expect(find("", []byte("unknown-token-xx")))

	err = db.Tx(ctx, func(tx *Tx) error {
		if err := tx.RedactEvent("$3", "$red", json.RawMessage(`{}`)); err != nil {
			return err
		}
		if err := tx.SetDecryption("$1", "sess", "m.room.message", json.RawMessage(`{"body":"late"}`), "", "", 0); err != nil {
			return err
		}
		n, err := tx.CountPendingSearch()
		if err != nil || n != 1 {
			t.Errorf("pending after a late decryption: %d %v", n, err)
		}
		_, err = tx.PruneMessagesBefore(250) // removes $1 (and $3)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	expect(find("", a), "$2")
	err = db.Read(ctx, func(tx *Tx) error {
		n, err := tx.SearchIndexSize()
		if err != nil || n != 1 {
			t.Errorf("postings left: %d %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSearchMigrationQueuesHistory: messages stored before v7 wait for the search index after the
// upgrade (the backfill on first open), state events do not.
func TestSearchMigrationQueuesHistory(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/bos.db"
	c := testCipher(t)
	old, err := openVersion(ctx, path, c, 6)
	if err != nil {
		t.Fatal(err)
	}
	err = old.Tx(ctx, func(tx *Tx) error {
		_, err := tx.tx.Exec(`INSERT INTO event (room_id, event_id, sender, type, ts, content_sealed, state_key)
			VALUES ('!r:x', '$m', '@a:x', 'm.room.message', 1, x'00', NULL), ('!r:x', '$s', '@a:x', 'm.room.name', 1, x'00', '')`)
		return err
	})
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Read(ctx, func(tx *Tx) error {
		n, err := tx.CountPendingSearch()
		if err != nil || n != 1 {
			t.Errorf("pending after the upgrade: %d %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
