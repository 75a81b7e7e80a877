package jspeer_test

import (
	"slices"
	"testing"
	"time"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
)

// A second login of a cross-signed user verifies itself with the first
// device by SAS and ends up cross-signed (the flow of a new login that is
// verified from an existing session).
func TestSelfVerification(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	first := loggedIn(t, srv, "alice")
	ctx := ctxT(t, 60*time.Second)
	if err := first.BootstrapCrossSigning(ctx, ""); err != nil {
		t.Fatal(err)
	}
	second := jspeer.Start(t, srv.URL)
	if _, _, err := second.Login(ctx, "alice", password); err != nil {
		t.Fatal(err)
	}
	if ok, err := first.DeviceVerified(ctx, second.UserID(), second.DeviceID()); err != nil || ok {
		t.Fatalf("new device verified before SAS: %v %v", ok, err)
	}
	if err := second.RequestVerification(ctx, first.UserID(), first.DeviceID()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := first.AcceptVerification(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := sasEmojis(ctx, t, first), sasEmojis(ctx, t, second)
	if !slices.Equal(a, b) {
		t.Fatalf("SAS differs: %v vs %v", a, b)
	}
	confirmBoth(ctx, t, first, second)
	// After SAS the new device gets the cross-signing secrets from the first
	// (secret gossiping) and signs itself: both then see it cross-signed.
	for _, viewer := range []*jspeer.Peer{first, second} {
		waitStatus(ctx, t, viewer, second, func(st jspeer.DeviceStatus) bool {
			return st.Verified && st.CrossSigningVerified && st.SignedByOwner
		})
	}
}
