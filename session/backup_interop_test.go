package session_test

import (
	"context"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Our key backup is signed (device and master key), and each room key goes up once: a new key of
// ours (sent) or of someone else (received) adds exactly one, nothing else is uploaded again, and
// a device that restored the backup does not upload the restored keys back.
func TestKeyBackupUploadsEachKeyOnce(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	room1 := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Sicherung 1", Encrypted: true})
	mustSync(t, sa)
	mustSend(t, sa, room1, "eins von Alice")
	mustSend(t, sb, room1, "eins von Bob")
	waitForBodies(t, sa, room1, 50, "eins von Alice", "eins von Bob")

	recoveryKey, err := sa.CreateKeyBackup(ctx(t), "Sicherungs-Passphrase 2026")
	if err != nil {
		t.Fatal(err)
	}
	st := backupStatus(t, sa)
	if st.Version == "" || st.Count < 2 || !st.Signed || !st.Enabled {
		t.Fatalf("after creating the backup: %+v", st)
	}
	keys := st.Count
	// Nothing new: nothing uploaded (before, every call uploaded all keys again).
	if n, err := sa.BackupRoomKeys(ctx(t)); err != nil || n != 0 {
		t.Fatalf("backup without new keys uploaded %d (%v), want 0", n, err)
	}

	// A new session of ours goes up when we send with it.
	room2 := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Sicherung 2", Encrypted: true})
	mustSync(t, sa)
	mustSend(t, sa, room2, "zwei von Alice")
	if st := backupStatus(t, sa); st.Count != keys+1 {
		t.Fatalf("after a new own session: %d keys in the backup, want %d", st.Count, keys+1)
	}
	// A key received from Bob goes up with the sync that brought it.
	mustSync(t, sb)
	mustSend(t, sb, room2, "zwei von Bob")
	waitForBodies(t, sa, room2, 50, "zwei von Bob")
	if st := backupStatus(t, sa); st.Count != keys+2 {
		t.Fatalf("after a received session: %d keys in the backup, want %d", st.Count, keys+2)
	}
	if n, err := sa.BackupRoomKeys(ctx(t)); err != nil || n != 0 {
		t.Fatalf("backup after the sync uploaded %d (%v), want 0", n, err)
	}

	// A fresh device restores the backup: it trusts it by its signatures as well, and does not
	// upload the restored keys again.
	fresh := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	sf := fresh.login(t)
	mustSync(t, sf)
	if st := backupStatus(t, sf); !st.Signed || st.Enabled {
		t.Fatalf("fresh device before restoring: %+v", st)
	}
	if err := sf.RestoreKeyBackup(ctx(t), recoveryKey); err != nil {
		t.Fatal(err)
	}
	if n, err := sf.BackupRoomKeys(ctx(t)); err != nil || n != 0 {
		t.Fatalf("backup right after restoring uploaded %d (%v), want 0", n, err)
	}
	if st := backupStatus(t, sf); !st.Enabled || st.Count != keys+2 {
		t.Fatalf("fresh device after restoring: %+v", st)
	}
	hist, err := sf.History(ctx(t), room2, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"zwei von Alice", "zwei von Bob"} {
		if countBody(hist, body) != 1 {
			t.Errorf("after restoring: %q not readable", body)
		}
	}
}

func backupStatus(t *testing.T, s *session.Session) session.KeyBackupStatus {
	t.Helper()
	st, err := s.KeyBackupStatus(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A key backup created by matrix-js-sdk (secret storage and backup by bootstrapSecretStorage) is
// restored on a fresh device of ours with the SDK's recovery key (or passphrase): the old
// messages decrypt, and the keys of our device then go into the SDK's backup.
func TestKeyBackupCreatedByJSRestoredByUs(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	for _, tc := range []struct {
		name       string
		passphrase string
	}{{"recovery key", ""}, {"passphrase", "Passphrase der JS-Sicherung"}} {
		t.Run(tc.name, func(t *testing.T) {
			alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
			sa := alice.login(t)
			js := jspeer.Start(t, srv.URL)
			if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
				t.Fatal(err)
			}
			if err := js.BootstrapCrossSigning(ctx(t), testPassword); err != nil {
				t.Fatal(err)
			}
			roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "JS-Sicherung")
			mustSend(t, sa, roomID, "von Alice an JS")
			if _, err := js.WaitForText(ctx(t), roomID.String(), "von Alice an JS"); err != nil {
				t.Fatal(err)
			}
			for _, body := range []string{"erste von JS", "zweite von JS"} {
				if _, err := js.SendText(ctx(t), roomID.String(), body); err != nil {
					t.Fatal(err)
				}
			}
			recoveryKey, version, err := js.SetupKeyBackup(ctx(t), tc.passphrase)
			if err != nil {
				t.Fatal(err)
			}
			// Alice's session and the SDK's own.
			wc, wcancel := context.WithTimeout(ctx(t), 30*time.Second)
			info, err := js.WaitKeyBackup(wc, 2)
			wcancel()
			if err != nil {
				t.Fatal(err)
			}
			if info.Version != version || !info.Trusted {
				t.Fatalf("js backup: %+v, version %s", info, version)
			}

			fresh := &account{UserID: bob.UserID, Local: bob.Local, Dir: t.TempDir(), srv: srv, log: bob.log}
			sf := fresh.login(t)
			mustSync(t, sf)
			bodies := []string{"von Alice an JS", "erste von JS", "zweite von JS"}
			hist, err := sf.History(ctx(t), roomID, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bodies {
				if countBody(hist, b) != 0 {
					t.Fatalf("fresh device reads %q before restoring", b)
				}
			}
			st := backupStatus(t, sf)
			if st.Version != id.KeyBackupVersion(version) || !st.Signed || st.Enabled {
				t.Fatalf("js backup as we see it before restoring: %+v", st)
			}
			unlock := recoveryKey
			if tc.passphrase != "" {
				unlock = tc.passphrase
			}
			if err := sf.RestoreKeyBackup(ctx(t), unlock); err != nil {
				t.Fatal(err)
			}
			hist, err = sf.History(ctx(t), roomID, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bodies {
				if countBody(hist, b) != 1 {
					t.Errorf("after restoring the js backup: %q not readable", b)
				}
			}
			// Our new session goes into the SDK's backup, where the SDK finds it.
			st = backupStatus(t, sf)
			if !st.Enabled {
				t.Fatalf("after restoring: %+v", st)
			}
			mustSend(t, sf, roomID, "von unserem neuen Gerät")
			if _, err := js.WaitKeyBackup(ctx(t), st.Count+1); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// matrix-js-sdk, on a new device of our user, restores our key backup with our recovery key and
// decrypts our history; once the device is verified (SAS with ours) it trusts the backup by its
// signatures.
func TestKeyBackupRestoredByJS(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Unsere Sicherung", Encrypted: true})
	mustSync(t, sa)
	mustSend(t, sa, roomID, "Alice vor der Sicherung")
	mustSend(t, sb, roomID, "Bob vor der Sicherung")
	waitForBodies(t, sa, roomID, 50, "Alice vor der Sicherung", "Bob vor der Sicherung")
	recoveryKey, err := sa.CreateKeyBackup(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	keys := backupStatus(t, sa).Count

	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), alice.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	before, err := js.KeyBackupInfo(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("js on a new, unverified device of ours sees the backup as %+v", before)
	total, imported, err := js.RestoreKeyBackup(ctx(t), recoveryKey)
	if err != nil {
		t.Fatal(err)
	}
	if total != keys || imported != keys {
		t.Fatalf("js restored %d of %d keys, want %d", imported, total, keys)
	}
	for _, body := range []string{"Alice vor der Sicherung", "Bob vor der Sicherung"} {
		if _, err := js.WaitForText(ctx(t), roomID.String(), body); err != nil {
			t.Fatal(err)
		}
	}

	// Verified by our device, the SDK trusts our master key and with it the backup's signature.
	runSyncLoop(t, sa)
	if err := js.RequestVerification(ctx(t), alice.UserID, sa.Account().DeviceID.String()); err != nil {
		t.Fatal(err)
	}
	v := acceptIncoming(t, sa)
	finishSAS(t, sa, v, js)
	c, cancel := context.WithTimeout(ctx(t), 30*time.Second)
	defer cancel()
	for {
		info, err := js.KeyBackupInfo(c)
		if err != nil {
			t.Fatal(err)
		}
		if info.Trusted && info.MatchesDecryptionKey {
			break
		}
		select {
		case <-c.Done():
			t.Fatalf("js does not trust our backup after verification: %+v", info)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
