package session_test

import (
	"fmt"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// waitJoined syncs s until roomID has at least n joined members.
func waitJoined(t *testing.T, s *session.Session, roomID id.RoomID, n int) {
	t.Helper()
	eventually.True(t, 30*time.Second, fmt.Sprintf("%s to see %d members in %s", s.Account().UserID, n, roomID), func() bool {
		mustSync(t, s)
		r, err := s.Room(ctx(t), roomID)
		return err == nil && r.JoinedCount >= n
	})
}

// joinEventually joins a room on another server; the invite may take a moment to federate.
func joinEventually(t *testing.T, s *session.Session, roomID id.RoomID) {
	t.Helper()
	eventually.NoError(t, 30*time.Second, func() error {
		mustSync(t, s)
		if _, err := s.Join(ctx(t), roomID.String()); err != nil {
			return fmt.Errorf("join %s: %w", roomID, err)
		}
		return nil
	})
}

// Two organisations on two homeservers: our client on both sides, encrypted room and DM.
func TestFederatedEncryptedRoomAndDM(t *testing.T) {
	t.Parallel()
	a, b := testserver.SharedFederated(t)
	leitstelle, feuerwehr := newAccount(t, a, "leitstelle"), newAccount(t, b, "feuerwehr")
	sa, sb := leitstelle.login(t), feuerwehr.login(t)

	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Einsatz Ahr", Encrypted: true,
		Invite: []id.UserID{sb.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	joinEventually(t, sb, roomID)
	waitJoined(t, sa, roomID, 2)
	mustSend(t, sa, roomID, "Lage: Pegel steigt")
	mustSend(t, sb, roomID, "komme mit HLF")
	for _, s := range []*session.Session{sa, sb} {
		hist := waitForBodies(t, s, roomID, 50, "Lage: Pegel steigt", "komme mit HLF")
		for _, e := range hist {
			if e.Type == "m.room.message" && (!e.Encrypted || !e.Decrypted) {
				t.Errorf("%s: %+v", s.Account().UserID, e)
			}
		}
	}

	dm, err := sb.CreateDM(ctx(t), sa.Account().UserID, true)
	if err != nil {
		t.Fatal(err)
	}
	joinEventually(t, sa, dm)
	waitJoined(t, sb, dm, 2)
	mustSend(t, sb, dm, "direkt: Rückruf bitte")
	hist := waitForBodies(t, sa, dm, 50, "direkt: Rückruf bitte")
	if r, _ := sa.Room(ctx(t), dm); !r.Encrypted {
		t.Fatalf("DM not encrypted: %+v", r)
	}
	assertOnce(t, hist, []string{"direkt: Rückruf bitte"})
}

// Our client on one server, matrix-js-sdk (another vendor) on the other.
func TestFederatedEncryptedInteropWithMatrixJSSDK(t *testing.T) {
	t.Parallel()
	a, b := testserver.SharedFederated(t)
	thw := newAccount(t, a, "thw")
	polizeiLocal := fmt.Sprintf("polizei%d", userSeq.Add(1))
	polizei := b.Register(t, polizeiLocal, testPassword)
	sa := thw.login(t)
	js := jspeer.Start(t, b.URL)
	if _, _, err := js.Login(ctx(t), polizeiLocal, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Lagezentrum", Encrypted: true,
		Invite: []id.UserID{id.UserID(polizei)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.WaitForInvite(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	waitJoined(t, sa, roomID, 2)
	mustSend(t, sa, roomID, "THW an Polizei: Straße gesperrt")
	ev, err := js.WaitForText(ctx(t), roomID.String(), "THW an Polizei: Straße gesperrt")
	if err != nil || !ev.Encrypted {
		t.Fatalf("matrix-js-sdk: %+v %v", ev, err)
	}
	if _, err := js.SendText(ctx(t), roomID.String(), "Polizei an THW: verstanden"); err != nil {
		t.Fatal(err)
	}
	hist := waitForBodies(t, sa, roomID, 50, "Polizei an THW: verstanden")
	for _, e := range hist {
		if e.Body == "Polizei an THW: verstanden" && (!e.Encrypted || !e.Decrypted) {
			t.Fatalf("from matrix-js-sdk: %+v", e)
		}
	}
}
