package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"bosmessenger/internal/version"
)

func TestSettingsAboutShowsBuild(t *testing.T) {
	a := test.NewTempApp(t)
	useTestUIQueue(t)
	SetLang("de")
	old := [3]string{version.Version, version.Commit, version.Date}
	t.Cleanup(func() { version.Version, version.Commit, version.Date = old[0], old[1], old[2] })
	version.Version, version.Commit, version.Date = "9.8.7", "0123456789abcdef0123456789abcdef01234567", "2026-12-03T08:42:36Z"

	w := dlgWindow(t)
	sv := newSettingsView(context.Background(), w, nil, NewPrefs(a.Preferences()), SettingsHooks{}, -1)
	sv.show()
	about := sv.tabs.Items[len(sv.tabs.Items)-1]
	if about.Text != "Über" {
		t.Fatalf("last tab %q, want Über", about.Text)
	}
	sv.tabs.Select(about)
	for _, want := range []string{"BOS Messenger", "9.8.7", version.Commit, version.Date} {
		if !dlgHasLabel(about.Content, want) {
			t.Fatalf("about tab lacks %q: %q", want, dlgLabels(about.Content))
		}
	}
}
