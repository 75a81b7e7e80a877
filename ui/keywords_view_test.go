package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// A keyword added in the settings (Benachrichtigungen) is read back from the server's push rules
// and highlights a message in an encrypted room, which the server cannot read; an invalid one is
// refused with a hint; removed, it is gone.
func TestSettingsKeywordsThroughDendrite(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	alice, bob := newFlowUser(t, srv, "kwalice"), newFlowUser(t, srv, "kwbob")
	as, bs := alice.login(t), bob.login(t)
	ctx := testCtx(t)
	room, err := as.CreateRoom(ctx, session.CreateRoomOptions{Name: "Lage", Encrypted: true, Invite: []id.UserID{id.UserID(bob.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	syncUntil(t, as, "bob joined", func() bool { r, _ := as.Room(ctx, room); return r.JoinedCount == 2 })

	w := dlgWindow(t)
	sv := newSettingsView(ctx, w, bs, nil, SettingsHooks{}, settingsTabNotifications)
	kv := sv.keywords
	loads := 0
	kv.onLoaded = func() { loads++ }
	sv.show()
	q.until(t, "keywords loaded", func() bool { return loads >= 1 })
	if kv.status.Text != T("keywords.none") || sv.tabs.Selected().Text != T("settings.tab.notifications") {
		t.Fatalf("status %q, tab %q", kv.status.Text, sv.tabs.Selected().Text)
	}

	kv.entry.SetText("a/b")
	test.Tap(kv.add)
	q.until(t, "invalid keyword refused", func() bool { return kv.status.Text == T("keywords.invalid") })

	kv.entry.SetText("Hochwasser")
	test.Tap(kv.add)
	q.until(t, "keyword listed", func() bool { return slices.Equal(kv.words, []string{"Hochwasser"}) && kv.entry.Text == "" })
	if !dlgHasLabel(dlgTop(w), "Hochwasser") {
		t.Fatalf("no row for the keyword: %q", dlgLabels(dlgTop(w)))
	}
	// On the server: another read of GET /pushrules/ has it.
	if err := bs.RefreshPushRules(ctx); err != nil {
		t.Fatal(err)
	}
	if kws, _ := bs.Keywords(ctx); !slices.Equal(kws, []string{"Hochwasser"}) {
		t.Fatalf("server keywords %q", kws)
	}

	txn, err := as.Send(ctx, room, session.Draft{Text: "Das Hochwasser steigt", Plain: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as.WaitSent(ctx, txn); err != nil {
		t.Fatal(err)
	}
	syncUntil(t, bs, "keyword highlight", func() bool { r, _ := bs.Room(ctx, room); return r.HighlightCount == 1 })

	remove := dlgButton(t, dlgTop(w), T("keywords.remove"))
	test.Tap(remove)
	q.until(t, "keyword removed", func() bool { return len(kv.words) == 0 && kv.status.Text == T("keywords.none") })
}
