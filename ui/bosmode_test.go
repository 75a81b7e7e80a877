package ui

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/fedlist"
	"bosmessenger/session/policy"
)

// uiFedList signs federation lists with its own key and publishes them to a file (file://).
type uiFedList struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	path string
}

func newUIFedList(t *testing.T) *uiFedList {
	pub, priv, err := fedlist.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &uiFedList{priv: priv, pub: pub, path: filepath.Join(t.TempDir(), "federation.jws")}
}

// publish signs version (valid until expires) naming servers, and replaces the file.
func (l *uiFedList) publish(t *testing.T, version int, expires time.Time, servers ...string) string {
	t.Helper()
	var entries []string
	for _, s := range servers {
		entries = append(entries, fmt.Sprintf(`{"server_name": %q, "organisation": "Leitstelle Nord", "type": "dispatch"}`, s))
	}
	payload := fmt.Sprintf(`{"version": %d, "issued_at": %q, "expires_at": %q, "servers": [%s]}`, version,
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339), strings.Join(entries, ","))
	jws, err := fedlist.Sign([]byte(payload), l.priv)
	if err != nil {
		t.Fatal(err)
	}
	l.write(t, jws)
	return jws
}

func (l *uiFedList) write(t *testing.T, content string) {
	t.Helper()
	if err := os.WriteFile(l.path+".tmp", []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(l.path+".tmp", l.path); err != nil {
		t.Fatal(err)
	}
}

// config is u's session config in BOS mode with this list; the list is fetched again every
// 200 ms, so that the test sees a replaced file at once.
func (l *uiFedList) config(t *testing.T, u *flowUser) session.Config {
	t.Helper()
	p, err := policy.Resolve(policy.Source{Name: "test policy", Managed: map[string]any{
		"bos_mode": true, "federation_list_url": "file://" + l.path,
		"federation_list_public_keys": []any{policy.EncodePublicKey(l.pub)}, "require_encryption": false}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := session.ApplyPolicy(u.config(t), p)
	e := cfg.Policy.(*session.Enforcer)
	e.RefreshInterval, e.BlockedRetry = 200*time.Millisecond, 100*time.Millisecond
	return cfg
}

// TestFlowBOSModeBlockingView: the real window in BOS mode with a signed list via file://. An
// expired list, then a rolled-back one, replace the main view with the blocking view (what is
// wrong, what the admin must do; menu and shortcuts off); a newer valid list brings the main
// view back by itself.
func TestFlowBOSModeBlockingView(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	list := newUIFedList(t)
	week := time.Now().Add(7 * 24 * time.Hour)
	list.publish(t, 1, week, srv.ServerName)
	u := newFlowUser(t, srv, "bos")
	scfg := list.config(t, u)
	s, err := session.Login(testCtx(t), scfg, srv.URL, u.ID, flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRoom(testCtx(t), session.CreateRoomOptions{Name: "Lage"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	sh, a := openShellWith(t, q, u, scfg, ShellConfig{SyncTimeout: time.Second})
	w := sh.w
	q.until(t, "room list", func() bool { return len(a.RoomList().All()) == 1 })
	if !a.MainUsable() || a.Blocked().Shown() || w.MainMenu() == nil {
		t.Fatalf("valid list: main usable %v, blocked view %v, menu %v", a.MainUsable(), a.Blocked().Shown(), w.MainMenu() != nil)
	}

	blocked := func(what string, cause session.BlockCause) {
		t.Helper()
		q.until(t, what+": blocking view", func() bool { return a.Blocked().Shown() && a.Blocked().Cause() == cause })
		shown := labels(w.Content())
		wantWhat, wantTodo := BlockedTexts(cause)
		for _, want := range []string{T("blocked.title"), wantWhat, wantTodo} {
			if !hasLabel(w.Content(), want) {
				t.Errorf("%s: %q not shown; labels: %q", what, want, shown)
			}
		}
		if hasLabel(w.Content(), "Lage") || a.MainUsable() {
			t.Errorf("%s: the main view is still usable; labels: %q", what, shown)
		}
		if w.MainMenu() != nil {
			t.Errorf("%s: the menu is still there", what)
		}
		a.Shortcut(ShortcutSwitcher)
		if a.Switcher() != nil {
			t.Errorf("%s: Ctrl+K opened the room switcher", what)
		}
	}
	recovered := func(what string) {
		t.Helper()
		q.until(t, what+": main view back", func() bool { return !a.Blocked().Shown() && a.MainUsable() })
		if !hasLabel(w.Content(), "Lage") || w.MainMenu() == nil {
			t.Errorf("%s: room list or menu missing: %q", what, labels(w.Content()))
		}
	}

	a.Shortcut(ShortcutNewRoom) // a dialog open when the list expires
	if dlgTop(w) == nil {
		t.Fatal("no dialog open")
	}
	list.publish(t, 2, time.Now().Add(-time.Minute), srv.ServerName)
	blocked("expired", session.BlockExpired)
	if top := dlgTop(w); top != nil && top.Visible() {
		t.Error("a dialog is still open over the blocking view")
	}
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, w, "bos-blocked")
	}
	list.publish(t, 3, week, srv.ServerName)
	recovered("newer list")

	list.publish(t, 1, week, srv.ServerName)
	blocked("rollback", session.BlockRollback)
	list.publish(t, 4, week, srv.ServerName)
	recovered("after the rollback")

	SetLang("en")
	defer SetLang("de")
	v := NewBlockedView()
	v.Set(fmt.Errorf("%w: x", session.ErrPolicyBlocked), session.BlockSignature)
	if v.What.Text != "The federation list's signature is invalid: it matches none of the pinned keys." || !strings.Contains(v.Todo.Text, "federation_list_public_keys") {
		t.Errorf("English texts: %q / %q", v.What.Text, v.Todo.Text)
	}
}

// The window of an invalid policy says so and what the admin must do.
func TestPolicyErrorView(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	w := test.NewTempWindow(t, PolicyErrorView(fmt.Errorf("policy /etc/bosmessenger/policy.json: unknown key \"bos_mod\"")))
	w.Resize(fyne.NewSize(900, 600))
	what, todo := BlockedTexts(causeInvalidPolicy)
	for _, want := range []string{T("blocked.title"), what, todo} {
		if !hasLabel(w.Content(), want) {
			t.Errorf("%q not shown: %q", want, labels(w.Content()))
		}
	}

	// A sign-in refused because BOS mode is blocked says why, not "server not allowed".
	p, err := policy.Resolve(policy.Source{Name: "test", Managed: map[string]any{"bos_mode": true}})
	if err != nil {
		t.Fatal(err)
	}
	what, todo = BlockedTexts(session.BlockNoListURL)
	if got := LoginError(session.NewEnforcer(p).Blocked()); got != T("login.err_blocked", what, todo) {
		t.Errorf("sign-in error: %q", got)
	}
}

// The sign-in form with the admin's homeserver key: managed pre-fills and locks the server field
// (lock, "Vom Administrator festgelegt" with the source), recommended only pre-fills it.
func TestLoginHomeserverPolicy(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	for _, locked := range []bool{true, false} {
		w := test.NewTempWindow(t, nil)
		w.Resize(fyne.NewSize(1100, 720))
		ctx, cancel := context.WithCancel(context.Background())
		const src = `Gruppenrichtlinie HKLM\SOFTWARE\Policies\BOSMessenger`
		sh := StartShell(ctx, w, ShellConfig{Homeserver: HomeserverPolicy{Value: "leitstelle.example.de", Locked: locked, Source: src},
			Open: func(context.Context, string) (*session.Session, error) { return nil, session.ErrNotLoggedIn }})
		q.until(t, "sign-in form", func() bool { return sh.LoginForm() != nil })
		f := sh.LoginForm()
		hint := T("login.homeserver_recommended")
		if locked {
			hint = T("login.homeserver_locked")
		}
		hint += " (Gruppenrichtlinie: " + src + ")" // the source, where a tooltip would name it
		if f.Homeserver.Text != "leitstelle.example.de" || f.Homeserver.Disabled() != locked || f.HomeserverLock.Visible() != locked {
			t.Errorf("locked %v: text %q, disabled %v, lock shown %v", locked, f.Homeserver.Text, f.Homeserver.Disabled(), f.HomeserverLock.Visible())
		}
		if !hasLabel(w.Content(), hint) || !f.HomeserverNote.Visible() {
			t.Errorf("locked %v: hint %q not shown", locked, hint)
		}
		if !locked {
			test.Type(f.Homeserver, "x")
			if f.Homeserver.Text == "leitstelle.example.de" {
				t.Error("recommended server field is not editable")
			}
		}
		cancel()
		sh.Wait()
	}
}

// Unvetted members are marked as such in the members dialog and on the timeline's sender line;
// vetted ones show their organisation.
func TestUnvettedBadge(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	u := newFlowUser(t, srv, "fremd")
	s := u.login(t)
	room, err := s.CreateRoom(ctx, session.CreateRoomOptions{Name: "Lage"})
	if err != nil {
		t.Fatal(err)
	}
	txn, err := s.Send(ctx, room, session.Draft{Text: "Meldung", Plain: true})
	if err == nil {
		_, err = s.WaitSent(ctx, txn)
	}
	if err != nil {
		t.Fatal(err)
	}
	// A valid list that does not name the server.
	s.SetOrgLookup(func(string) (string, bool, bool) { return "", false, true })
	badge := "⚠ " + T("badge.unvetted")
	if badge != "⚠ nicht geprüfter Server" {
		t.Fatalf("badge text %q", badge)
	}
	msgs, err := s.Timeline(ctx, room, 50)
	if err != nil {
		t.Fatal(err)
	}
	tl := NewTimeline(id.UserID(u.ID))
	w := test.NewTempWindow(t, tl.View())
	w.Resize(fyne.NewSize(900, 700))
	tl.Set(msgs, true)
	q.drain()
	found := false
	for _, r := range tl.rows {
		if r.head.Visible() && r.org.Visible() && r.org.Text == badge && r.org.Importance == widget.DangerImportance {
			found = true
		}
	}
	if !found {
		t.Errorf("timeline lacks the unvetted badge: %q", labels(w.Content()))
	}

	dw := dlgWindow(t)
	mv := newMembersView(ctx, dw, s, room)
	mv.trust = func(context.Context, id.UserID) (string, error) { return trustUnknown, nil }
	loads := 0
	mv.onLoaded = func() { loads++ }
	mv.dlg.Show()
	mv.reload()
	q.until(t, "members", func() bool { return loads >= 2 })
	if !dlgHasLabel(dlgTop(dw), badge) {
		t.Errorf("members dialog lacks the unvetted badge: %q", dlgLabels(dlgTop(dw)))
	}

	// Without an answer from the list (blocked, or no BOS mode) no badge at all; vetted: the organisation.
	l := widget.NewLabel("")
	if setOrgBadge(l, "", false, false); l.Visible() {
		t.Error("badge without a list")
	}
	if setOrgBadge(l, "ILS Nord", true, false); !l.Visible() || l.Text != "✓ ILS Nord" || l.Importance != widget.SuccessImportance {
		t.Errorf("vetted badge %q %v", l.Text, l.Importance)
	}
	if setOrgBadge(l, "", false, true); !l.Visible() || l.Text != badge || l.Importance != widget.DangerImportance {
		t.Errorf("unvetted badge %q %v", l.Text, l.Importance)
	}
}
