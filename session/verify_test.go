package session_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// At the first login our device gets cross-signing keys and is signed with them: we see it
// verified and cross-signed, and matrix-js-sdk sees it signed by its owner.
func TestCrossSigningBootstrappedAtFirstLogin(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	sa := alice.login(t)
	ok, err := sa.OwnDeviceVerified(ctx(t))
	if err != nil || !ok {
		t.Fatalf("own device verified after login: %v %v", ok, err)
	}
	devs, err := sa.Devices(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].DeviceID != sa.Account().DeviceID || !devs[0].Verified || !devs[0].CrossSigned {
		t.Fatalf("own devices: %+v", devs)
	}
	// Restart: the private keys come back from the store, which holds them only sealed.
	seeds := sa.CrossSigningSeedsForTest()
	if len(seeds) != 3 || len(seeds[0]) != 32 {
		t.Fatalf("private cross-signing keys after login: %d", len(seeds))
	}
	sa.Close()
	assertNotOnDisk(t, alice.Dir, seeds)
	sa = alice.open(t)
	if got := sa.CrossSigningSeedsForTest(); !slices.EqualFunc(got, seeds, bytes.Equal) {
		t.Fatal("private cross-signing keys not restored after restart")
	}
	if ok, err := sa.OwnDeviceVerified(ctx(t)); err != nil || !ok {
		t.Fatalf("own device verified after restart: %v %v", ok, err)
	}

	js, _ := jsPeerWithRoom(t, srv, sa)
	waitJSStatus(t, js, sa.Account().UserID, sa.Account().DeviceID, func(st jspeer.DeviceStatus) bool { return st.SignedByOwner })

	// A second device of the same user does not create new keys and starts unverified.
	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	sa2 := alice2.login(t)
	if ok, err := sa2.OwnDeviceVerified(ctx(t)); err != nil || ok {
		t.Fatalf("second device verified without verification: %v %v", ok, err)
	}
	if ok, err := sa.OwnDeviceVerified(ctx(t)); err != nil || !ok {
		t.Fatalf("first device lost its verification after the second login: %v %v", ok, err)
	}
}

// SAS started by us: matrix-js-sdk accepts, both show the same emojis, both confirm, and each side
// sees the other verified.
func TestSASVerificationStartedByUs(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, _ := jsPeerWithRoom(t, srv, sa)
	runSyncLoop(t, sa)

	v, err := sa.StartVerification(ctx(t), id.UserID(js.UserID()), id.DeviceID(js.DeviceID()))
	if err != nil {
		t.Fatal(err)
	}
	if uid, did, err := js.AcceptVerification(ctx(t)); err != nil || uid != sa.Account().UserID.String() || did != sa.Account().DeviceID.String() {
		t.Fatalf("js accept: %s %s %v", uid, did, err)
	}
	finishSAS(t, sa, v, js)
}

// SAS started by matrix-js-sdk: the request surfaces as a change and in PendingVerifications.
func TestSASVerificationStartedByJS(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, _ := jsPeerWithRoom(t, srv, sa)
	seq, err := sa.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := sa.Subscribe(seq)
	defer sub.Close()
	runSyncLoop(t, sa)

	if err := js.RequestVerification(ctx(t), sa.Account().UserID.String(), sa.Account().DeviceID.String()); err != nil {
		t.Fatal(err)
	}
	var verificationID string
	for verificationID == "" {
		changes, err := sub.Next(ctx(t))
		if err != nil {
			t.Fatalf("no verification change: %v", err)
		}
		for _, c := range changes {
			if c.Kind == session.ChangeVerification {
				verificationID = c.EventID.String()
			}
		}
	}
	pending := sa.PendingVerifications()
	if len(pending) != 1 || pending[0].ID != verificationID || pending[0].UserID != id.UserID(js.UserID()) ||
		pending[0].DeviceID != id.DeviceID(js.DeviceID()) || !pending[0].Incoming {
		t.Fatalf("pending: %+v, change for %s", pending, verificationID)
	}
	v, err := sa.AcceptVerification(ctx(t), verificationID)
	if err != nil {
		t.Fatal(err)
	}
	finishSAS(t, sa, v, js)
	if p := sa.PendingVerifications(); len(p) != 0 {
		t.Fatalf("still pending after done: %+v", p)
	}
}

// finishSAS compares the emojis of both sides, confirms on both and waits until each side sees
// the other's device verified.
func finishSAS(t *testing.T, sa *session.Session, v *session.Verification, js *jspeer.Peer) {
	t.Helper()
	t.Logf("SAS: %v", sameEmojisAsJS(t, v, js))
	jsDone := make(chan error, 1)
	go func() { jsDone <- js.ConfirmSAS(ctx(t)) }()
	if err := v.ConfirmSAS(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := v.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := <-jsDone; err != nil {
		t.Fatal(err)
	}
	if v.Info().State != session.VerificationDone {
		t.Fatalf("state after done: %+v", v.Info())
	}
	waitJSStatus(t, js, sa.Account().UserID, sa.Account().DeviceID, func(st jspeer.DeviceStatus) bool {
		return st.Verified && st.CrossSigningVerified && st.SignedByOwner
	})
	eventually.NoError(t, 30*time.Second, func() error {
		devs, err := sa.Devices(ctx(t), id.UserID(js.UserID()))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.DeviceID == id.DeviceID(js.DeviceID()) && d.Verified && d.CrossSigned {
				return nil
			}
		}
		return fmt.Errorf("js device not verified for us: %+v", devs)
	})
}

// jsPeerWithRoom logs in a cross-signed matrix-js-sdk user and puts it into an encrypted room with s
// (the Rust crypto tracks only devices of users it shares an encrypted room with).
func jsPeerWithRoom(t *testing.T, srv *testserver.Server, s *session.Session) (*jspeer.Peer, id.RoomID) {
	t.Helper()
	bob := newAccount(t, srv, "bob")
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := js.BootstrapCrossSigning(ctx(t), testPassword); err != nil {
		t.Fatal(err)
	}
	roomID, err := s.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Verifizierung", Encrypted: true,
		Invite: []id.UserID{id.UserID(js.UserID())}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	return js, roomID
}

// runSyncLoop runs the session's sync loop until the test ends.
func runSyncLoop(t *testing.T, s *session.Session) {
	t.Helper()
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(c, 2*time.Second, nil)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// waitJSStatus polls how js trusts a device until ok accepts it (the SDK learns about new
// signatures from a later key query).
func waitJSStatus(t *testing.T, js *jspeer.Peer, userID id.UserID, deviceID id.DeviceID, ok func(jspeer.DeviceStatus) bool) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		st, err := js.DeviceStatus(c, userID.String(), deviceID.String())
		if err != nil {
			t.Fatal(err)
		}
		if ok(st) {
			return
		}
		select {
		case <-c.Done():
			t.Fatalf("js sees %s/%s as %+v", userID, deviceID, st)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Self-verification: a second device of the user (unverified after login) verifies with the first
// by SAS; the first signs it with the self-signing key, and both then see it verified.
func TestSelfVerificationBetweenOurDevices(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	first := alice.login(t)
	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	second := alice2.login(t)
	if ok, err := second.OwnDeviceVerified(ctx(t)); err != nil || ok {
		t.Fatalf("second device verified before SAS: %v %v", ok, err)
	}
	runSyncLoop(t, first)
	runSyncLoop(t, second)

	selfVerify(t, first, second)
	eventually.NoError(t, 30*time.Second, func() error {
		ok2, err2 := second.OwnDeviceVerified(ctx(t))
		devs, err1 := first.Devices(ctx(t), "")
		ok1 := false
		for _, d := range devs {
			ok1 = ok1 || (d.DeviceID == second.Account().DeviceID && d.Verified && d.CrossSigned)
		}
		if ok1 && ok2 {
			return nil
		}
		return fmt.Errorf("after SAS: second sees itself verified %v (%v); first sees %+v (%v)", ok2, err2, devs, err1)
	})
}

// assertNotOnDisk checks that no file under dir holds any of the secrets (raw, hex or base64).
func assertNotOnDisk(t *testing.T, dir string, secrets [][]byte) {
	t.Helper()
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			for _, form := range []string{string(s), hex.EncodeToString(s), base64.StdEncoding.EncodeToString(s),
				base64.RawStdEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s)} {
				if bytes.Contains(data, []byte(form)) {
					t.Errorf("%s holds a private cross-signing key in plaintext", path)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// selfVerify runs SAS between two devices of the same user (both syncing), started by second.
func selfVerify(t *testing.T, first, second *session.Session) {
	t.Helper()
	v2, err := second.StartVerification(ctx(t), first.Account().UserID, first.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	v1 := acceptIncoming(t, first)
	e1, err1 := v1.WaitEmojis(ctx(t))
	e2, err2 := v2.WaitEmojis(ctx(t))
	if err1 != nil || err2 != nil || len(e1) != 7 || !slices.Equal(e1, e2) {
		t.Fatalf("emojis: %v %v / %v %v", e1, err1, e2, err2)
	}
	errs := make(chan error, 2)
	for _, v := range []*session.Verification{v1, v2} {
		go func() {
			if err := v.ConfirmSAS(ctx(t)); err != nil {
				errs <- err
				return
			}
			errs <- v.Wait(ctx(t))
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// acceptIncoming waits (up to 30 s) for a verification request at s, whose sync loop runs, and
// accepts the first one.
func acceptIncoming(t *testing.T, s *session.Session) *session.Verification {
	t.Helper()
	seq, err := s.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe(seq)
	defer sub.Close()
	wctx, cancel := context.WithTimeout(ctx(t), 30*time.Second)
	defer cancel()
	for len(s.PendingVerifications()) == 0 {
		if _, err := sub.Next(wctx); err != nil {
			t.Fatalf("no verification request at %s: %v", s.Account().DeviceID, err)
		}
	}
	v, err := s.AcceptVerification(ctx(t), s.PendingVerifications()[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sameEmojisAsJS waits for the seven emojis on our side and the SDK's, fails when they differ and
// returns ours.
func sameEmojisAsJS(t *testing.T, v *session.Verification, js *jspeer.Peer) []session.Emoji {
	t.Helper()
	ours, err := v.WaitEmojis(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := js.SASEmojis(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(ours))
	for i, e := range ours {
		names[i] = e.Name
	}
	if len(names) != 7 || !slices.Equal(names, theirs) {
		t.Fatalf("emojis differ: ours %v, js %v", ours, theirs)
	}
	return ours
}
