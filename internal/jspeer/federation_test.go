package jspeer_test

import (
	"testing"
	"time"

	"bosmessenger/internal/testserver"
)

// A peer on server A and a peer on server B exchange encrypted messages over
// federation (device lists, key claims and to-device keys cross servers).
func TestFederatedEncryptedRoom(t *testing.T) {
	t.Parallel()
	a, b := testserver.StartFederated(t)
	alice := loggedIn(t, a, "alice")
	bob := loggedIn(t, b, "bob")
	ctx := ctxT(t, 60*time.Second)

	roomID, err := alice.CreateRoom(ctx, "across", true, []string{bob.UserID()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitForInvite(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Join(ctx, roomID, a.ServerName); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendText(ctx, roomID, "hello from A"); err != nil {
		t.Fatal(err)
	}
	expectText(t, bob, roomID, alice.UserID(), "hello from A")
	if _, err := bob.SendText(ctx, roomID, "hello from B"); err != nil {
		t.Fatal(err)
	}
	expectText(t, alice, roomID, bob.UserID(), "hello from B")
}
