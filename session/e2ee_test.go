package session_test

import (
	"fmt"
	"testing"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

func TestEncryptedRoomBetweenOurClients(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Verschlüsselt", Encrypted: true})
	mustSync(t, sa)

	mustSend(t, sa, roomID, "geheim von alice")
	mustSend(t, sb, roomID, "geheim von bob")
	for _, s := range []*session.Session{sa, sb} {
		hist := waitForBodies(t, s, roomID, 50, "geheim von alice", "geheim von bob")
		for _, e := range hist {
			if e.Body == "geheim von alice" || e.Body == "geheim von bob" {
				if !e.Encrypted || !e.Decrypted || e.DecryptionError != "" {
					t.Errorf("%s: %+v should be encrypted and decrypted", s.Account().UserID, e)
				}
			}
		}
	}
	// After a restart the plaintext comes from the store (no replay error from decrypting again).
	sb.Close()
	sb = bob.open(t)
	hist, err := sb.History(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	if countBody(hist, "geheim von alice") != 1 {
		t.Fatalf("stored plaintext lost after restart: %+v", hist)
	}
}

func TestEncryptedInteropWithMatrixJSSDK(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa := alice.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Interop", Encrypted: true,
		Invite: []id.UserID{id.UserID(bob.UserID)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	// Wait until alice's store knows bob joined, then send.
	waitJoined(t, sa, roomID, 2)

	for i := range 3 {
		body := fmt.Sprintf("von Go %d", i)
		mustSend(t, sa, roomID, body)
		ev, err := js.WaitForText(ctx(t), roomID.String(), body)
		if err != nil {
			t.Fatalf("matrix-js-sdk did not decrypt %q: %v", body, err)
		}
		if !ev.Encrypted {
			t.Fatalf("%q arrived unencrypted at matrix-js-sdk", body)
		}
	}
	var bodies []string
	for i := range 3 {
		bodies = append(bodies, fmt.Sprintf("von JS %d", i))
		if _, err := js.SendText(ctx(t), roomID.String(), bodies[i]); err != nil {
			t.Fatal(err)
		}
	}
	hist := waitForBodies(t, sa, roomID, 50, bodies...)
	for _, e := range hist {
		if e.Sender == id.UserID(bob.UserID) && e.Type == "m.room.message" && (!e.Encrypted || !e.Decrypted) {
			t.Errorf("message from matrix-js-sdk: %+v", e)
		}
	}
}
