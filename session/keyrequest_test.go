package session_test

import (
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// A new device of bob cannot read a message sent before it existed; it asks bob's other devices
// for the key. They answer only once the new device is verified: then the stored event is
// decrypted in place.
func TestKeyRequestAnsweredAfterSelfVerification(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb1 := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb1, session.CreateRoomOptions{Name: "Schlüsselanfrage", Encrypted: true})
	mustSync(t, sa)
	eventID := mustSend(t, sa, roomID, "vor dem neuen Gerät")
	waitForBodies(t, sb1, roomID, 50, "vor dem neuen Gerät")

	bob2 := &account{UserID: bob.UserID, Local: bob.Local, Dir: t.TempDir(), srv: srv, log: bob.log}
	sb2 := bob2.login(t)
	runSyncLoop(t, sb1)
	runSyncLoop(t, sb2)
	// The new device sees the message but cannot read it (and its unverified request is refused).
	if ev := waitStoredEvent(t, sb2, eventID); ev.Decrypted || ev.DecryptionError == "" {
		t.Fatalf("an unverified new device must not get the old key: %+v", ev)
	}
	// No event shows that bob's other device refused the key request; give it time to answer.
	time.Sleep(2 * time.Second)
	if ev, _, _ := sb2.Event(ctx(t), eventID); ev.Decrypted {
		t.Fatal("a device of bob forwarded the key to an unverified device")
	}

	selfVerify(t, sb1, sb2)
	waitDecrypted(t, sb2, eventID)
	if ev, _, _ := sb2.Event(ctx(t), eventID); ev.Body != "vor dem neuen Gerät" {
		t.Fatalf("the verified device decrypted the wrong text: %+v", ev)
	}
}
