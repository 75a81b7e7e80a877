package session_test

import (
	"strings"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// NotificationPreview gives the newest message from someone else, decrypted, with the sender's
// name, cleaned of control and bidi characters; our own later messages do not count.
func TestNotificationPreview(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice").login(t), newAccount(t, srv, "bob").login(t)
	mustSync(t, alice)
	mustSync(t, bob)
	roomID := sharedRoom(t, alice, bob, session.CreateRoomOptions{Name: "Einsatz", Encrypted: true})
	if _, ok, err := alice.NotificationPreview(ctx(t), roomID); err != nil || ok {
		t.Fatalf("preview of a room without messages of others: ok %v, %v", ok, err)
	}
	mustSync(t, bob)
	mustSend(t, bob, roomID, "Lage:\u202e Brand\nHauptstraße 5")
	waitForBodies(t, alice, roomID, 20, "Lage:\u202e Brand\nHauptstraße 5")
	mustSend(t, alice, roomID, "Verstanden")
	p, ok, err := alice.NotificationPreview(ctx(t), roomID)
	if err != nil || !ok {
		t.Fatalf("no preview: %v", err)
	}
	if p.Sender != bob.Account().UserID || !strings.Contains(p.SenderName, "bob") || p.Body != "Lage: Brand Hauptstraße 5" {
		t.Fatalf("preview %+v", p)
	}
}
