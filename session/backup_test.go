package session_test

import (
	"errors"
	"testing"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Our key backup (secret storage + m.megolm_backup.v1) restored on a fresh device of ours decrypts
// the old history, unlocked by the recovery key or by the passphrase.
func TestKeyBackupRestoresHistoryOnANewDevice(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Sicherung", Encrypted: true})
	mustSync(t, sa)
	mustSend(t, sa, roomID, "eigene Nachricht vor der Sicherung")
	mustSend(t, sb, roomID, "Nachricht von Bob vor der Sicherung")
	waitForBodies(t, sa, roomID, 50, "eigene Nachricht vor der Sicherung", "Nachricht von Bob vor der Sicherung")

	recoveryKey, err := sa.CreateKeyBackup(ctx(t), "Sicherungs-Passphrase 2026")
	if err != nil {
		t.Fatal(err)
	}
	if len(recoveryKey) < 40 {
		t.Fatalf("recovery key %q looks wrong", recoveryKey)
	}
	// A key that arrives after the backup was created goes into it too.
	sb.Close()
	bob2 := &account{UserID: bob.UserID, Local: bob.Local, Dir: t.TempDir(), srv: srv, log: bob.log}
	sbNew := bob2.login(t)
	mustSync(t, sbNew)
	mustSend(t, sbNew, roomID, "neuer Schlüssel nach der Sicherung")
	waitForBodies(t, sa, roomID, 50, "neuer Schlüssel nach der Sicherung")

	for _, unlock := range []string{recoveryKey, "Sicherungs-Passphrase 2026"} {
		fresh := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
		sf := fresh.login(t)
		mustSync(t, sf)
		hist, err := sf.History(ctx(t), roomID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var waiting []id.EventID
		for _, e := range hist {
			if e.Encrypted && !e.Decrypted {
				waiting = append(waiting, e.EventID)
			}
		}
		if len(waiting) < 3 {
			t.Fatalf("a fresh device should not read the old messages yet: %+v", hist)
		}
		if err := sf.RestoreKeyBackup(ctx(t), "falscher Schlüssel"); !errors.Is(err, e2ee.ErrWrongRecoveryKey) {
			t.Fatalf("wrong recovery key: want ErrWrongRecoveryKey, got %v", err)
		}
		if err := sf.RestoreKeyBackup(ctx(t), unlock); err != nil {
			t.Fatal(err)
		}
		hist, err = sf.History(ctx(t), roomID, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{"eigene Nachricht vor der Sicherung", "Nachricht von Bob vor der Sicherung", "neuer Schlüssel nach der Sicherung"} {
			if countBody(hist, body) != 1 {
				t.Errorf("after restoring with %.8s…: %q not readable", unlock, body)
			}
		}
	}
}
