package exportdoc_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/testcache"
	"bosmessenger/session/alert"
	"bosmessenger/session/exportdoc"
)

func sampleDoc() *exportdoc.PDFDoc {
	ts := time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC).UnixMilli()
	board := &alert.Board{Alert: alert.Info{Alert: alert.Alert{Keyword: "B3 Brand Gebäude", Address: "Hauptstraße 1",
		Text: "Rauch aus Dachstuhl", Units: []string{"HLF 20-1"}, Priority: alert.PriorityAlarm, Required: 4}},
		Responses: []alert.Entry{{UserID: "@jörg:example.org", Status: alert.StatusComing, ETAMinutes: 8, TS: ts}},
		Counts:    alert.Counts{Coming: 1}, Required: 4}
	return &exportdoc.PDFDoc{RoomName: "Einsatz Übung Süd", RoomID: "!r:example.org", UserID: "@leitstelle:example.org",
		DeviceID: "DEV", CreatedTS: ts, Location: time.UTC, Names: map[string]string{"@jörg:example.org": "Jörg Weiß"},
		Entries: []exportdoc.Entry{
			{TS: ts, Sender: "@a:example.org", SenderName: "Anna Müller", Verification: exportdoc.VerifiedSender, Text: "Drehleiter fährt zur Rückseite\u202e"},
			{TS: ts, Sender: "@a:example.org", Verification: exportdoc.UnverifiedSender, Attachment: "lageplan-straße.pdf"},
			{TS: ts, Sender: "@l:example.org", Verification: exportdoc.VerifiedSender, Alert: board},
		}}
}

// TestPDFShowsUmlauts: the report's text, extracted with pdftotext, holds the umlauts, the alert
// with its responses and the page numbers.
func TestPDFShowsUmlauts(t *testing.T) {
	pdf, err := exportdoc.RenderPDF(sampleDoc())
	if err != nil {
		t.Fatal(err)
	}
	_, lookErr := exec.LookPath("pdftotext")
	testcache.Require(t, "pdftotext (poppler-utils, make deps)", lookErr)
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Einsatzdokumentation", "Einsatz Übung Süd", "Anna Müller (@a:example.org)", "Drehleiter fährt zur Rückseite",
		"verifiziert", "nicht verifiziert", "Anhang: lageplan-straße.pdf", "ALARM: B3 Brand Gebäude", "Einsatzort: Hauptstraße 1",
		"Jörg Weiß (@jörg:example.org): Komme – ca. 8 Min.", "Seite 1 von 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsRune(text, '\u202e') {
		t.Error("PDF holds a bidi override")
	}
}

func writeSample(t *testing.T) (string, ed25519.PublicKey) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	dir := filepath.Join(t.TempDir(), "out")
	if err := exportdoc.PrepareDir(dir, false); err != nil {
		t.Fatal(err)
	}
	pdf, err := exportdoc.RenderPDF(sampleDoc())
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := exportdoc.EncodeEvents(&exportdoc.Events{RoomID: "!r:example.org"})
	m := &exportdoc.Manifest{RoomID: "!r:example.org", UserID: "@l:example.org", DeviceID: "DEV",
		DeviceKey: base64.RawStdEncoding.EncodeToString(pub)}
	sign := func(msg []byte) (string, error) {
		return base64.RawStdEncoding.EncodeToString(ed25519.Sign(priv, msg)), nil
	}
	if err := exportdoc.Write(dir, m, []exportdoc.Named{{exportdoc.FilePDF, pdf}, {exportdoc.FileEvents, ev}}, sign); err != nil {
		t.Fatal(err)
	}
	return dir, pub
}

// TestCheckDetectsChanges: a written export verifies; one changed byte in any file, an extra
// file or another key fails, naming the file.
func TestCheckDetectsChanges(t *testing.T) {
	dir, pub := writeSample(t)
	lookup := func(user, dev string) (exportdoc.DeviceKey, error) {
		if user != "@l:example.org" || dev != "DEV" {
			return exportdoc.DeviceKey{}, exportdoc.ErrUnknownDevice
		}
		return exportdoc.DeviceKey{Ed25519: base64.RawStdEncoding.EncodeToString(pub)}, nil
	}
	if r, err := exportdoc.Check(dir, lookup); err != nil || !r.Valid || len(r.Files) != 2 {
		t.Fatalf("fresh export: %+v, %v", r, err)
	}
	for _, fi := range []os.FileInfo{stat(t, dir), stat(t, filepath.Join(dir, exportdoc.FilePDF))} {
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v", fi.Name(), perm)
		}
	}
	for _, name := range []string{exportdoc.FilePDF, exportdoc.FileEvents, exportdoc.FileManifest, exportdoc.FileSignature} {
		path := filepath.Join(dir, name)
		orig, _ := os.ReadFile(path)
		changed := bytes.Clone(orig)
		changed[len(changed)/2] ^= 0x01
		os.WriteFile(path, changed, 0o600)
		_, err := exportdoc.Check(dir, lookup)
		if !errors.Is(err, exportdoc.ErrInvalid) || !strings.Contains(err.Error(), name) {
			t.Errorf("one byte of %s changed: %v", name, err)
		}
		os.WriteFile(path, orig, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o600)
	if _, err := exportdoc.Check(dir, lookup); !errors.Is(err, exportdoc.ErrInvalid) || !strings.Contains(err.Error(), "extra.txt") {
		t.Errorf("extra file: %v", err)
	}
	os.Remove(filepath.Join(dir, "extra.txt"))
	other, _, _ := ed25519.GenerateKey(nil)
	wrong := func(string, string) (exportdoc.DeviceKey, error) {
		return exportdoc.DeviceKey{Ed25519: base64.RawStdEncoding.EncodeToString(other)}, nil
	}
	if _, err := exportdoc.Check(dir, wrong); !errors.Is(err, exportdoc.ErrInvalid) {
		t.Errorf("wrong key: %v", err)
	}
	if err := exportdoc.PrepareDir(dir, false); !errors.Is(err, exportdoc.ErrDirNotEmpty) {
		t.Errorf("non-empty dir: %v", err)
	}
	if err := exportdoc.PrepareDir(dir, true); err != nil {
		t.Errorf("non-empty dir with force: %v", err)
	}
}

func stat(t *testing.T, p string) os.FileInfo {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}
