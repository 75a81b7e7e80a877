package crypto_test

import (
	"context"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	globallog "github.com/rs/zerolog/log"
	"maunium.net/go/mautrix"
	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/cryptohelper"
	"maunium.net/go/mautrix/crypto/verificationhelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/mockserver"

	"bosmessenger/crypto"
)

// The canaries of docs/MAUTRIX.md: each drives upstream mautrix directly (its own mock
// homeserver and verification helper, none of our wrappers) and asserts the upstream behaviour a
// workaround of ours exists for. A canary that fails after a mautrix upgrade means upstream
// changed there: re-check the workaround (it may be obsolete, or wrong now) and the table.

const (
	canaryAlice = id.UserID("@alice:example.org")
	canaryBob   = id.UserID("@bob:example.org")
)

// TestMautrixCanaryVersion: the table in docs/MAUTRIX.md was checked against one mautrix
// version. Any upgrade fails here until the table (and crypto.MautrixReviewed) is checked again.
func TestMautrixCanaryVersion(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*maunium\.net/go/mautrix (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("mautrix is not in go.mod")
	}
	if got := string(m[1]); got != crypto.MautrixReviewed {
		t.Fatalf("go.mod requires mautrix %s, docs/MAUTRIX.md was reviewed for %s: run the canaries, re-check each workaround, then update the table and crypto.MautrixReviewed", got, crypto.MautrixReviewed)
	}
}

// canaryPair logs two devices into a mautrix mock server (a and b may be the same user), each
// knowing the other's device, each with a verification helper of its own.
type canaryPair struct {
	ts         *mockserver.MockServer
	aCli, bCli *mautrix.Client
	aM, bM     *mcrypto.OlmMachine
	aH, bH     *verificationhelper.VerificationHelper
	aCB, bCB   *canaryCallbacks
}

func newCanaryPair(t *testing.T, a, b id.UserID) *canaryPair {
	t.Helper()
	globallog.Logger = zerolog.Nop() // the mock server logs through the global logger
	ctx := context.Background()
	p := &canaryPair{ts: mockserver.Create(t)}
	p.aCli, _ = p.ts.Login(t, ctx, a, "ADEV")
	p.bCli, _ = p.ts.Login(t, ctx, b, "BDEV")
	p.aM = p.aCli.Crypto.(*cryptohelper.CryptoHelper).Machine()
	p.bM = p.bCli.Crypto.(*cryptohelper.CryptoHelper).Machine()
	for _, m := range []*mcrypto.OlmMachine{p.aM, p.bM} {
		if err := m.CryptoStore.PutDevice(ctx, a, p.aM.OwnIdentity()); err != nil {
			t.Fatal(err)
		}
		if err := m.CryptoStore.PutDevice(ctx, b, p.bM.OwnIdentity()); err != nil {
			t.Fatal(err)
		}
	}
	p.aCB, p.bCB = newCanaryCallbacks(), newCanaryCallbacks()
	p.aH = verificationhelper.NewVerificationHelper(p.aCli, p.aM, nil, p.aCB, true, true, true)
	p.bH = verificationhelper.NewVerificationHelper(p.bCli, p.bM, nil, p.bCB, true, true, true)
	if err := p.aH.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.bH.Init(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *canaryPair) crossSign(t *testing.T, machines ...*mcrypto.OlmMachine) {
	t.Helper()
	for _, m := range machines {
		if _, _, err := m.GenerateAndUploadCrossSigningKeys(context.Background(), nil, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// inbox is what the mock server holds for cli's device.
func (p *canaryPair) inbox(cli *mautrix.Client) []event.Event {
	return p.ts.DeviceInbox[cli.UserID][cli.DeviceID]
}

func (p *canaryPair) deliver(t *testing.T, cli *mautrix.Client) {
	t.Helper()
	p.ts.DispatchToDevice(t, context.Background(), cli)
}

// canaryCallbacks records what the helper reports.
type canaryCallbacks struct {
	mu     sync.Mutex
	qr     map[id.VerificationTransactionID]*verificationhelper.QRCode
	cancel map[id.VerificationTransactionID]event.VerificationCancelCode
	done   map[id.VerificationTransactionID]bool
	sas    map[id.VerificationTransactionID]bool
}

func newCanaryCallbacks() *canaryCallbacks {
	return &canaryCallbacks{qr: map[id.VerificationTransactionID]*verificationhelper.QRCode{},
		cancel: map[id.VerificationTransactionID]event.VerificationCancelCode{},
		done:   map[id.VerificationTransactionID]bool{}, sas: map[id.VerificationTransactionID]bool{}}
}

func (c *canaryCallbacks) VerificationRequested(context.Context, id.VerificationTransactionID, id.UserID, id.DeviceID) {
}

func (c *canaryCallbacks) VerificationReady(_ context.Context, txn id.VerificationTransactionID, _ id.DeviceID, _, _ bool, qr *verificationhelper.QRCode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.qr[txn] = qr
}

func (c *canaryCallbacks) VerificationCancelled(_ context.Context, txn id.VerificationTransactionID, code event.VerificationCancelCode, _ string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel[txn] = code
}

func (c *canaryCallbacks) VerificationDone(_ context.Context, txn id.VerificationTransactionID, _ event.VerificationMethod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done[txn] = true
}

func (c *canaryCallbacks) ShowSAS(_ context.Context, txn id.VerificationTransactionID, _ []rune, _ []string, _ []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sas[txn] = true
}

func (c *canaryCallbacks) QRCodeScanned(context.Context, id.VerificationTransactionID) {}

// TestMautrixCanaryDoneRightAfterScan (workaround W1, crypto/qrhold.go, and W2, the helper's own
// client): after scanning the other device's QR code, mautrix sends m.reciprocate.v1 AND its
// m.key.verification.done at once, before the other side confirmed the scan.
func TestMautrixCanaryDoneRightAfterScan(t *testing.T) {
	ctx := context.Background()
	p := newCanaryPair(t, canaryAlice, canaryAlice)
	p.crossSign(t, p.aM)
	txn, err := p.aH.StartVerification(ctx, canaryAlice)
	if err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.bCli)
	if err := p.bH.AcceptVerification(ctx, txn); err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.aCli)
	qr := p.aCB.qr[txn]
	if qr == nil {
		t.Fatal("no QR code shown by the requesting device")
	}
	if err := p.bH.HandleScannedQRData(ctx, qr.Bytes()); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, evt := range p.inbox(p.aCli) {
		types = append(types, evt.Type.Type)
	}
	if len(types) != 2 || types[0] != event.ToDeviceVerificationStart.Type || types[1] != event.ToDeviceVerificationDone.Type {
		t.Fatalf("upstream changed: after a scan mautrix sent %v, not [start done] (doneHold may be obsolete)", types)
	}
}

// TestMautrixCanaryConfirmSASAfterTheirMAC (workaround W3, held MACs in crypto/verifier.go and
// Machine.ConfirmSAS): verifying another user, mautrix's ConfirmSAS fails when their MAC is
// already there, because it compares their master key with our own.
func TestMautrixCanaryConfirmSASAfterTheirMAC(t *testing.T) {
	ctx := context.Background()
	p := newCanaryPair(t, canaryAlice, canaryBob)
	p.crossSign(t, p.aM, p.bM)
	txn, err := p.aH.StartVerification(ctx, canaryBob)
	if err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.bCli) // request
	if err := p.bH.AcceptVerification(ctx, txn); err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.aCli) // ready
	if err := p.aH.StartSAS(ctx, txn); err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.bCli) // start -> accept
	p.deliver(t, p.aCli) // accept -> key
	p.deliver(t, p.bCli) // key -> key
	p.deliver(t, p.aCli) // key
	if !p.aCB.sas[txn] || !p.bCB.sas[txn] {
		t.Fatalf("SAS not shown on both sides (alice %v, bob %v)", p.aCB.sas[txn], p.bCB.sas[txn])
	}
	if err := p.aH.ConfirmSAS(ctx, txn); err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.bCli) // alice's MAC arrives before bob confirmed
	err = p.bH.ConfirmSAS(ctx, txn)
	if err == nil || !strings.Contains(err.Error(), "master keys do not match") {
		t.Fatalf("upstream changed: ConfirmSAS after their MAC gave %v, not \"master keys do not match\" (the held MAC may be obsolete)", err)
	}
}

// TestMautrixCanaryQRWithoutOwnMasterKey (workaround W4, withoutImpossibleQR in crypto/verify.go):
// accepting a request that offers QR codes fails outright when we have no cross-signing keys,
// instead of going on with SAS.
func TestMautrixCanaryQRWithoutOwnMasterKey(t *testing.T) {
	ctx := context.Background()
	p := newCanaryPair(t, canaryAlice, canaryAlice)
	txn, err := p.aH.StartVerification(ctx, canaryAlice)
	if err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.bCli)
	err = p.bH.AcceptVerification(ctx, txn)
	if err == nil || !strings.Contains(err.Error(), "cross-signing master public key") {
		t.Fatalf("upstream changed: accepting a QR-capable request without cross-signing keys gave %v (withoutImpossibleQR may be obsolete)", err)
	}
}

// TestMautrixCanaryQRWithoutTheirMasterKey (workarounds W4 and W5, withoutImpossibleQR and the
// recoverAs panic guards): accepting another user's request that offers QR codes panics when we
// trust our master key but they have no cross-signing keys (a nil dereference in generateQRCode).
func TestMautrixCanaryQRWithoutTheirMasterKey(t *testing.T) {
	ctx := context.Background()
	p := newCanaryPair(t, canaryAlice, canaryBob)
	p.crossSign(t, p.aM) // alice trusts her master key, bob has none
	txn, err := p.bH.StartVerification(ctx, canaryAlice)
	if err != nil {
		t.Fatal(err)
	}
	p.deliver(t, p.aCli)
	panicked := func() (p2 any) {
		defer func() { p2 = recover() }()
		err = p.aH.AcceptVerification(ctx, txn)
		return nil
	}()
	if panicked == nil {
		t.Fatalf("upstream changed: accepting without their master key no longer panics (gave %v): recoverAs and withoutImpossibleQR may be obsolete", err)
	}
	t.Logf("upstream still panics: %v", panicked)
}

// TestMautrixCanaryUnguardedStores (workarounds W6, lockedStore in crypto/roomverify.go, and W8,
// crypto/trust.go): mautrix's in-memory verification store has no lock, and the olm machine's
// cache of our cross-signing public keys is a plain field without one.
func TestMautrixCanaryUnguardedStores(t *testing.T) {
	if hasLock(reflect.TypeOf(verificationhelper.InMemoryVerificationStore{})) {
		t.Error("upstream changed: InMemoryVerificationStore has a lock now (lockedStore may be obsolete)")
	}
	mt := reflect.TypeOf(mcrypto.OlmMachine{})
	f, ok := mt.FieldByName("crossSigningPubkeys")
	if !ok || f.Type.Kind() != reflect.Pointer {
		t.Error("upstream changed: OlmMachine.crossSigningPubkeys is gone or no plain pointer (re-check crypto/trust.go)")
	}
	for i := 0; i < mt.NumField(); i++ {
		name := strings.ToLower(mt.Field(i).Name)
		if strings.Contains(name, "crosssigning") && isLock(mt.Field(i).Type) {
			t.Errorf("upstream changed: OlmMachine has a cross-signing lock %s (crypto/trust.go may be obsolete)", mt.Field(i).Name)
		}
	}
}

func isLock(t reflect.Type) bool {
	return t == reflect.TypeOf(sync.Mutex{}) || t == reflect.TypeOf(sync.RWMutex{})
}

func hasLock(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if isLock(t.Field(i).Type) {
			return true
		}
	}
	return false
}

// TestMautrixCanaryZeroOTKCount (workaround W9, ProcessSync in crypto/machine.go): mautrix reads
// an absent device_one_time_keys_count (the zero OTKCount) as "no keys left" and uploads more.
func TestMautrixCanaryZeroOTKCount(t *testing.T) {
	ctx := context.Background()
	p := newCanaryPair(t, canaryAlice, canaryBob)
	// A process started again: the same account, no upload in this run yet.
	nop := zerolog.Nop()
	m := mcrypto.NewOlmMachine(p.aCli, &nop, p.aM.CryptoStore, p.aM.StateStore)
	if err := m.Load(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(p.ts.OneTimeKeys[canaryAlice]["ADEV"])
	m.HandleOTKCounts(ctx, &mautrix.OTKCount{})
	if after := len(p.ts.OneTimeKeys[canaryAlice]["ADEV"]); after <= before {
		t.Fatalf("upstream changed: a zero one-time key count no longer uploads keys (%d before, %d after)", before, after)
	}
}

// TestMautrixCanaryNoReshareToNewlyTrusted (workaround W11, rotateForNewlyTrusted in
// crypto/trustpolicy.go): with a minimum trust for room keys, a device left out of an outbound
// session stays left out once it is trusted: the shared session is not shared again.
func TestMautrixCanaryNoReshareToNewlyTrusted(t *testing.T) {
	ctx := context.Background()
	p := newCanaryPair(t, canaryAlice, canaryBob)
	p.aM.SendKeysMinTrust = id.TrustStateCrossSignedTOFU
	dev := *p.bM.OwnIdentity()
	dev.Trust = id.TrustStateUnset // as alice first sees bob's device (OwnIdentity says verified)
	if err := p.aM.CryptoStore.PutDevice(ctx, canaryBob, &dev); err != nil {
		t.Fatal(err)
	}
	const room = id.RoomID("!canary:example.org")
	roomKeys := func() (keys, withheld int) {
		for _, evt := range p.inbox(p.bCli) {
			switch evt.Type.Type {
			case event.ToDeviceEncrypted.Type:
				keys++
			case event.ToDeviceRoomKeyWithheld.Type:
				withheld++
			}
		}
		return keys, withheld
	}
	if err := p.aM.ShareGroupSession(ctx, room, []id.UserID{canaryBob}); err != nil {
		t.Fatal(err)
	}
	if keys, withheld := roomKeys(); keys != 0 || withheld != 1 {
		t.Fatalf("setup: the untrusted device got %d room keys and %d withheld notices, want 0 and 1", keys, withheld)
	}
	dev.Trust = id.TrustStateVerified
	if err := p.aM.CryptoStore.PutDevice(ctx, canaryBob, &dev); err != nil {
		t.Fatal(err)
	}
	if err := p.aM.ShareGroupSession(ctx, room, []id.UserID{canaryBob}); err != nil {
		t.Fatal(err)
	}
	if keys, _ := roomKeys(); keys != 0 {
		t.Fatal("upstream changed: the shared session now reaches a device trusted after it was left out (rotateForNewlyTrusted may be obsolete)")
	}
}
