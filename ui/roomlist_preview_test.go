package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// canvasTexts returns the visible canvas texts under o (avatar initials).
func canvasTexts(o fyne.CanvasObject) []string {
	var out []string
	walkVisible(o, func(o fyne.CanvasObject) bool {
		t, ok := o.(*canvas.Text)
		if ok {
			out = append(out, t.Text)
		}
		return ok
	})
	return out
}

// The room list shows each room's avatar (its initial) and the newest message under the name:
// sender and text on one line, cleaned of bidi and control characters; typed kinds translated.
func TestRoomListPreview(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	t.Cleanup(func() { SetLang(DefaultLang) })
	rl := NewRoomList([]session.RoomSummary{
		{ID: "!a:x", Name: "Einsatz Nord", Membership: "join", Encrypted: true,
			LastMessage: &session.LastMessage{Sender: "@bob:x", SenderName: "Bob\u202e", Body: "Lage:\u2066 Brand\nNord", Kind: session.PreviewText}},
		{ID: "!b:x", Name: "leitstelle", Membership: "join",
			LastMessage: &session.LastMessage{Sender: "@eve:x", SenderName: "Eve", Kind: session.PreviewUndecryptable}},
		{ID: "!c:x", Name: "Ruhe", Membership: "join"},
	})
	w := test.NewTempWindow(t, rl.View())
	w.Resize(fyne.NewSize(400, 400))
	for _, want := range []string{"Bob: Lage: Brand Nord", "Eve: 🔒 Nachricht kann nicht entschlüsselt werden"} {
		if !hasLabel(w.Content(), want) {
			t.Fatalf("preview %q missing; have %q", want, labels(w.Content()))
		}
	}
	initials := strings.Join(canvasTexts(w.Content()), " ")
	for _, want := range []string{"E", "L", "R"} {
		if !strings.Contains(" "+initials+" ", " "+want+" ") {
			t.Fatalf("avatar %q missing; have %q", want, initials)
		}
	}
	// A room without messages shows no (empty) preview line; a redaction is translated.
	rl.Set([]session.RoomSummary{{ID: "!c:x", Name: "Ruhe", Membership: "join",
		LastMessage: &session.LastMessage{Sender: "@bob:x", SenderName: "Bob", Kind: session.PreviewRedacted}}})
	if !hasLabel(w.Content(), "Bob: Nachricht gelöscht") {
		t.Fatalf("redacted: %q", labels(w.Content()))
	}
	SetLang("en")
	rl.Set([]session.RoomSummary{{ID: "!c:x", Name: "Ruhe", Membership: "join",
		LastMessage: &session.LastMessage{Sender: "@bob:x", SenderName: "Bob", Kind: session.PreviewRedacted}}})
	if !hasLabel(w.Content(), "Bob: Message deleted") {
		t.Fatalf("redacted (en): %q", labels(w.Content()))
	}
}

// Counted texts take the plural form for the count in both languages (go-i18n's CLDR rules):
// "1 Mitglied", "2 Mitglieder", "1 member", "0 members".
func TestPluralForms(t *testing.T) {
	test.NewTempApp(t)
	t.Cleanup(func() { SetLang(DefaultLang) })
	for _, c := range []struct {
		lang, key string
		n         int
		want      string
	}{
		{"de", "header.member_count", 1, "1 Mitglied"},
		{"de", "header.member_count", 2, "2 Mitglieder"},
		{"de", "header.member_count", 0, "0 Mitglieder"},
		{"en", "header.member_count", 1, "1 member"},
		{"en", "header.member_count", 2, "2 members"},
		{"en", "header.member_count", 0, "0 members"},
		{"de", "notify.message", 1, "1 ungelesene Nachricht"},
		{"de", "notify.message", 5, "5 ungelesene Nachrichten"},
		{"en", "notify.message", 1, "1 unread message"},
		{"de", "dlg.members.count", 1, "1 Mitglied"},
		{"en", "find.count", 1, "1 match"},
		{"en", "find.count", 3, "3 matches"},
		{"de", "poll.votes_n", 1, "1 Stimme"},
	} {
		if got := Translate(c.lang, c.key, c.n); got != c.want {
			t.Errorf("%s %s(%d) = %q, want %q", c.lang, c.key, c.n, got, c.want)
		}
	}
	if got := Translate("de", "dlg.members.count_invited", 1, 3); got != "1 Mitglied, 3 eingeladen" {
		t.Errorf("count_invited: %q", got)
	}
	// The header follows the language switched at run time.
	h := NewHeader()
	for lang, want := range map[string]string{"de": "1 Mitglied", "en": "1 member"} {
		SetLang(lang)
		h.Set(&session.RoomSummary{ID: "!a:x", Name: "Lage", Membership: "join", JoinedCount: 1})
		if got := h.Texts()[3]; got != want {
			t.Errorf("%s header: %q, want %q", lang, got, want)
		}
	}
}

// Every plural message has "one" and "other" in every language (German and English need both),
// with the same fmt verbs in each form as the German text.
func TestPluralMessagesComplete(t *testing.T) {
	for _, l := range Languages() {
		for key := range plurals[DefaultLang] {
			forms := plurals[l][key]
			if forms["one"] == "" || forms["other"] == "" {
				t.Errorf("%s %q: forms %q, want one and other", l, key, forms)
			}
			for form, text := range forms {
				if verbs(text) != verbs(messages[DefaultLang][key]) {
					t.Errorf("%s %q %s takes %q", l, key, form, verbs(text))
				}
			}
		}
	}
}

// Against a real homeserver: an encrypted room's newest message shows in the room list decrypted,
// with the sender's name, as it arrives.
func TestRoomListPreviewEncrypted(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	t.Cleanup(func() { SetLang(DefaultLang) })
	srv := testserver.Shared(t)
	alice, bob := newFlowUser(t, srv, "alice"), newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	ctx := testCtx(t)
	room, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Einsatz Hochwasser", Encrypted: true, Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	if _, err := as.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	as.Close()
	_, a := openShell(t, q, alice, ShellConfig{SyncTimeout: time.Second})
	txn, err := bs.Send(ctx, room, session.Draft{Text: "Pegel:\u202e 5,20 m\nsteigend", Plain: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bs.WaitSent(ctx, txn); err != nil {
		t.Fatal(err)
	}
	want := bob.Local + ": Pegel: 5,20 m steigend"
	q.until(t, "preview in the room list", func() bool { return hasLabel(a.RoomList().View(), want) })
	rs := a.RoomList().Rooms()
	if len(rs) != 1 || rs[0].LastMessage == nil || !rs[0].Encrypted || rs[0].LastMessage.Kind != session.PreviewText {
		t.Fatalf("rooms %+v", rs)
	}
}
