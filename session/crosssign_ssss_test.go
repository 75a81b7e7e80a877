package session_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// The private cross-signing keys go into secret storage with the key backup, as Element keeps
// them: a new device of ours that restores with the passphrase takes them from there and signs
// itself (our first device and matrix-js-sdk then see it verified), and matrix-js-sdk, logged in
// as the same user, imports them with the recovery key and signs its own device.
func TestCrossSigningKeysRestoredFromSecretStorage(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	first := alice.login(t)
	const passphrase = "Wiederherstellung 2026"
	recoveryKey, err := first.CreateKeyBackup(ctx(t), passphrase)
	if err != nil {
		t.Fatal(err)
	}

	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	cfg := alice2.config()
	cfg.RequireDeviceVerification = true
	second, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	if second.DeviceVerified() || second.CrossSigningSeedsForTest() != nil {
		t.Fatal("a second device is verified (or holds the private keys) right after login")
	}
	// Without the private keys it may not replace secret storage (that would cut them off).
	if _, err := second.CreateKeyBackup(ctx(t), "neu"); !errors.Is(err, e2ee.ErrCrossSigningKeysNotHere) {
		t.Fatalf("an unverified device set up new secret storage: %v", err)
	}
	if err := second.RestoreKeyBackup(ctx(t), "falsche Passphrase"); err == nil {
		t.Fatal("a wrong passphrase unlocked secret storage")
	}
	if err := second.RestoreKeyBackup(ctx(t), passphrase); err != nil {
		t.Fatal(err)
	}
	if !second.DeviceVerified() {
		t.Fatal("the device restored with the passphrase is not verified")
	}
	if !slices.EqualFunc(second.CrossSigningSeedsForTest(), first.CrossSigningSeedsForTest(), bytes.Equal) {
		t.Fatal("the restored private cross-signing keys differ from the first device's")
	}
	if ok, err := second.OwnDeviceVerified(ctx(t)); err != nil || !ok {
		t.Fatalf("server view of the restored device: verified %v (%v)", ok, err)
	}
	// The first device sees the new one signed by our self-signing key.
	waitOwnDevice(t, first, second.Account().DeviceID, func(d session.DeviceInfo) bool { return d.Verified && d.CrossSigned })

	// matrix-js-sdk as a third device of alice: it imports our keys with the recovery key.
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), alice.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	masterKey, err := js.RestoreCrossSigning(ctx(t), recoveryKey)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := first.UserTrust(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if masterKey == "" || masterKey != ours.MasterKey {
		t.Fatalf("matrix-js-sdk uses master key %q, ours is %q", masterKey, ours.MasterKey)
	}
	waitOwnDevice(t, first, id.DeviceID(js.DeviceID()), func(d session.DeviceInfo) bool { return d.Verified && d.CrossSigned })
}

// Secret storage set up by matrix-js-sdk (bootstrapCrossSigning, then bootstrapSecretStorage with
// a key backup): a managed device of ours (RequireDeviceVerification) logged in as the same user
// is locked, restores with the SDK's recovery key, takes the SDK's cross-signing keys and signs
// itself; it is unlocked at once and the SDK sees it cross-signing verified.
func TestCrossSigningKeysFromJSSecretStorage(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	bob := newAccount(t, srv, "bob")
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := js.BootstrapCrossSigning(ctx(t), testPassword); err != nil {
		t.Fatal(err)
	}
	recoveryKey, _, err := js.SetupKeyBackup(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	jsMaster, err := js.MasterKey(ctx(t))
	if err != nil {
		t.Fatal(err)
	}

	cfg := bob.config()
	cfg.RequireDeviceVerification = true
	sb, err := session.Login(ctx(t), cfg, srv.URL, bob.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	roomID, err := sb.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Verwaltet", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, sb)
	if sb.DeviceVerified() {
		t.Fatal("our device is verified before the recovery key was used")
	}
	if _, err := sb.Send(ctx(t), roomID, session.Draft{Text: "gesperrt", Plain: true}); !errors.Is(err, session.ErrDeviceNotVerified) {
		t.Fatalf("sending from the locked device: %v, want ErrDeviceNotVerified", err)
	}
	seq, err := sb.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := sb.Subscribe(seq)
	defer sub.Close()

	if err := sb.RestoreKeyBackup(ctx(t), recoveryKey); err != nil {
		t.Fatal(err)
	}
	if !sb.DeviceVerified() {
		t.Fatal("not verified after restoring with the SDK's recovery key")
	}
	waitChange(t, sub, session.ChangeDeviceVerified)
	trust, err := sb.UserTrust(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if trust.MasterKey != jsMaster || trust.State != session.UserVerified {
		t.Fatalf("our view of our identity: %+v, the SDK's master key %s", trust, jsMaster)
	}
	mustSend(t, sb, roomID, "entsperrt")
	waitJSStatus(t, js, sb.Account().UserID, sb.Account().DeviceID, func(st jspeer.DeviceStatus) bool {
		return st.CrossSigningVerified && st.SignedByOwner
	})
}

// waitOwnDevice polls s's view of one of its user's devices until ok accepts it (30 s).
func waitOwnDevice(t *testing.T, s *session.Session, deviceID id.DeviceID, ok func(session.DeviceInfo) bool) {
	t.Helper()
	eventually.NoError(t, 30*time.Second, func() error {
		devs, err := s.Devices(ctx(t), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.DeviceID == deviceID && ok(d) {
				return nil
			}
		}
		return fmt.Errorf("device %s as %s sees it: %+v", deviceID, s.Account().DeviceID, devs)
	})
}

// waitChange waits (30 s) until sub returns a change of kind.
func waitChange(t *testing.T, sub *session.Subscription, kind session.ChangeKind) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx(t), 30*time.Second)
	defer cancel()
	for {
		batch, err := sub.Next(c)
		if err != nil {
			t.Fatalf("no %s change: %v", kind, err)
		}
		for _, ch := range batch {
			if ch.Kind == kind {
				return
			}
		}
	}
}
