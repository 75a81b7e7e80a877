package session_test

import (
	"fmt"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

func TestRoomsDMsAliasesReceiptsAndTyping(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)

	// Join by alias; the encrypted flag is stored.
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "THW OV", Alias: "thw-" + alice.Local, Encrypted: true,
		Invite: []id.UserID{sb.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	alias := "#thw-" + alice.Local + ":" + srv.ServerName
	joined, err := sb.Join(ctx(t), alias)
	if err != nil || joined != roomID {
		t.Fatalf("join by alias %s: %s %v", alias, joined, err)
	}
	sum, err := sb.Room(ctx(t), roomID)
	if err != nil || !sum.Encrypted || sum.Alias != alias {
		t.Fatalf("room after join: %+v %v", sum, err)
	}

	// A DM: invite arrives flagged direct, m.direct is written for the creator.
	dm, err := sa.CreateDM(ctx(t), sb.Account().UserID, false)
	if err != nil {
		t.Fatal(err)
	}
	var inv session.RoomSummary
	eventually.True(t, 20*time.Second, "the DM invite", func() bool {
		mustSync(t, sb)
		inv, _ = sb.Room(ctx(t), dm)
		return inv.Membership == "invite"
	})
	if !inv.IsDirect {
		t.Fatalf("DM invite: %+v", inv)
	}
	rooms, _ := sb.Rooms(ctx(t))
	if len(rooms) < 2 || rooms[0].ID != dm {
		t.Fatalf("invites must come first in the room list: %+v", rooms)
	}
	mustSync(t, sa)
	if s, _ := sa.Room(ctx(t), dm); !s.IsDirect {
		t.Fatalf("creator's DM not marked direct: %+v", s)
	}
	if _, err := sb.Join(ctx(t), dm.String()); err != nil {
		t.Fatal(err)
	}

	// Receipts and typing from another client of alice's arrive and are stored.
	evID := mustSend(t, sb, dm, "Lagemeldung")
	raw, _ := mautrix.NewClient(srv.URL, "", "")
	if _, err := raw.Login(ctx(t), &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, Password: testPassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: alice.Local}, StoreCredentials: true}); err != nil {
		t.Fatal(err)
	}
	if err := raw.SendReceipt(ctx(t), dm, evID, event.ReceiptTypeRead, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.UserTyping(ctx(t), dm, true, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	var receipts, typing bool
	eventually.NoError(t, 20*time.Second, func() error {
		mustSync(t, sb)
		rs, err := sb.Receipts(ctx(t), dm)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			receipts = receipts || (r.UserID == alice.UserID && r.EventID == evID.String())
		}
		ty, err := sb.Typing(ctx(t), dm)
		if err != nil {
			t.Fatal(err)
		}
		typing = len(ty) == 1 && ty[0] == alice.UserID
		if !receipts || !typing {
			return fmt.Errorf("receipt stored: %v, typing stored: %v", receipts, typing)
		}
		return nil
	})

	// Leave: the room disappears from the list.
	if err := sb.Leave(ctx(t), dm); err != nil {
		t.Fatal(err)
	}
	rooms, _ = sb.Rooms(ctx(t))
	for _, r := range rooms {
		if r.ID == dm {
			t.Fatalf("left room still listed: %+v", r)
		}
	}
}
