package session_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "golang.org/x/image/webp" // the downloaded WebP is decoded
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/media/strip/striptest"
)

// Photos tagged by exiftool with a GPS position, camera and XMP go through the engine to a real
// Dendrite; what the other side downloads has none of it left (checked with exiftool), still
// decodes with the same size, and the message's info has size, MIME type, width and height. A
// rotated JPEG keeps only its orientation. With the user's setting turned off, the metadata
// stays (the check can fail); HEIC is refused while stripping is on.
func TestSendImageStripsMetadata(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	a, b := newAccount(t, srv, "stripA"), newAccount(t, srv, "stripB")
	sa, sb := a.login(t), b.login(t)
	if on, enforced := sa.MediaMetadataStripping(); !on || enforced {
		t.Fatalf("stripping on %v enforced %v, want on by default and not enforced", on, enforced)
	}
	dir := t.TempDir()
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Fotos", Encrypted: true})
	mustSync(t, sa)

	send := func(t *testing.T, s *session.Session, path, mimeType string) (session.TimelineEvent, string) {
		t.Helper()
		txn, err := s.SendFilePath(ctx(t), roomID, path, mimeType)
		if err != nil {
			t.Fatalf("send %s: %v", filepath.Base(path), err)
		}
		eventID, err := s.WaitSent(ctx(t), txn)
		if err != nil {
			t.Fatal(err)
		}
		ev := waitEvent(t, sb, roomID, func(e session.TimelineEvent) bool { return e.EventID == eventID })
		att, err := sb.DownloadFile(ctx(t), eventID)
		if err != nil {
			t.Fatal(err)
		}
		got := filepath.Join(t.TempDir(), "got-"+filepath.Base(path))
		if err := os.WriteFile(got, att.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		return ev, got
	}
	for _, c := range []struct {
		format, mime string
		orientation  int
	}{{"jpeg", "image/jpeg", 0}, {"png", "image/png", 0}, {"webp", "image/webp", 0}, {"gif", "image/gif", 0}, {"jpeg", "image/jpeg", 6}} {
		t.Run(c.format, func(t *testing.T) {
			src := striptest.Fixture(t, t.TempDir(), c.format, 96, 64, c.orientation)
			ev, got := send(t, sa, src, c.mime)
			striptest.CheckClean(t, got)
			striptest.CheckDecodes(t, got, 96, 64)
			var content event.MessageEventContent
			if err := json.Unmarshal(ev.Content, &content); err != nil || content.Info == nil {
				t.Fatalf("content %s: %v", ev.Content, err)
			}
			st, _ := os.Stat(got)
			w, h := 96, 64
			if c.orientation == 6 {
				w, h = 64, 96 // shown upright
			}
			if i := content.Info; i.MimeType != c.mime || i.Size != int(st.Size()) || i.Width != w || i.Height != h || content.MsgType != event.MsgImage {
				t.Errorf("info %+v, want %s, %d bytes, %dx%d", i, c.mime, st.Size(), w, h)
			}
			// A blurhash as Element sends it, which decodes to a placeholder of the image's shape.
			if !strings.Contains(string(ev.Content), `"xyz.amorgan.blurhash"`) {
				t.Errorf("no xyz.amorgan.blurhash in %s", ev.Content)
			} else if img := session.BlurhashImage(content.Info.AnoaBlurhash, w, h); img == nil || (img.Bounds().Dx() > img.Bounds().Dy()) != (w > h) {
				t.Errorf("blurhash %q does not decode to a %dx%d placeholder", content.Info.AnoaBlurhash, w, h)
			}
		})
	}

	// A large photo gets a thumbnail of at most 800×600, upright, as Element sends it: encrypted
	// with its own key in an encrypted room (thumbnail_file), plain in a plain one (thumbnail_url).
	big := striptest.Fixture(t, dir, "jpeg", 1200, 900, 6)
	plainRoom := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Offen"})
	mustSync(t, sa)
	for _, encrypted := range []bool{true, false} {
		room := roomID
		if !encrypted {
			room = plainRoom
		}
		txn, err := sa.SendFilePath(ctx(t), room, big, "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		eventID, err := sa.WaitSent(ctx(t), txn)
		if err != nil {
			t.Fatal(err)
		}
		ev := waitEvent(t, sb, room, func(e session.TimelineEvent) bool { return e.EventID == eventID })
		var raw map[string]any
		_ = json.Unmarshal(ev.Content, &raw)
		info, _ := raw["info"].(map[string]any)
		want := []string{"mimetype", "size", "w", "h", "thumbnail_info"}
		if encrypted {
			want = append(want, "thumbnail_file")
		} else {
			want = append(want, "thumbnail_url")
		}
		for _, k := range want {
			if _, ok := info[k]; !ok {
				t.Errorf("encrypted %v: info has no %s: %s", encrypted, k, ev.Content)
			}
		}
		var content event.MessageEventContent
		if err := json.Unmarshal(ev.Content, &content); err != nil || content.Info == nil || content.Info.ThumbnailInfo == nil {
			t.Fatalf("content %s: %v", ev.Content, err)
		}
		ti := content.Info.ThumbnailInfo
		if content.Info.Width != 900 || content.Info.Height != 1200 || ti.Width != 450 || ti.Height != 600 || ti.MimeType != "image/jpeg" {
			t.Errorf("image %dx%d, thumbnail %+v; want 900x1200 and a 450x600 JPEG", content.Info.Width, content.Info.Height, ti)
		}
		var thumb []byte
		if encrypted {
			tf := content.Info.ThumbnailFile
			if tf == nil || content.Info.ThumbnailURL != "" {
				t.Fatalf("encrypted room: thumbnail_file %v, thumbnail_url %q", tf, content.Info.ThumbnailURL)
			}
			thumb = fetchMXC(t, srv, tf.URL)
			if err := tf.DecryptInPlace(thumb); err != nil {
				t.Fatalf("thumbnail does not decrypt: %v", err)
			}
		} else {
			if content.Info.ThumbnailFile != nil {
				t.Fatal("plain room: the thumbnail was encrypted")
			}
			thumb = fetchMXC(t, srv, content.Info.ThumbnailURL)
		}
		if len(thumb) != ti.Size {
			t.Errorf("thumbnail has %d bytes, info says %d", len(thumb), ti.Size)
		}
		img, format, err := image.Decode(bytes.NewReader(thumb))
		if err != nil || format != "jpeg" || img.Bounds().Dx() != 450 || img.Bounds().Dy() != 600 {
			t.Errorf("thumbnail: %v %s %v", err, format, img)
		}
	}

	// The user turns stripping off: the position goes out (which shows the check above can fail).
	if err := sa.SetKeepMediaMetadata(true); err != nil {
		t.Fatal(err)
	}
	src := striptest.Fixture(t, dir, "jpeg", 32, 32, 0)
	_, got := send(t, sa, src, "image/jpeg")
	if _, ok := striptest.Tags(t, got)["EXIF:GPSLatitude"]; !ok {
		t.Error("with stripping off the GPS position was removed anyway")
	}
	if err := sa.SetKeepMediaMetadata(false); err != nil {
		t.Fatal(err)
	}

	heic := filepath.Join(dir, "IMG_0001.HEIC")
	if err := os.WriteFile(heic, append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 64)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.SendFilePath(ctx(t), roomID, heic, "image/heic"); !errors.Is(err, session.ErrMediaMetadata) {
		t.Errorf("HEIC with stripping on: %v, want ErrMediaMetadata", err)
	}
}

// fetchMXC downloads mxc from the test server's unauthenticated media endpoint.
func fetchMXC(t *testing.T, srv *testserver.Server, uri id.ContentURIString) []byte {
	t.Helper()
	mxc, err := uri.Parse()
	if err != nil {
		t.Fatalf("thumbnail URL %q: %v", uri, err)
	}
	resp, err := http.Get(srv.URL + "/_matrix/media/v3/download/" + mxc.Homeserver + "/" + mxc.FileID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download %s: %d %v", uri, resp.StatusCode, err)
	}
	return data
}
