package session_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/faultproxy"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// accountFiles are the files an account writes into its data dir (the lock may stay).
var accountFiles = []string{"bos.db", "bos.db-wal", "bos.db-shm", "crypto.db", "crypto.db-wal", "crypto.db-shm",
	"storekey.json", "log/bosctl.log", "log/bosmessenger.log"}

// Remote wipe: alice deletes her second device from her first one. With RemoteWipe the second
// device's running sync loop ends with ErrRemoteWiped (matching ErrSessionTerminated), its
// subscribers get a last remote_wiped change, and nothing but the lock file is left in its
// data dir. Without RemoteWipe the same deletion ends the sync with ErrSessionTerminated and
// deletes nothing.
func TestRemoteWipeWhenDeviceDeleted(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	first := alice.login(t)
	roomID, err := first.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Wipe", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	report := mustSend(t, first, roomID, "Lagebericht")

	for _, wipe := range []bool{true, false} {
		name := map[bool]string{true: "wipe", false: "keep"}[wipe]
		t.Run(name, func(t *testing.T) {
			dev := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
			cfg := dev.config()
			cfg.RemoteWipe = wipe
			s, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			// The message is stored (the new device cannot read it).
			for i := 0; ; i++ {
				if _, ok, err := s.Event(ctx(t), report); err != nil || ok {
					break
				}
				if i == 20 {
					t.Fatal("the message never arrived")
				}
				if _, err := s.SyncOnce(ctx(t), time.Second); err != nil {
					t.Fatal(err)
				}
			}
			seq, err := s.LastSeq(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			sub := s.Subscribe(seq)
			defer sub.Close()
			runErr := make(chan error, 1)
			go func() { runErr <- s.Run(context.Background(), time.Second, nil) }()

			if err := first.DeleteDevice(ctx(t), s.Account().DeviceID, testPassword); err != nil {
				t.Fatal(err)
			}
			var err2 error
			select {
			case err2 = <-runErr:
			case <-time.After(30 * time.Second):
				t.Fatal("the sync loop did not end after the device was deleted")
			}
			if !errors.Is(err2, session.ErrSessionTerminated) || errors.Is(err2, session.ErrRemoteWiped) != wipe {
				t.Fatalf("sync loop ended with %v (remote wipe %v)", err2, wipe)
			}
			if wipe {
				if !strings.Contains(err2.Error(), "signed out remotely") {
					t.Errorf("error does not say the device was signed out remotely: %v", err2)
				}
				waitChange(t, sub, session.ChangeRemoteWiped)
				assertWiped(t, dev.Dir)
				return
			}
			for _, name := range []string{"bos.db", "crypto.db", "storekey.json"} {
				if _, err := os.Stat(filepath.Join(dev.Dir, name)); err != nil {
					t.Errorf("without remote wipe %s was deleted: %v", name, err)
				}
			}
		})
	}
}

// A 401 M_UNKNOWN_TOKEN with soft_logout true never wipes, even with RemoteWipe: the sync fails
// with ErrSessionTerminated saying "soft logout", the data stays and the session keeps working.
// The same answer without soft_logout wipes.
func TestSoftLogoutNeverWipes(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	proxy := faultproxy.New(t, srv.URL)
	alice := newAccount(t, srv, "alice")
	cfg := alice.config()
	cfg.RemoteWipe = true
	s, err := session.Login(ctx(t), cfg, proxy.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mustSync(t, s)

	proxy.Inject("/sync", faultproxy.Status401SoftLogout, 1)
	_, err = s.SyncOnce(ctx(t), 0)
	if !errors.Is(err, session.ErrSessionTerminated) || errors.Is(err, session.ErrRemoteWiped) || !strings.Contains(err.Error(), "soft logout") {
		t.Fatalf("soft logout: %v", err)
	}
	for _, name := range []string{"bos.db", "crypto.db", "storekey.json"} {
		if _, err := os.Stat(filepath.Join(alice.Dir, name)); err != nil {
			t.Fatalf("soft logout deleted %s: %v", name, err)
		}
	}
	mustSync(t, s)

	proxy.Inject("/sync", faultproxy.Status401UnknownToken, 1)
	if _, err := s.SyncOnce(ctx(t), 0); !errors.Is(err, session.ErrRemoteWiped) {
		t.Fatalf("unknown token without soft logout: %v", err)
	}
	assertWiped(t, alice.Dir)
}

// assertWiped checks that dir holds nothing of the account but (at most) the lock file. The
// test's own log (log/test.log, not a file of ours) may stay, and with it the log dir.
func assertWiped(t *testing.T, dir string) {
	t.Helper()
	for _, name := range accountFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s left behind after the remote wipe (%v)", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "lock" && e.Name() != "log" {
			t.Errorf("%s left in the data dir", e.Name())
		}
	}
}
