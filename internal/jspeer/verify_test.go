package jspeer_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
)

// Both peers bootstrap cross-signing (Dendrite asks for UIA even on the first
// upload), then verify each other's device with emoji SAS.
func TestCrossSigningAndSAS(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	peers := loggedInAll(t, srv, "alice", "bob")
	alice, bob := peers[0], peers[1]
	ctx := ctxT(t, 60*time.Second)

	for _, p := range peers {
		if err := p.BootstrapCrossSigning(ctx, password); err != nil {
			t.Fatalf("%s: %v", p.UserID(), err)
		}
		st, err := p.DeviceStatus(ctx, p.UserID(), p.DeviceID())
		if err != nil {
			t.Fatal(err)
		}
		if !st.SignedByOwner || !st.CrossSigningVerified {
			t.Fatalf("%s: own device after bootstrap: %+v, want signed and cross-signing verified", p.UserID(), st)
		}
	}
	// The Rust crypto tracks the devices of users it shares an encrypted room with.
	roomID, err := alice.CreateRoom(ctx, "verify", true, []string{bob.UserID()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Join(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if ok, err := alice.DeviceVerified(ctx, bob.UserID(), bob.DeviceID()); err != nil || ok {
		t.Fatalf("bob's device verified for alice before SAS: %v %v", ok, err)
	}

	if err := alice.RequestVerification(ctx, bob.UserID(), bob.DeviceID()); err != nil {
		t.Fatal(err)
	}
	if uid, did, err := bob.AcceptVerification(ctx); err != nil || uid != alice.UserID() || did != alice.DeviceID() {
		t.Fatalf("accept: %s %s %v", uid, did, err)
	}
	emojiA, emojiB := sasEmojis(ctx, t, alice), sasEmojis(ctx, t, bob)
	if len(emojiA) != 7 || !slices.Equal(emojiA, emojiB) {
		t.Fatalf("SAS differs: %v vs %v", emojiA, emojiB)
	}
	t.Logf("SAS: %v", emojiA)
	confirmBoth(ctx, t, alice, bob)

	for _, pair := range [][2]*jspeer.Peer{{alice, bob}, {bob, alice}} {
		// Both sides are cross-signed: SAS verifies the other's master key too
		// (the SDK signs it and updates its view a moment after "done").
		waitStatus(ctx, t, pair[0], pair[1], func(st jspeer.DeviceStatus) bool {
			return st.Verified && st.CrossSigningVerified && st.SignedByOwner
		})
	}
}

func sasEmojis(ctx context.Context, t *testing.T, p *jspeer.Peer) []string {
	t.Helper()
	e, err := p.SASEmojis(ctx)
	if err != nil {
		t.Fatalf("%s: %v", p.UserID(), err)
	}
	return e
}

// confirmBoth confirms the SAS on both sides at once (each waits for the other's MAC).
func confirmBoth(ctx context.Context, t *testing.T, a, b *jspeer.Peer) {
	t.Helper()
	errs := make(chan error, 2)
	for _, p := range []*jspeer.Peer{a, b} {
		go func() { errs <- p.ConfirmSAS(ctx) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// waitStatus polls how viewer trusts other's device until ok accepts it.
func waitStatus(ctx context.Context, t *testing.T, viewer, other *jspeer.Peer, ok func(jspeer.DeviceStatus) bool) {
	t.Helper()
	for {
		st, err := viewer.DeviceStatus(ctx, other.UserID(), other.DeviceID())
		if err != nil {
			t.Fatal(err)
		}
		if ok(st) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s sees %s/%s as %+v", viewer.UserID(), other.UserID(), other.DeviceID(), st)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
