package crypto

import (
	"context"
	"fmt"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/verificationhelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// verifier tracks verifications of the helper; its callbacks run on the sync goroutine with the
// helper's lock held, so they only record state and never call back into the helper directly.
type verifier struct {
	vh      *verificationhelper.VerificationHelper
	syncer  *mautrix.DefaultSyncer
	changed func(Verification)

	hold  *doneHold       // the helper client's transport (W1 in docs/MAUTRIX.md)
	cli   *mautrix.Client // the helper's client (in-room events go out encrypted through it)
	store *lockedStore    // the helper's transactions
	start func(id.VerificationTransactionID)

	// mu guards the state below it. It is never held while calling into the helper or another
	// lock's owner, so the helper's callbacks (run with the helper's own lock held) can take it.
	mu        sync.Mutex
	txns      map[id.VerificationTransactionID]*Verification
	wake      chan struct{}                                 // closed and replaced on every change
	seen      map[id.EventID]time.Time                      // in-room verification events handled, when
	expiry    []*time.Timer                                 // of our in-room requests (see StartRoomVerification)
	closed    bool                                          // the machine is closing
	confirmed map[id.VerificationTransactionID]bool         // SAS transactions we confirmed
	heldMAC   map[id.VerificationTransactionID]*event.Event // their MAC, arrived before we confirmed (W3)

	// startMu is held across the helper's StartVerification, so that the start of SAS after an
	// early ready sees whether the request was a manual one. It cannot be mu: the helper takes
	// its own lock inside, while its callbacks (holding that lock) take mu.
	startMu sync.Mutex
	manual  map[id.VerificationTransactionID]bool // our requests that do not start SAS by themselves

	// dispatchMu orders the helper's handling of incoming events with our calls into it (W7): an
	// incoming event is handled either wholly before ConfirmSAS, ScanQRCode... or after it.
	dispatchMu sync.Mutex
}

// holdMAC keeps the other side's MAC of txn until we confirmed the SAS (see Machine.ConfirmSAS);
// false: we already did, the MAC goes to the helper now.
func (v *verifier) holdMAC(txn id.VerificationTransactionID, evt *event.Event) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.confirmed[txn] {
		return false
	}
	v.heldMAC[txn] = evt
	return true
}

// confirm records that we confirmed the SAS of txn and returns the MAC held for it, if any.
func (v *verifier) confirm(txn id.VerificationTransactionID) *event.Event {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.confirmed[txn] = true
	evt := v.heldMAC[txn]
	delete(v.heldMAC, txn)
	return evt
}

// forgetMAC drops what is kept about the MACs of a finished verification.
func (v *verifier) forgetMAC(txn id.VerificationTransactionID) {
	v.mu.Lock()
	delete(v.confirmed, txn)
	delete(v.heldMAC, txn)
	v.mu.Unlock()
}

func (x *Verification) copy() Verification {
	c := *x
	c.Emojis = append([]Emoji(nil), x.Emojis...)
	c.QRCode = append([]byte(nil), x.QRCode...)
	if len(c.QRCode) == 0 {
		c.QRCode = nil
	}
	return c
}

// update changes (creating if needed) a verification, wakes waiters and reports the change.
func (v *verifier) update(txn id.VerificationTransactionID, fn func(*Verification)) Verification {
	v.mu.Lock()
	x, ok := v.txns[txn]
	if !ok {
		x = &Verification{ID: string(txn)}
		v.txns[txn] = x
	}
	if x.Finished() {
		c := x.copy()
		v.mu.Unlock()
		return c
	}
	fn(x)
	c := x.copy()
	close(v.wake)
	v.wake = make(chan struct{})
	v.mu.Unlock()
	if v.changed != nil {
		v.changed(c)
	}
	return c
}

func (v *verifier) VerificationRequested(ctx context.Context, txn id.VerificationTransactionID, from id.UserID, fromDevice id.DeviceID) {
	var roomID id.RoomID
	if t, err := v.store.GetVerificationTransaction(ctx, txn); err == nil {
		roomID = t.RoomID
	}
	v.update(txn, func(x *Verification) {
		x.UserID, x.DeviceID, x.RoomID, x.Incoming, x.State = from, fromDevice, roomID, true, VerificationRequested
	})
}

func (v *verifier) VerificationReady(_ context.Context, txn id.VerificationTransactionID, otherDevice id.DeviceID, supportsSAS, supportsScanQR bool, qr *verificationhelper.QRCode) {
	x := v.update(txn, func(x *Verification) {
		x.DeviceID, x.State, x.CanScanQR = otherDevice, VerificationReady, supportsScanQR
		if qr != nil {
			x.QRCode = qr.Bytes()
		}
	})
	if !x.Incoming && supportsSAS {
		v.start(txn) // we asked: we start SAS once the other side is ready
	}
}

func (v *verifier) VerificationCancelled(_ context.Context, txn id.VerificationTransactionID, code event.VerificationCancelCode, reason string) {
	v.hold.forget(string(txn))
	v.forgetMAC(txn)
	v.update(txn, func(x *Verification) {
		x.State, x.CancelCode, x.CancelReason = VerificationCancelled, code, fmt.Sprintf("%s: %s", code, reason)
	})
}

func (v *verifier) VerificationDone(_ context.Context, txn id.VerificationTransactionID, _ event.VerificationMethod) {
	v.forgetMAC(txn)
	v.update(txn, func(x *Verification) { x.State = VerificationDone })
}

// QRCodeScanned: the other device scanned our QR code and sent m.reciprocate.v1 with the right
// secret; the user confirms that it showed success (ConfirmQRScanned).
func (v *verifier) QRCodeScanned(_ context.Context, txn id.VerificationTransactionID) {
	v.update(txn, func(x *Verification) { x.State = VerificationQRScanned })
}

func (v *verifier) ShowSAS(_ context.Context, txn id.VerificationTransactionID, emojis []rune, names []string, _ []int) {
	v.update(txn, func(x *Verification) {
		x.Emojis = x.Emojis[:0]
		for i, r := range emojis {
			if i < len(names) {
				x.Emojis = append(x.Emojis, Emoji{Symbol: string(r), Name: names[i]})
			}
		}
		x.State = VerificationSAS
	})
}
