package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bosmessenger/store/seal"
)

func testCipher(t testing.TB) Cipher {
	t.Helper()
	s, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "bos.db"), testCipher(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigratesOlderSchemaForward(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bos.db")
	c := testCipher(t)
	old, err := openVersion(ctx, path, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := old.Version(ctx); v != 1 {
		t.Fatalf("old store at v%d, want v1", v)
	}
	err = old.Tx(ctx, func(tx *Tx) error {
		if err := tx.SetValue(KeyAccessToken, "secret-token"); err != nil {
			return err
		}
		if err := tx.SaveRoom(&Room{ID: "!r:x", Membership: "join", Name: "Leitstelle"}); err != nil {
			return err
		}
		// Written as the v1 code wrote it (today's PutEvent knows later columns).
		_, err := tx.tx.Exec(`INSERT INTO event (room_id, event_id, sender, type, ts, content_sealed)
			VALUES (?,?,?,?,?,?)`, "!r:x", "$e1", "@a:x", "m.room.message", 1,
			c.Seal([]byte(`{"body":"alt"}`), []byte("event.content|$e1")))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// v1 has no send queue yet.
	if err := old.Tx(ctx, func(tx *Tx) error { return tx.Enqueue(&Outgoing{RoomID: "!r:x", TxnID: "t"}) }); err == nil {
		t.Fatal("v1 schema unexpectedly has a send queue")
	}
	old.Close()

	db, err := Open(ctx, path, c)
	if err != nil {
		t.Fatalf("migrate forward: %v", err)
	}
	defer db.Close()
	if v, _ := db.Version(ctx); v != SchemaVersion() {
		t.Fatalf("migrated to v%d, want v%d", v, SchemaVersion())
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		token, err := tx.Value(KeyAccessToken)
		if err != nil || token != "secret-token" {
			return fmt.Errorf("token after migration: %q %v", token, err)
		}
		r, ok, err := tx.Room("!r:x")
		if err != nil || !ok || r.Name != "Leitstelle" {
			return fmt.Errorf("room after migration: %+v %v", r, err)
		}
		e, ok, err := tx.EventByID("$e1")
		if err != nil || !ok || string(e.Content) != `{"body":"alt"}` || e.SenderTrust != 0 {
			return fmt.Errorf("event after migration: %+v %v", e, err)
		}
		return tx.Enqueue(&Outgoing{RoomID: "!r:x", TxnID: "t1", Type: "m.room.message", Content: json.RawMessage(`{}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.sql.Exec(`UPDATE schema_version SET version = 999`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, db.Path(), testCipher(t)); err == nil {
		t.Fatal("a store from a newer program must not be opened")
	}
}

func TestWrongKeyCannotRead(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.Tx(ctx, func(tx *Tx) error { return tx.SetValue(KeyNextBatch, "s123") }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	other, _ := seal.New(bytes.Repeat([]byte{8}, seal.KeySize))
	db2, err := Open(ctx, db.Path(), other)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	err = db2.Read(ctx, func(tx *Tx) error { _, err := tx.Value(KeyNextBatch); return err })
	if !errors.Is(err, seal.ErrCorrupt) {
		t.Fatalf("reading with another key: want ErrCorrupt, got %v", err)
	}
}

func TestValueBoundToItsPlace(t *testing.T) {
	// A sealed value copied into another row must not open there.
	ctx := context.Background()
	db := openTest(t)
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.SaveRoom(&Room{ID: "!a:x", Membership: "join", Name: "A"}); err != nil {
			return err
		}
		return tx.SaveRoom(&Room{ID: "!b:x", Membership: "join", Name: "B"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`UPDATE room SET name_sealed = (SELECT name_sealed FROM room WHERE room_id = '!a:x') WHERE room_id = '!b:x'`); err != nil {
		t.Fatal(err)
	}
	err = db.Read(ctx, func(tx *Tx) error { _, _, err := tx.Room("!b:x"); return err })
	if err == nil {
		t.Fatal("a value moved to another room opened without error")
	}
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 50 {
				err := db.Tx(ctx, func(tx *Tx) error {
					_, err := tx.AddChange("timeline", fmt.Sprintf("!r%d:x", w), fmt.Sprintf("$%d-%d", w, i))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 50 {
				if err := db.Read(ctx, func(tx *Tx) error { _, err := tx.ChangesSince(0, 10); return err }); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := db.ro.QueryRow(`SELECT COUNT(*) FROM change`).Scan(&n); err != nil || n != 200 {
		t.Fatalf("want 200 changes, got %d (%v)", n, err)
	}
}

func TestBusyFromAnotherConnectionIsRetried(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// Another connection (as another process would) holds the write lock for a moment.
	other, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`PRAGMA busy_timeout = 0`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var attempts atomic.Int32
	go func() {
		done <- db.Tx(ctx, func(tx *Tx) error {
			attempts.Add(1)
			return tx.SetValue(KeyFilterID, "f1")
		})
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("transaction finished while the lock was held: %v", err)
	default:
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("retried transaction failed: %v", err)
	}
	var v string
	if err := db.Read(ctx, func(tx *Tx) (err error) { v, err = tx.Value(KeyFilterID); return err }); err != nil || v != "f1" {
		t.Fatalf("value after retry: %q %v", v, err)
	}
}
