package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bosmessenger/session/media/strip/striptest"
)

func TestSendFileAndDownload(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "filesender"), loggedIn(t, srv, "filereceiver")
	roomID := a.createRoom("--name", "Lagekarten", "--invite", b.id) // encrypted by default
	b.ok("join", roomID)

	data := make([]byte, 300_000)
	_, _ = rand.Read(data)
	path := filepath.Join(t.TempDir(), "lagekarte.png")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	eventID := oneID(t, a.ok("send-file", roomID, path), eventIDRe)

	var found bool
	for _, ev := range b.history(roomID, 50) {
		if ev.EventID == eventID {
			found = ev.Encrypted && ev.Decrypted && ev.MsgType == "m.image" && ev.Body == "lagekarte.png"
		}
	}
	if !found {
		t.Fatalf("file event %s not in b's history as a decrypted m.image", eventID)
	}
	out := filepath.Join(t.TempDir(), "karte.png")
	if r := b.ok("download", eventID, "--out", out); !strings.Contains(r.stdout, "image/png") {
		t.Fatalf("download: %v", r)
	}
	got, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded file differs (%d bytes, %v)", len(got), err)
	}

	mustFail(t, a.run("send-file", roomID, filepath.Join(t.TempDir(), "fehlt.pdf")), 1, "failed to read")
	mustFail(t, b.run("download", eventID), 2, "usage")
}

// send-file removes the GPS position and other metadata from a photo (checked with exiftool on
// what the other side downloads); --keep-metadata sends it as it is.
func TestSendFileStripsMetadata(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "photosender"), loggedIn(t, srv, "photoreceiver")
	roomID := a.createRoom("--name", "Fotos", "--invite", b.id)
	b.ok("join", roomID)
	path := striptest.Fixture(t, t.TempDir(), "jpeg", 64, 48, 0)
	for _, keep := range []bool{false, true} {
		argv := []string{"send-file", roomID, path}
		if keep {
			argv = append(argv, "--keep-metadata")
		}
		eventID := oneID(t, a.ok(argv...), eventIDRe)
		b.history(roomID, 50)
		out := filepath.Join(t.TempDir(), "foto.jpeg")
		b.ok("download", eventID, "--out", out)
		_, hasGPS := striptest.Tags(t, out)["EXIF:GPSLatitude"]
		if keep != hasGPS {
			t.Errorf("--keep-metadata %v: GPS position in the download %v", keep, hasGPS)
		}
		if !keep {
			striptest.CheckClean(t, out)
		}
	}
}
