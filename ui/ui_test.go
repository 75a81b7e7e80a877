package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// labels returns the texts of all visible labels under o.
func labels(o fyne.CanvasObject) []string {
	var out []string
	walkVisible(o, func(o fyne.CanvasObject) bool {
		l, ok := o.(*widget.Label)
		if ok {
			out = append(out, l.Text)
		}
		return ok
	})
	return out
}

// walkVisible calls visit for o and every visible object below it (container children and
// widgets' rendered objects), depth first; below an object for which visit returns true it does
// not descend.
func walkVisible(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) {
	if !o.Visible() || visit(o) {
		return
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkVisible(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walkVisible(c, visit)
		}
	}
}

func hasLabel(o fyne.CanvasObject, text string) bool {
	for _, l := range labels(o) {
		if l == text {
			return true
		}
	}
	return false
}

func TestRoomListRendersAndUpdates(t *testing.T) {
	test.NewTempApp(t)
	rl := NewRoomList([]session.RoomSummary{
		{ID: "!a:x", Name: "Einsatz Nord", Membership: "join", Encrypted: true, NotifyCount: 3},
		{ID: "!b:x", Name: "Leitstelle", Membership: "join"},
	})
	w := test.NewTempWindow(t, rl.View())
	w.Resize(fyne.NewSize(400, 300))

	for _, want := range []string{"Einsatz Nord", "Leitstelle", "3", "🔒"} {
		if !hasLabel(w.Content(), want) {
			t.Fatalf("label %q missing; have %q", want, labels(w.Content()))
		}
	}
	if n := strings.Count(strings.Join(labels(w.Content()), "\n"), "🔒"); n != 1 {
		t.Fatalf("encrypted marker shown %d times, want 1", n)
	}

	rl.Set([]session.RoomSummary{{ID: "!c:x", Name: "Lage", Membership: "invite"}})
	if !hasLabel(w.Content(), T("invite", "Lage")) || hasLabel(w.Content(), "Leitstelle") {
		t.Fatalf("after Set: %q", labels(w.Content()))
	}
	rl.Set(nil)
	if !hasLabel(w.Content(), T("no_rooms")) {
		t.Fatalf("empty list: %q", labels(w.Content()))
	}
}

func TestOpenErrorViewAndLanguage(t *testing.T) {
	test.NewTempApp(t)
	v := OpenErrorView("/d", fmt.Errorf("x: %w", session.ErrNotLoggedIn))
	if want := T("no_account", "/d", "/d"); !hasLabel(v, want) {
		t.Fatalf("want %q, have %q", want, labels(v))
	}
	if got := Translate("de", "no_account", "/d", "/d"); got != "Kein Konto in /d. Anmelden mit: bosctl login --data /d --homeserver … --user …" {
		t.Fatalf("de: %q", got)
	}
	for env, want := range map[string]string{"": "de", "C": "de", "en_US.UTF-8": "en", "de_DE.UTF-8": "de", "fr_FR": "de", "en": "en"} {
		got := LangFromEnv(func(k string) string {
			if k == "LANG" {
				return env
			}
			return ""
		})
		if got != want {
			t.Errorf("LANG=%q: %q, want %q", env, got, want)
		}
	}
	if got := LangFromEnv(func(k string) string { return map[string]string{"LC_ALL": "en_GB", "LANG": "de_DE"}[k] }); got != "en" {
		t.Errorf("LC_ALL must win over LANG: %q", got)
	}
	for l, m := range messages {
		for k := range messages[DefaultLang] {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
}
