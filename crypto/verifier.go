package crypto

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/verificationhelper"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// verifier tracks verifications of the helper. Its state is owned by one goroutine, act: every
// call into the helper runs there too (see actor), so the helper's callbacks, which run inside
// those calls with the helper's lock held, touch the state inline and never call back into the
// helper directly.
type verifier struct {
	vh      *verificationhelper.VerificationHelper
	syncer  *mautrix.DefaultSyncer
	changed func(Verification)
	act     *actor

	hold  *doneHold       // the helper client's transport (W1 in docs/MAUTRIX.md)
	cli   *mautrix.Client // the helper's client (in-room events go out encrypted through it)
	store *lockedStore    // the helper's transactions (also read by the helper's expiry goroutine)
	start func(id.VerificationTransactionID)

	// shown is what readers see without waiting for act (Verifications, WaitVerification): an
	// immutable copy of txns that act replaces on every change.
	shown atomic.Pointer[shownVerifications]

	// Owned by act.
	txns      map[id.VerificationTransactionID]*Verification
	seen      map[id.EventID]time.Time                      // in-room verification events handled, when
	expiry    []*time.Timer                                 // of our in-room requests (see StartRoomVerification)
	closed    bool                                          // the machine is closing
	confirmed map[id.VerificationTransactionID]bool         // SAS transactions we confirmed
	heldMAC   map[id.VerificationTransactionID]*event.Event // their MAC, arrived before we confirmed (W3)
	manual    map[id.VerificationTransactionID]bool         // our requests that do not start SAS by themselves
}

// holdMAC keeps the other side's MAC of txn until we confirmed the SAS (see Machine.ConfirmSAS);
// false: we already did, the MAC goes to the helper now. On act.
func (v *verifier) holdMAC(txn id.VerificationTransactionID, evt *event.Event) bool {
	if v.confirmed[txn] {
		return false
	}
	v.heldMAC[txn] = evt
	return true
}

// confirm records that we confirmed the SAS of txn and returns the MAC held for it, if any. On act.
func (v *verifier) confirm(txn id.VerificationTransactionID) *event.Event {
	v.confirmed[txn] = true
	evt := v.heldMAC[txn]
	delete(v.heldMAC, txn)
	return evt
}

// forgetMAC drops what is kept about the MACs of a finished verification. On act.
func (v *verifier) forgetMAC(txn id.VerificationTransactionID) {
	delete(v.confirmed, txn)
	delete(v.heldMAC, txn)
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

// shownVerifications is a published state of the verifications; wake is closed when the next
// one replaces it.
type shownVerifications struct {
	txns map[id.VerificationTransactionID]Verification
	wake chan struct{}
}

// publish replaces the shown state with the current one and wakes the waiters of the old. On act.
func (v *verifier) publish() {
	next := &shownVerifications{txns: make(map[id.VerificationTransactionID]Verification, len(v.txns)), wake: make(chan struct{})}
	for txn, x := range v.txns {
		next.txns[txn] = x.copy()
	}
	if old := v.shown.Swap(next); old != nil {
		close(old.wake)
	}
}

// update changes (creating if needed) a verification, wakes waiters and reports the change. On act.
func (v *verifier) update(txn id.VerificationTransactionID, fn func(*Verification)) Verification {
	x, ok := v.txns[txn]
	if !ok {
		x = &Verification{ID: string(txn)}
		v.txns[txn] = x
	}
	if x.Finished() {
		return x.copy()
	}
	fn(x)
	c := x.copy()
	v.publish()
	if v.changed != nil {
		v.changed(c)
	}
	return c
}

// The helper's callbacks below run inside our calls into it, on act (ctx says so), except
// for the cancellation by the helper's own expiry goroutine, which is queued to act.

func (v *verifier) VerificationRequested(ctx context.Context, txn id.VerificationTransactionID, from id.UserID, fromDevice id.DeviceID) {
	var roomID id.RoomID
	if t, err := v.store.GetVerificationTransaction(ctx, txn); err == nil {
		roomID = t.RoomID
	}
	v.act.async(ctx, func(context.Context) {
		v.update(txn, func(x *Verification) {
			x.UserID, x.DeviceID, x.RoomID, x.Incoming, x.State = from, fromDevice, roomID, true, VerificationRequested
		})
	})
}

func (v *verifier) VerificationReady(ctx context.Context, txn id.VerificationTransactionID, otherDevice id.DeviceID, supportsSAS, supportsScanQR bool, qr *verificationhelper.QRCode) {
	v.act.async(ctx, func(context.Context) {
		x := v.update(txn, func(x *Verification) {
			x.DeviceID, x.State, x.CanScanQR = otherDevice, VerificationReady, supportsScanQR
			if qr != nil {
				x.QRCode = qr.Bytes()
			}
		})
		// We asked: we start SAS once the other side is ready, unless the request was made by
		// RequestVerification (it waits for the user's choice: QR or SAS).
		if !x.Incoming && supportsSAS && !v.manual[txn] {
			v.start(txn)
		}
	})
}

func (v *verifier) VerificationCancelled(ctx context.Context, txn id.VerificationTransactionID, code event.VerificationCancelCode, reason string) {
	v.act.async(ctx, func(context.Context) {
		v.hold.forget(string(txn))
		v.forgetMAC(txn)
		v.update(txn, func(x *Verification) {
			x.State, x.CancelCode, x.CancelReason = VerificationCancelled, code, fmt.Sprintf("%s: %s", code, reason)
		})
	})
}

func (v *verifier) VerificationDone(ctx context.Context, txn id.VerificationTransactionID, _ event.VerificationMethod) {
	v.act.async(ctx, func(context.Context) {
		v.forgetMAC(txn)
		v.update(txn, func(x *Verification) { x.State = VerificationDone })
	})
}

// QRCodeScanned: the other device scanned our QR code and sent m.reciprocate.v1 with the right
// secret; the user confirms that it showed success (ConfirmQRScanned).
func (v *verifier) QRCodeScanned(ctx context.Context, txn id.VerificationTransactionID) {
	v.act.async(ctx, func(context.Context) {
		v.update(txn, func(x *Verification) { x.State = VerificationQRScanned })
	})
}

func (v *verifier) ShowSAS(ctx context.Context, txn id.VerificationTransactionID, emojis []rune, names []string, _ []int) {
	v.act.async(ctx, func(context.Context) {
		v.update(txn, func(x *Verification) {
			x.Emojis = x.Emojis[:0]
			for i, r := range emojis {
				if i < len(names) {
					x.Emojis = append(x.Emojis, Emoji{Symbol: string(r), Name: names[i]})
				}
			}
			x.State = VerificationSAS
		})
	})
}
