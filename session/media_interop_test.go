package session_test

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session/media/strip/striptest"
)

// matrix-js-sdk gets a photo as Element needs it: info with mimetype, size, w, h, and an
// encrypted thumbnail (thumbnail_file, thumbnail_info) that it downloads, decrypts and that
// decodes as an 800x600 JPEG; the photo itself has no metadata left (exiftool).
func TestInteropImageInfoAndThumbnail(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "photoA"), newAccount(t, srv, "photoB")
	sa := alice.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "Fotos")
	photo := striptest.Fixture(t, t.TempDir(), "jpeg", 1200, 900, 0)
	eventID := sentBy(t, sa)(sa.SendFilePath(ctx(t), roomID, photo, "image/jpeg"))

	ev, err := js.WaitForEvent(ctx(t), roomID.String(), func(e jspeer.Event) bool { return e.EventID == eventID.String() })
	if err != nil || !ev.Encrypted {
		t.Fatalf("photo at matrix-js-sdk: %+v %v", ev, err)
	}
	info, _ := ev.Content["info"].(map[string]any)
	for _, k := range []string{"mimetype", "size", "w", "h", "thumbnail_info", "thumbnail_file"} {
		if _, ok := info[k]; !ok {
			t.Errorf("info has no %s: %v", k, info)
		}
	}
	if info["w"] != float64(1200) || info["h"] != float64(900) || info["mimetype"] != "image/jpeg" {
		t.Errorf("info %v", info)
	}
	tf, _ := info["thumbnail_file"].(map[string]any)
	thumb, err := js.Download(ctx(t), map[string]any{"file": tf})
	if err != nil {
		t.Fatalf("matrix-js-sdk thumbnail download: %v", err)
	}
	img, format, err := image.Decode(bytes.NewReader(thumb))
	if err != nil || format != "jpeg" || img.Bounds().Dx() != 800 || img.Bounds().Dy() != 600 {
		t.Fatalf("thumbnail: %v %s", err, format)
	}
	data, err := js.Download(ctx(t), ev.Content)
	if err != nil {
		t.Fatalf("matrix-js-sdk download: %v", err)
	}
	got := filepath.Join(t.TempDir(), "got.jpeg")
	if err := os.WriteFile(got, data, 0o600); err != nil {
		t.Fatal(err)
	}
	striptest.CheckClean(t, got)
	striptest.CheckDecodes(t, got, 1200, 900)
}
