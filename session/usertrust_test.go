package session_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Per-user trust through a whole life cycle with a matrix-js-sdk user: unverified while only
// cross-signed, verified after SAS (also after a restart), identity_changed with a change event
// when they reset their cross-signing keys, unverified once acknowledged, and identity_changed
// again (also after a restart) when the pinned but unverified identity changes. Users without
// cross-signing and our own user are covered too.
func TestUserTrustLifeCycle(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	sa := alice.login(t)
	js, _ := jsPeerWithRoom(t, srv, sa)
	bob := id.UserID(js.UserID())
	stop := startSyncLoop(t, sa)

	own, err := sa.UserTrust(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if own.State != session.UserVerified || own.UserID != sa.Account().UserID || own.MasterKey == "" ||
		len(own.Devices) != 1 || own.Devices[0].DeviceID != sa.Account().DeviceID || !own.Devices[0].Verified {
		t.Fatalf("own trust: %+v", own)
	}

	// A user without cross-signing keys, with one device.
	carol := newAccount(t, srv, "carol")
	jsCarol := jspeer.Start(t, srv.URL)
	if _, _, err := jsCarol.Login(ctx(t), carol.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	ct, err := sa.UserTrust(ctx(t), id.UserID(jsCarol.UserID()))
	if err != nil {
		t.Fatal(err)
	}
	if ct.State != session.UserNoCrossSigning || ct.MasterKey != "" || ct.PinnedKey != "" || len(ct.Devices) != 1 ||
		ct.Devices[0].DeviceID != id.DeviceID(jsCarol.DeviceID()) || ct.Devices[0].CrossSigned || ct.Devices[0].Verified {
		t.Fatalf("trust of a user without cross-signing: %+v", ct)
	}

	// Cross-signed but not verified by us: pinned on first sight.
	firstKey, err := js.MasterKey(ctx(t))
	if err != nil || firstKey == "" {
		t.Fatalf("js master key: %q %v", firstKey, err)
	}
	bt := userTrust(t, sa, bob)
	if bt.State != session.UserUnverified || bt.MasterKey != firstKey || bt.PinnedKey != firstKey || bt.WasVerified ||
		len(bt.Devices) != 1 || bt.Devices[0].DeviceID != id.DeviceID(js.DeviceID()) || !bt.Devices[0].CrossSigned || bt.Devices[0].Verified {
		t.Fatalf("trust of a cross-signed, unverified user: %+v", bt)
	}

	v, err := sa.StartVerification(ctx(t), bob, id.DeviceID(js.DeviceID()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := js.AcceptVerification(ctx(t)); err != nil {
		t.Fatal(err)
	}
	finishSAS(t, sa, v, js)
	bt = userTrust(t, sa, bob)
	if bt.State != session.UserVerified || bt.MasterKey != firstKey || bt.PinnedKey != firstKey || !bt.WasVerified || !bt.Devices[0].Verified {
		t.Fatalf("trust after SAS: %+v", bt)
	}

	// The verification survives a restart (our user-signing signature is in the crypto store).
	stop()
	sa.Close()
	sa = alice.open(t)
	bt = userTrust(t, sa, bob)
	if bt.State != session.UserVerified || bt.PinnedKey != firstKey || !bt.Devices[0].Verified || bt.Devices[0].Trust != "verified" {
		t.Fatalf("trust after restart: %+v", bt)
	}
	if own := userTrust(t, sa, sa.Account().UserID); own.State != session.UserVerified {
		t.Fatalf("own trust after restart: %+v", own)
	}
	stop = startSyncLoop(t, sa)

	// Bob resets his cross-signing keys: the sync brings the device list change, which is
	// recorded as an identity change of a verified user.
	seq, err := sa.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := sa.Subscribe(seq)
	defer sub.Close()
	if err := js.ResetCrossSigning(ctx(t), ""); err != nil {
		t.Fatal(err)
	}
	secondKey, err := js.MasterKey(ctx(t))
	if err != nil || secondKey == "" || secondKey == firstKey {
		t.Fatalf("master key after reset: %q (before %q) %v", secondKey, firstKey, err)
	}
	waitIdentityChange(t, sub, bob)
	bt = userTrust(t, sa, bob)
	if bt.State != session.UserIdentityChanged || bt.MasterKey != secondKey || bt.PinnedKey != firstKey || !bt.WasVerified {
		t.Fatalf("trust after the reset of a verified user: %+v", bt)
	}
	// Asking again neither changes the state nor records the change twice.
	if again := userTrust(t, sa, bob); again.State != session.UserIdentityChanged {
		t.Fatalf("trust asked again: %+v", again)
	}

	if err := sa.AcknowledgeIdentity(ctx(t), bob); err != nil {
		t.Fatal(err)
	}
	bt = userTrust(t, sa, bob)
	if bt.State != session.UserUnverified || bt.MasterKey != secondKey || bt.PinnedKey != secondKey || bt.WasVerified {
		t.Fatalf("trust after acknowledging: %+v", bt)
	}

	// A second reset changes the pinned (acknowledged, unverified) identity.
	if err := js.ResetCrossSigning(ctx(t), ""); err != nil {
		t.Fatal(err)
	}
	thirdKey, err := js.MasterKey(ctx(t))
	if err != nil || thirdKey == secondKey || thirdKey == firstKey {
		t.Fatalf("master key after the second reset: %q %v", thirdKey, err)
	}
	waitIdentityChange(t, sub, bob)
	bt = userTrust(t, sa, bob)
	if bt.State != session.UserIdentityChanged || bt.MasterKey != thirdKey || bt.PinnedKey != secondKey || bt.WasVerified {
		t.Fatalf("trust after the reset of a pinned user: %+v", bt)
	}
	stop()
	sub.Close()
	sa.Close()
	sa = alice.open(t)
	if bt := userTrust(t, sa, bob); bt.State != session.UserIdentityChanged || bt.PinnedKey != secondKey {
		t.Fatalf("identity change forgotten after restart: %+v", bt)
	}
	if err := sa.AcknowledgeIdentity(ctx(t), bob); err != nil {
		t.Fatal(err)
	}
	if bt := userTrust(t, sa, bob); bt.State != session.UserUnverified || bt.PinnedKey != thirdKey {
		t.Fatalf("trust after the second acknowledgement: %+v", bt)
	}
}

func userTrust(t *testing.T, s *session.Session, userID id.UserID) session.UserTrustInfo {
	t.Helper()
	info, err := s.UserTrust(ctx(t), userID)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// waitIdentityChange waits for exactly one identity_changed change, for userID, among the next
// changes (the batch it arrives in and those of the following second).
func waitIdentityChange(t *testing.T, sub *session.Subscription, userID id.UserID) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var got []id.UserID
	for len(got) == 0 {
		changes, err := sub.Next(c)
		if err != nil {
			t.Fatalf("no identity change for %s: %v", userID, err)
		}
		for _, ch := range changes {
			if ch.Kind == session.ChangeIdentityChanged {
				got = append(got, ch.UserID)
			}
		}
	}
	// Later syncs must not record the same change again.
	c2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	for {
		changes, err := sub.Next(c2)
		if err != nil {
			break
		}
		for _, ch := range changes {
			if ch.Kind == session.ChangeIdentityChanged {
				got = append(got, ch.UserID)
			}
		}
	}
	if len(got) != 1 || got[0] != userID {
		t.Fatalf("identity changes: %v, want one for %s", got, userID)
	}
}

// startSyncLoop runs the session's sync loop until the returned stop is called (or the test ends).
func startSyncLoop(t *testing.T, s *session.Session) (stop func()) {
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(c, 2*time.Second, nil)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// With "exclude insecure devices" on, a device that was left out of a room key for not being
// cross-signed gets the key of the next message once its owner cross-signed it: the sync that
// brings the change rotates the room's session.
func TestWithheldRoomKeyReachesDeviceOnceCrossSigned(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	cfg := alice.config()
	cfg.ExcludeInsecureDevices = true
	sa, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "Nur geprüfte Geräte")
	before := mustSend(t, sa, roomID, "vor der Quersignierung")
	c, cancel := context.WithTimeout(ctx(t), 20*time.Second)
	defer cancel()
	ev, err := js.WaitForEvent(c, roomID.String(), func(e jspeer.Event) bool { return e.EventID == before.String() && e.DecryptionFailure != "" })
	if err != nil || !strings.Contains(ev.DecryptionFailure, "WITHHELD_FOR_UNVERIFIED") {
		t.Fatalf("the device that is not cross-signed should see the key withheld: %+v %v", ev, err)
	}
	// A second message in the same session stays withheld: nothing changed yet.
	still := mustSend(t, sa, roomID, "immer noch nicht")
	if ev, err := js.WaitForEvent(c, roomID.String(), func(e jspeer.Event) bool { return e.EventID == still.String() && e.DecryptionFailure != "" }); err != nil {
		t.Fatalf("second message before cross-signing: %+v %v", ev, err)
	}

	seq, err := sa.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := sa.Subscribe(seq)
	defer sub.Close()
	// Bob cross-signs his device; alice does not sync meanwhile, so the first sync that reports
	// the change sees the finished upload.
	if err := js.BootstrapCrossSigning(ctx(t), ""); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 30*time.Second, "a device list change for bob after he cross-signed his device", func() bool {
		mustSync(t, sa)
		sc, scancel := context.WithTimeout(ctx(t), 200*time.Millisecond)
		changes, _ := sub.Next(sc)
		scancel()
		return slices.ContainsFunc(changes, func(ch session.Change) bool {
			return ch.Kind == session.ChangeDevices && ch.UserID == id.UserID(bob.UserID)
		})
	})

	after := mustSend(t, sa, roomID, "nach der Quersignierung")
	c2, cancel2 := context.WithTimeout(ctx(t), 20*time.Second)
	defer cancel2()
	ev, err = js.WaitForEvent(c2, roomID.String(), func(e jspeer.Event) bool { return e.EventID == after.String() && e.DecryptionFailure == "" })
	if err != nil || ev.Body() != "nach der Quersignierung" {
		evs, _ := js.Events(ctx(t), roomID.String())
		t.Fatalf("the next message after cross-signing: %+v %v\nall events: %+v", ev, err, evs)
	}
}
