package jspeer_test

import (
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
)

// A js peer that joins an encrypted room later decrypts the messages sent
// after its join; the message sent before it shows up as a reported
// decryption failure (no key was shared with it), not as a hidden event.
func TestLateJoinerReadsNewMessages(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	peers := loggedInAll(t, srv, "alice", "bob", "carol")
	alice, bob, carol := peers[0], peers[1], peers[2]
	ctx := ctxT(t, 60*time.Second)

	roomID, err := alice.CreateRoom(ctx, "late", true, []string{bob.UserID()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Join(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	before, err := alice.SendText(ctx, roomID, "before carol")
	if err != nil {
		t.Fatal(err)
	}
	expectText(t, bob, roomID, alice.UserID(), "before carol")

	if err := alice.Invite(ctx, roomID, carol.UserID()); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitForInvite(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.Join(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendText(ctx, roomID, "after carol (alice)"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.SendText(ctx, roomID, "after carol (bob)"); err != nil {
		t.Fatal(err)
	}
	expectText(t, carol, roomID, alice.UserID(), "after carol (alice)")
	expectText(t, carol, roomID, bob.UserID(), "after carol (bob)")

	old, err := carol.WaitForEvent(ctx, roomID, func(e jspeer.Event) bool { return e.EventID == before })
	if err != nil {
		t.Fatal(err)
	}
	if old.DecryptionFailure == "" || old.Type != "m.room.encrypted" || !old.Encrypted {
		t.Fatalf("earlier message: type=%s encrypted=%v failure=%q, want a reported decryption failure",
			old.Type, old.Encrypted, old.DecryptionFailure)
	}
	t.Logf("earlier message for carol: %s", old.DecryptionFailure)

	// Waiting for a message that cannot be decrypted names the failure.
	_, err = carol.WaitForText(ctxT(t, time.Second), roomID, "before carol")
	if err == nil || !strings.Contains(err.Error(), before) || !strings.Contains(err.Error(), "MEGOLM_UNKNOWN_INBOUND_SESSION_ID") {
		t.Fatalf("WaitForText error does not name the decryption failure: %v", err)
	}
}
