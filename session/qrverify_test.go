package session_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// QR verification, we show: matrix-js-sdk requests (without starting SAS), we accept and show our
// QR code, the SDK scans it and reciprocates, we confirm, and each side then trusts the other user.
func TestQRVerificationWeShowJSScans(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, _ := jsPeerWithRoom(t, srv, sa)
	runSyncLoop(t, sa)

	if err := js.RequestQRVerification(ctx(t), sa.Account().UserID.String(), sa.Account().DeviceID.String()); err != nil {
		t.Fatal(err)
	}
	v := acceptIncoming(t, sa)
	qr, err := v.WaitQRCode(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	own, err := sa.UserTrust(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := sa.UserTrust(ctx(t), id.UserID(js.UserID()))
	if err != nil {
		t.Fatal(err)
	}
	// Mode 0 (verifying another user): our master key, then the one we know for them.
	checkQRCode(t, qr, 0x00, v.ID(), own.MasterKey, bob.MasterKey)
	if info := v.Info(); info.State != session.VerificationReady || !info.CanScanQR || !bytes.Equal(info.QRCode, qr) {
		t.Fatalf("ready verification: %+v", info)
	}

	if err := js.ScanQRCode(ctx(t), qr); err != nil {
		t.Fatal(err)
	}
	if err := v.WaitQRScanned(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if st := v.Info().State; st != session.VerificationQRScanned {
		t.Fatalf("state after the scan: %s", st)
	}
	if bt := userTrust(t, sa, id.UserID(js.UserID())); bt.State != session.UserUnverified {
		t.Fatalf("verified before confirming the scan: %+v", bt)
	}
	if err := v.ConfirmQRScanned(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := v.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := js.WaitVerificationDone(ctx(t)); err != nil {
		t.Fatal(err)
	}
	waitMutualUserTrust(t, sa, js)
}

// QR verification, we scan: we request (no SAS), matrix-js-sdk accepts and shows its QR code, we
// scan it, the SDK confirms the reciprocation, and each side then trusts the other user. A code
// of another verification is refused before anything is sent.
func TestQRVerificationJSShowsWeScan(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, _ := jsPeerWithRoom(t, srv, sa)
	runSyncLoop(t, sa)

	v, err := sa.RequestVerification(ctx(t), id.UserID(js.UserID()), id.DeviceID(js.DeviceID()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := js.AcceptVerification(ctx(t)); err != nil {
		t.Fatal(err)
	}
	qr, err := js.QRCode(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	own := userTrust(t, sa, "")
	bob := userTrust(t, sa, id.UserID(js.UserID()))
	checkQRCode(t, qr, 0x00, v.ID(), bob.MasterKey, own.MasterKey)
	// We asked without SAS: the request waits in the ready state for our choice.
	if _, err := v.WaitQRCode(ctx(t)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if info := v.Info(); info.State != session.VerificationReady || !info.CanScanQR || len(info.Emojis) != 0 {
		t.Fatalf("requested verification after ready: %+v", info)
	}

	other := bytes.Clone(qr)
	other[10] ^= 1 // a byte of the transaction ID
	if err := v.ScanQRCode(ctx(t), other); err == nil || !strings.Contains(err.Error(), "belongs to verification") {
		t.Fatalf("scanning a code of another verification: %v", err)
	}
	if st := v.Info().State; st != session.VerificationReady {
		t.Fatalf("state after a refused code: %s", st)
	}

	if err := sa.ScanQRCode(ctx(t), v.ID(), qr); err != nil {
		t.Fatal(err)
	}
	// The other user takes a moment to confirm that we showed success; until then our side waits
	// (our done goes out after theirs: the Rust crypto ignores an early one).
	time.Sleep(2 * time.Second)
	if st := v.Info().State; st != session.VerificationReady {
		t.Fatalf("state before the other side confirmed: %s", st)
	}
	if err := js.ConfirmQRScanned(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := v.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := js.WaitVerificationDone(ctx(t)); err != nil {
		t.Fatal(err)
	}
	waitMutualUserTrust(t, sa, js)
}

// A QR code whose keys differ from those we know cancels the verification on both sides (key
// mismatch) and leaves the user unverified.
func TestQRVerificationTamperedCodeCancels(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, _ := jsPeerWithRoom(t, srv, sa)
	runSyncLoop(t, sa)

	v, err := sa.RequestVerification(ctx(t), id.UserID(js.UserID()), id.DeviceID(js.DeviceID()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := js.AcceptVerification(ctx(t)); err != nil {
		t.Fatal(err)
	}
	qr, err := js.QRCode(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.WaitQRCode(ctx(t)); err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(qr)
	tampered[10+len(v.ID())] ^= 1 // the first byte of the first key (their master key)
	err = sa.ScanQRCode(ctx(t), v.ID(), tampered)
	if err == nil {
		t.Fatalf("scanning a tampered code: %v", err)
	}
	if info := v.Info(); info.State != session.VerificationCancelled || info.CancelCode != session.CancelKeyMismatch {
		t.Fatalf("verification after a tampered code: %+v", info)
	}
	if err := js.WaitVerificationDone(ctx(t)); err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("js side of a tampered code: %v", err)
	}
	if bt := userTrust(t, sa, id.UserID(js.UserID())); bt.State != session.UserUnverified {
		t.Fatalf("trust after a tampered code: %+v", bt)
	}
}

// checkQRCode checks the payload against the spec's QR code format: "MATRIX", version 2, mode,
// the transaction ID, two ed25519 keys and a shared secret of at least 8 bytes.
func checkQRCode(t *testing.T, qr []byte, mode byte, txnID, key1, key2 string) {
	t.Helper()
	b1, err1 := base64.RawStdEncoding.DecodeString(key1)
	b2, err2 := base64.RawStdEncoding.DecodeString(key2)
	if err1 != nil || err2 != nil || len(b1) != 32 || len(b2) != 32 {
		t.Fatalf("keys %q %q: %v %v", key1, key2, err1, err2)
	}
	want := []byte("MATRIX\x02")
	want = append(want, mode, byte(len(txnID)>>8), byte(len(txnID)))
	want = append(want, txnID...)
	want = append(want, b1...)
	want = append(want, b2...)
	if len(qr) < len(want)+8 || !bytes.Equal(qr[:len(want)], want) {
		t.Fatalf("QR code payload\n got %x\nwant %x + secret", qr, want)
	}
}

// waitMutualUserTrust waits until we see the js user verified and the SDK sees us verified.
func waitMutualUserTrust(t *testing.T, sa *session.Session, js *jspeer.Peer) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		bt, err := sa.UserTrust(c, id.UserID(js.UserID()))
		if err != nil {
			t.Fatal(err)
		}
		st, err := js.UserStatus(c, sa.Account().UserID.String())
		if err != nil {
			t.Fatal(err)
		}
		if bt.State == session.UserVerified && st.CrossSigningVerified {
			if len(bt.Devices) != 1 || !bt.Devices[0].Verified {
				t.Fatalf("js device not verified for us: %+v", bt)
			}
			waitJSStatus(t, js, sa.Account().UserID, sa.Account().DeviceID, func(st jspeer.DeviceStatus) bool {
				return st.Verified && st.CrossSigningVerified
			})
			return
		}
		select {
		case <-c.Done():
			t.Fatalf("after the QR verification: we see %+v, js sees us %+v", bt, st)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// QR self-verification between two of our devices (both BOS Messenger): the new, unverified
// device shows its QR code (mode 2: its device key, the master key it believes in), the first
// device scans it and cross-signs the new one; the new one confirms and then trusts our master
// key. Our done goes out only after the other device's.
func TestQRSelfVerificationBetweenOurDevices(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	first := alice.login(t)
	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	second := alice2.login(t)
	if own := userTrust(t, second, ""); own.State != session.UserUnverified {
		t.Fatalf("second device's view of our identity before verifying: %+v", own)
	}
	runSyncLoop(t, first)
	runSyncLoop(t, second)

	v2, err := second.RequestVerification(ctx(t), first.Account().UserID, first.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	v1 := acceptIncoming(t, first)
	qr, err := v2.WaitQRCode(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	own := userTrust(t, first, "")
	if len(own.Devices) != 2 || own.State != session.UserVerified {
		t.Fatalf("first device's view of our identity: %+v", own)
	}
	if len(qr) < 10+len(v2.ID())+64 || string(qr[:8]) != "MATRIX\x02\x02" || string(qr[10:10+len(v2.ID())]) != v2.ID() ||
		base64.RawStdEncoding.EncodeToString(qr[10+len(v2.ID())+32:10+len(v2.ID())+64]) != own.MasterKey {
		t.Fatalf("QR code of the unverified device (mode 2): %x", qr)
	}
	if err := v1.ScanQRCode(ctx(t), qr); err != nil {
		t.Fatal(err)
	}
	if err := v2.WaitQRScanned(ctx(t)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if st := v1.Info().State; st != session.VerificationReady {
		t.Fatalf("scanning device finished before the other confirmed: %s", st)
	}
	if err := v2.ConfirmQRScanned(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*session.Verification{v1, v2} {
		if err := v.Wait(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	eventually.NoError(t, 30*time.Second, func() error {
		t1, t2 := userTrust(t, first, ""), userTrust(t, second, "")
		ok1 := false
		for _, d := range t1.Devices {
			ok1 = ok1 || (d.DeviceID == second.Account().DeviceID && d.Verified && d.CrossSigned)
		}
		if ok1 && t2.State == session.UserVerified && t2.MasterKey == own.MasterKey {
			return nil
		}
		return fmt.Errorf("after the QR self-verification: first sees %+v, second sees itself %+v", t1, t2)
	})
}

// A user without cross-signing keys offers QR codes too, but a QR code (mode 0) needs their
// master key: the verification falls back to SAS instead of failing, in both directions, and
// their device ends up verified (locally, as nothing can be cross-signed).
func TestSASWithUserWithoutCrossSigning(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	carol := newAccount(t, srv, "carol")
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), carol.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Ohne Quersignierung", Encrypted: true,
		Invite: []id.UserID{id.UserID(js.UserID())}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	runSyncLoop(t, sa)

	// They ask (offering QR codes), we accept: no QR code, SAS runs.
	if err := js.RequestVerification(ctx(t), sa.Account().UserID.String(), sa.Account().DeviceID.String()); err != nil {
		t.Fatal(err)
	}
	v := acceptIncoming(t, sa)
	sasWithoutCrossSigning(t, v, js)
	if info := v.Info(); info.QRCode != nil || info.CanScanQR {
		t.Fatalf("QR code offered for a user without cross-signing: %+v", info)
	}
	// We ask: no QR code to show, SAS runs.
	v, err = sa.StartVerification(ctx(t), id.UserID(js.UserID()), id.DeviceID(js.DeviceID()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := js.AcceptVerification(ctx(t)); err != nil {
		t.Fatal(err)
	}
	sasWithoutCrossSigning(t, v, js)
	if info := v.Info(); info.QRCode != nil || info.CanScanQR {
		t.Fatalf("QR code offered for a user without cross-signing: %+v", info)
	}

	ct := userTrust(t, sa, id.UserID(js.UserID()))
	if ct.State != session.UserNoCrossSigning || len(ct.Devices) != 1 || !ct.Devices[0].Verified || ct.Devices[0].CrossSigned ||
		ct.Devices[0].Trust != "verified" {
		t.Fatalf("trust after SAS with a user without cross-signing: %+v", ct)
	}
}

// sasWithoutCrossSigning compares the emojis, confirms on both sides and waits until both are done.
func sasWithoutCrossSigning(t *testing.T, v *session.Verification, js *jspeer.Peer) {
	t.Helper()
	ours, err := v.WaitEmojis(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := js.SASEmojis(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != 7 || len(theirs) != 7 {
		t.Fatalf("emojis: %v / %v", ours, theirs)
	}
	for i := range ours {
		if ours[i].Name != theirs[i] {
			t.Fatalf("emojis differ: %v / %v", ours, theirs)
		}
	}
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
}
