package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// A v5 store's undecryptable events get their reason code from the detail text the v5 code
// stored (the one time text is read); decrypted events get none; later writes store the code.
func TestMigrationFillsDecryptionReason(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bos.db")
	c := testCipher(t)
	old, err := openVersion(ctx, path, c, 5)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{ // the texts crypto.describe wrote before v6, and the code each must get
		"the key for this message has not arrived (missing session)":                               "missing_session",
		"the sender withheld the key: m.unverified":                                                "unverified_device",
		"the sender withheld the key: m.no_olm":                                                    "unknown_device",
		"the sender withheld the key: m.blacklisted":                                               "withheld",
		"replayed message (message index used before)":                                             "tampered",
		"message encrypted for another room":                                                       "tampered",
		"sender device keys do not match":                                                          "tampered",
		"corrupted encrypted message":                                                              "tampered",
		`unsupported encryption algorithm "m.olm.v1.curve25519-aes-sha2"`:                          "unknown_algorithm",
		"malformed encrypted content":                                                              "other",
		"could not decrypt: failed to decrypt megolm event: decrypt: bad signature":                "tampered",
		"could not decrypt: failed to decrypt megolm event: illegal base64 data at input byte 136": "tampered",
		"could not decrypt: olm: bad message":                                                      "other",
		"":                                                                                         "", // decrypted
	}
	ids := map[string]string{}
	err = old.Tx(ctx, func(tx *Tx) error {
		i := 0
		for text := range rows {
			i++
			evID := fmt.Sprintf("$e%d", i)
			ids[evID] = text
			// Written as the v5 code wrote it (today's PutEvent knows the new column).
			if _, err := tx.tx.Exec(`INSERT INTO event (room_id, event_id, sender, type, ts, content_sealed,
				decryption_error) VALUES (?,?,?,?,?,?,?)`, "!r:x", evID, "@a:x", "m.room.encrypted", i,
				c.Seal([]byte(`{}`), []byte("event.content|"+evID)), nullable(text)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	db, err := Open(ctx, path, c)
	if err != nil {
		t.Fatalf("migrate forward: %v", err)
	}
	defer db.Close()
	err = db.Tx(ctx, func(tx *Tx) error {
		for evID, text := range ids {
			e, ok, err := tx.EventByID(evID)
			if err != nil || !ok {
				return fmt.Errorf("%s: %v", evID, err)
			}
			if e.DecryptionReason != rows[text] || e.DecryptionError != text {
				t.Errorf("%q: reason %q (detail %q), want %q", text, e.DecryptionReason, e.DecryptionError, rows[text])
			}
		}
		// New writes carry the code; a later successful decryption clears it.
		if err := tx.SetDecryption("$e1", "s", "", nil, "detail", "tampered", 0); err != nil {
			return err
		}
		if e, _, _ := tx.EventByID("$e1"); e.DecryptionReason != "tampered" {
			return fmt.Errorf("SetDecryption reason: %q", e.DecryptionReason)
		}
		if err := tx.SetDecryption("$e1", "s", "m.room.message", []byte(`{}`), "", "", 0); err != nil {
			return err
		}
		if e, _, _ := tx.EventByID("$e1"); e.DecryptionReason != "" || e.DecryptionError != "" {
			return fmt.Errorf("after decryption: %q %q", e.DecryptionReason, e.DecryptionError)
		}
		ev := &Event{RoomID: "!r:x", EventID: "$new", Sender: "@a:x", Type: "m.room.encrypted", TS: 99,
			DecryptionError: "detail", DecryptionReason: "withheld"}
		if _, _, err := tx.PutEvent(ev); err != nil {
			return err
		}
		if e, _, _ := tx.EventByID("$new"); e.DecryptionReason != "withheld" {
			return fmt.Errorf("PutEvent reason: %q", e.DecryptionReason)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
