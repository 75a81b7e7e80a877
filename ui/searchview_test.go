package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestFlowSearchAllRooms: Ctrl+Shift+F opens the search across all rooms; words typed and Enter list
// the matching messages of an encrypted and a plain room (German stems: "Brände" finds "Brand"),
// with room names; a click on a hit opens its room with the message selected. A text without words
// says so.
func TestFlowSearchAllRooms(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	alice := newFlowUser(t, srv, "alice")
	bob := newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	ctx := testCtx(t)
	enc, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Wache Nord", Encrypted: true, Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Kantine", Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	for _, r := range []id.RoomID{enc, plain} {
		if _, err := as.Join(ctx, string(r)); err != nil {
			t.Fatal(err)
		}
	}
	as.Close()
	if _, err := bs.SyncOnce(ctx, 0); err != nil {
		t.Fatal(err)
	}
	send := func(room id.RoomID, text string) id.EventID {
		txn, err := bs.Send(ctx, room, session.Draft{Text: text, Plain: true})
		if err == nil {
			var ev id.EventID
			if ev, err = bs.WaitSent(ctx, txn); err == nil {
				return ev
			}
		}
		t.Fatal(err)
		return ""
	}
	target := send(enc, "Zwei Brände in der Hauptstraße")
	for i := range 5 {
		send(enc, "Füllnachricht "+string(rune('A'+i)))
	}
	send(plain, "Brand gelöscht, Kaffee ist fertig")
	send(plain, "Nichts Neues")

	_, a := openShell(t, q, alice, ShellConfig{Room: plain, SyncTimeout: time.Second})
	q.until(t, "plain room open", func() bool { return a.Current() == plain && len(a.Timeline().Messages()) > 0 })

	// The encrypted room's messages are decrypted once its keys arrived (the shell keeps syncing).
	q.until(t, "encrypted message decrypted", func() bool {
		hits, err := a.s.Search(ctx, "Hauptstraße", session.SearchOptions{})
		return err == nil && len(hits) == 1
	})
	a.Shortcut(ShortcutSearchAll)
	v := a.SearchView()
	if v == nil {
		t.Fatal("no search view")
	}
	test.Type(v.Entry(), "?!")
	typeKey(v.Entry(), fyne.KeyReturn)
	q.until(t, "empty search said", func() bool { return v.Status() == T("search.empty") })

	v.Entry().SetText("")
	test.Type(v.Entry(), "Brände")
	typeKey(v.Entry(), fyne.KeyReturn)
	q.until(t, "two hits", func() bool { return len(v.Hits()) == 2 || v.Status() == T("search.count", 1) })
	if v.Status() != T("search.count", 2) {
		t.Fatalf("status %q", v.Status())
	}
	hits := v.Hits()
	if hits[0].RoomID != string(plain) || hits[1].RoomID != string(enc) || hits[1].EventID != string(target) ||
		hits[1].Body != "Zwei Brände in der Hauptstraße" {
		t.Fatalf("hits %+v", hits)
	}
	if head := v.headLine(hits[1]); head[:len("Wache Nord · ")] != "Wache Nord · " {
		t.Fatalf("head line %q", head)
	}

	// A click on the encrypted room's hit opens it at the message.
	v.list.Select(1)
	q.until(t, "jumped to the message", func() bool {
		return a.Current() == enc && a.selected != nil && a.selected.EventID == target
	})
	if !v.pop.Hidden {
		t.Fatal("the search view stays open after a pick")
	}

	// Nothing found.
	a.Shortcut(ShortcutSearchAll)
	v = a.SearchView()
	test.Type(v.Entry(), "Waldbrand")
	typeKey(v.Entry(), fyne.KeyReturn)
	q.until(t, "no hits said", func() bool { return v.Status() == T("search.none") && len(v.Hits()) == 0 })
	typeKey(v.entry, fyne.KeyEscape)
	if !v.pop.Hidden {
		t.Fatal("Esc does not close the search view")
	}
}
