package session_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Managed devices: a new login of alice with RequireDeviceVerification sends nothing and reads
// nothing, not even messages whose room key it holds; they show as locked with the reason
// "device not verified". After SAS with alice's first device it is unlocked without a restart:
// the held-back messages decrypt in place (the older one with a key forwarded by the first
// device) and sending works.
func TestManagedDeviceLockedUntilVerified(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	first, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, first, sb, session.CreateRoomOptions{Name: "Einsatz", Encrypted: true})
	mustSync(t, first)
	before := mustSend(t, first, roomID, "vor dem neuen Gerät")

	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	cfg := alice2.config()
	cfg.RequireDeviceVerification = true
	second, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	if second.DeviceVerified() || !second.DeviceLocked() {
		t.Fatal("the new device is verified (or not locked) right after login")
	}
	mustSync(t, sb)
	after := mustSend(t, sb, roomID, "nach dem neuen Gerät") // shared with the new device too
	for _, s := range []*session.Session{first, second} {
		runSyncLoop(t, s)
	}
	for _, eventID := range []id.EventID{before, after} {
		ev := waitStoredEvent(t, second, eventID)
		if ev.Decrypted || ev.Body != "" || ev.DecryptionError != session.LockedReason {
			t.Fatalf("the locked device exposes %s: %+v", eventID, ev)
		}
	}
	if _, err := second.Send(ctx(t), roomID, session.Draft{Text: "darf nicht ankommen", Plain: true}); !errors.Is(err, session.ErrDeviceNotVerified) {
		t.Fatalf("sending from the locked device: %v, want ErrDeviceNotVerified", err)
	}
	if _, err := second.SendFile(ctx(t), roomID, "lage.txt", "text/plain", []byte("Lage")); !errors.Is(err, session.ErrDeviceNotVerified) {
		t.Fatalf("sending a file from the locked device: %v, want ErrDeviceNotVerified", err)
	}
	if out, err := second.Outgoing(ctx(t), roomID); err != nil || len(out) != 0 {
		t.Fatalf("the locked device queued %d messages (%v)", len(out), err)
	}
	// A later message stored shows that the sync loop went on past the key: still nothing decrypted.
	waitStoredEvent(t, second, mustSend(t, sb, roomID, "Markierung"))
	if ev, _, _ := second.Event(ctx(t), after); ev.Decrypted {
		t.Fatal("the locked device decrypted a message")
	}

	seq, err := second.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := second.Subscribe(seq)
	defer sub.Close()
	selfVerify(t, first, second)
	waitChange(t, sub, session.ChangeDeviceVerified)
	if !second.DeviceVerified() || second.DeviceLocked() {
		t.Fatal("not verified (or still locked) after SAS with the first device")
	}
	for _, eventID := range []id.EventID{after, before} {
		waitDecrypted(t, second, eventID)
	}
	mustSend(t, second, roomID, "jetzt verifiziert")
	waitForBodies(t, sb, roomID, 50, "jetzt verifiziert")
	if hist := waitForBodies(t, sb, roomID, 50); countBody(hist, "darf nicht ankommen") != 0 {
		t.Fatal("the message refused while locked arrived")
	}
}

// waitStoredEvent waits (20 s) until s stored the event.
func waitStoredEvent(t *testing.T, s *session.Session, eventID id.EventID) session.TimelineEvent {
	t.Helper()
	var ev session.TimelineEvent
	eventually.True(t, 20*time.Second, fmt.Sprintf("%s storing %s", s.Account().DeviceID, eventID), func() bool {
		var ok bool
		var err error
		if ev, ok, err = s.Event(ctx(t), eventID); err != nil {
			t.Fatal(err)
		}
		return ok
	})
	return ev
}

// waitDecrypted waits (30 s) until s decrypted the stored event.
func waitDecrypted(t *testing.T, s *session.Session, eventID id.EventID) {
	t.Helper()
	eventually.NoError(t, 30*time.Second, func() error {
		ev, _, err := s.Event(ctx(t), eventID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Decrypted && ev.Body != "" {
			return nil
		}
		return fmt.Errorf("%s not decrypted: %+v", eventID, ev)
	})
}

// A locked managed device answers no room key requests: alice's only other device that holds
// a room key is locked, so her third device (verified with the recovery key) asks in vain.
func TestLockedDeviceAnswersNoKeyRequests(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	first, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, first, sb, session.CreateRoomOptions{Name: "Schlüssel", Encrypted: true})
	recoveryKey, err := first.CreateKeyBackup(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	cfg := alice2.config()
	cfg.RequireDeviceVerification = true
	locked, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { locked.Close() })
	if err := first.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	mustSync(t, sb)
	secret := mustSend(t, sb, roomID, "nur für das gesperrte Gerät") // its key goes to the locked device only
	runSyncLoop(t, locked)
	if ev := waitStoredEvent(t, locked, secret); ev.DecryptionError != session.LockedReason {
		t.Fatalf("locked device: %+v", ev)
	}

	alice3 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	third := alice3.login(t)
	if err := third.RestoreKeyBackup(ctx(t), recoveryKey); err != nil {
		t.Fatal(err)
	}
	if !third.DeviceVerified() {
		t.Fatal("the third device is not verified after the recovery key")
	}
	runSyncLoop(t, third)
	waitStoredEvent(t, third, secret)
	// The request went out with the sync that brought the event; no event shows that the locked
	// device ignored it, so give it time to answer.
	time.Sleep(8 * time.Second)

	if ev, _, _ := third.Event(ctx(t), secret); ev.Decrypted {
		t.Fatal("the locked device forwarded a room key")
	}
}
