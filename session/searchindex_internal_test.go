package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"bosmessenger/store"
	"bosmessenger/store/seal"
)

// TestSearchBackfillResumes: a backlog of unindexed messages (the history before the upgrade) is
// indexed in batches; a run stopped after one batch leaves the rest pending, the next run finishes
// it, and edits by the sender replace the text a message is found by (edits by others do not).
func TestSearchBackfillResumes(t *testing.T) {
	ctx := context.Background()
	sealer, err := seal.New(bytes.Repeat([]byte{3}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bos.db"), sealer)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = searchBatch*2 + 100
	err = db.Tx(ctx, func(tx *store.Tx) error {
		put := func(e *store.Event) error { _, _, err := tx.PutEvent(e); return err }
		for i := range n {
			dec, _ := json.Marshal(map[string]string{"msgtype": "m.text", "body": fmt.Sprintf("Meldung %d von der Wache", i)})
			if err := put(&store.Event{RoomID: "!r:x", EventID: fmt.Sprintf("$e%d", i), Sender: "@a:x", Type: "m.room.encrypted",
				TS: int64(i + 1), Content: json.RawMessage(`{}`), DecryptedType: "m.room.message", Decrypted: dec}); err != nil {
				return err
			}
		}
		edit := func(id, sender, body string) error {
			c, _ := json.Marshal(map[string]any{"msgtype": "m.text", "body": "* " + body,
				"m.new_content": map[string]string{"msgtype": "m.text", "body": body},
				"m.relates_to":  map[string]string{"rel_type": "m.replace", "event_id": "$e7"}})
			return put(&store.Event{RoomID: "!r:x", EventID: id, Sender: sender, Type: "m.room.message", TS: n + 10,
				Content: c, RelatesTo: "$e7", RelType: "m.replace"})
		}
		if err := edit("$edit", "@a:x", "Meldung korrigiert: Drehleiter"); err != nil {
			return err
		}
		return edit("$forged", "@mallory:x", "Meldung gefälscht: Tanklöschfahrzeug")
	})
	if err != nil {
		t.Fatal(err)
	}
	key := sealer.DeriveKey(searchKeyPurpose, 32)
	if done, err := indexSearchPending(ctx, db, key, 1); err != nil || done != searchBatch {
		t.Fatalf("first batch: %d %v", done, err)
	}
	pending := func() (p int) {
		_ = db.Read(ctx, func(tx *store.Tx) (err error) { p, err = tx.CountPendingSearch(); return err })
		return p
	}
	if p := pending(); p != n+2-searchBatch {
		t.Fatalf("pending after one batch: %d", p)
	}
	if _, err := indexSearchPending(ctx, db, key, 0); err != nil || pending() != 0 {
		t.Fatalf("rest: %v, pending %d", err, pending())
	}
	find := func(q string) []string {
		hits, err := searchStore(ctx, db, key, q, "", 5)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.EventID+"="+h.Body)
		}
		return out
	}
	if got := find("meldung 1034"); len(got) != 1 || got[0] != "$e1034=Meldung 1034 von der Wache" {
		t.Fatalf("meldung 1034: %q", got)
	}
	if got := find("drehleiter"); len(got) != 1 || got[0] != "$e7=Meldung korrigiert: Drehleiter" {
		t.Fatalf("edited: %q", got)
	}
	if got := find("tanklöschfahrzeug"); len(got) != 0 {
		t.Fatalf("another sender's edit counts: %q", got)
	}
	if got := find("meldung 7"); len(got) != 0 {
		t.Fatalf("the text before the edit is found: %q", got)
	}
}
