package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"bosmessenger/internal/testserver"
)

// The privacy setting is on by default; unticking it lets the session keep image metadata at once
// and is remembered for the next start.
func TestStripMetadataSetting(t *testing.T) {
	srv := testserver.Shared(t)
	a := test.NewTempApp(t)
	SetLang("de")
	s := newFlowUser(t, srv, "meta").login(t)
	prefs := NewPrefs(a.Preferences())
	check := newStripMetadataCheck(s, prefs)
	if !check.Checked || check.Disabled() || check.Text != T("settings.security.strip_media_metadata") {
		t.Fatalf("check %q checked %v disabled %v", check.Text, check.Checked, check.Disabled())
	}
	test.Tap(check)
	if on, _ := s.MediaMetadataStripping(); on || !prefs.KeepMediaMetadata() {
		t.Errorf("unticked: session strips %v, prefs keep %v", on, prefs.KeepMediaMetadata())
	}
	test.Tap(check)
	if on, _ := s.MediaMetadataStripping(); !on || prefs.KeepMediaMetadata() {
		t.Errorf("ticked again: session strips %v, prefs keep %v", on, prefs.KeepMediaMetadata())
	}
}
