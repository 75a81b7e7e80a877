package session_test

import (
	"context"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// A device that joins the conversation after a message was sent cannot read it (no session). When
// the key arrives later (here: a key file from the user's other device), the stored event is
// decrypted in place and subscribers hear about it; after a restart the plaintext is still there.
func TestLateKeysDecryptStoredEvents(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Späte Schlüssel", Encrypted: true})
	mustSync(t, sa)
	mustSend(t, sa, roomID, "vor dem zweiten Gerät")
	waitForBodies(t, sb, roomID, 50, "vor dem zweiten Gerät")

	// bob's second device.
	bob2 := &account{UserID: bob.UserID, Local: bob.Local, Dir: t.TempDir(), srv: srv, log: bob.log}
	sb2 := bob2.login(t)
	mustSync(t, sb2)
	hist, err := sb2.History(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var utd *session.TimelineEvent
	for i, e := range hist {
		if e.Encrypted && !e.Decrypted {
			utd = &hist[i]
		}
	}
	if utd == nil || utd.DecryptionError == "" {
		t.Fatalf("the second device should see an undecryptable event with a reason: %+v", hist)
	}

	keys, err := sb.ExportRoomKeys(ctx(t), "export passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sb2.ImportRoomKeys(ctx(t), "wrong passphrase", keys); err == nil {
		t.Fatal("import with a wrong passphrase succeeded")
	}
	seq, _ := sb2.LastSeq(ctx(t))
	sub := sb2.Subscribe(seq)
	defer sub.Close()
	imported, _, err := sb2.ImportRoomKeys(ctx(t), "export passphrase", keys)
	if err != nil || imported == 0 {
		t.Fatalf("import: %d keys, %v", imported, err)
	}
	ev, ok, err := sb2.Event(ctx(t), utd.EventID)
	if err != nil || !ok || !ev.Decrypted || ev.Body != "vor dem zweiten Gerät" || ev.DecryptionError != "" {
		t.Fatalf("event after the key arrived: %+v %v", ev, err)
	}
	c, cancel := context.WithTimeout(ctx(t), 5*time.Second)
	defer cancel()
	changes, err := sub.Next(c)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, ch := range changes {
		seen = seen || (ch.Kind == session.ChangeDecrypted && ch.EventID == utd.EventID)
	}
	if !seen {
		t.Fatalf("no decrypted change for %s: %+v", utd.EventID, changes)
	}
	sb2.Close()
	sb2 = bob2.open(t)
	ev, _, _ = sb2.Event(ctx(t), utd.EventID)
	if ev.Body != "vor dem zweiten Gerät" {
		t.Fatalf("plaintext lost after restart: %+v", ev)
	}

	// A crash between storing a key and re-decrypting: the next start decrypts the event.
	if err := sb2.ForgetPlaintextForTest(ctx(t), utd.EventID.String()); err != nil {
		t.Fatal(err)
	}
	if ev, _, _ = sb2.Event(ctx(t), utd.EventID); ev.Decrypted {
		t.Fatal("precondition: plaintext should be gone")
	}
	sb2.Close()
	sb2 = bob2.open(t)
	if ev, _, _ = sb2.Event(ctx(t), utd.EventID); ev.Body != "vor dem zweiten Gerät" {
		t.Fatalf("waiting event not decrypted at start-up: %+v", ev)
	}
}
