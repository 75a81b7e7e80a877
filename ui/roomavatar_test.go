package ui

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// pictures lists the visible canvas images with a picture under o.
func pictures(o fyne.CanvasObject) []*canvas.Image {
	var out []*canvas.Image
	walkVisible(o, func(o fyne.CanvasObject) bool {
		if i, ok := o.(*canvas.Image); ok && i.Image != nil && i.Resource == nil { // not an icon
			out = append(out, i)
		}
		return false
	})
	return out
}

// A room with an avatar (set on a real Dendrite, in an encrypted room) shows its picture in the
// room list and the room header, loaded by the engine; a room without one keeps its initial.
func TestFlowRoomAvatar(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	u := newFlowUser(t, srv, "avatar")
	s := u.login(t)
	ctx := testCtx(t)
	room, err := s.CreateRoom(ctx, session.CreateRoomOptions{Name: "Wache Nord", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRoom(ctx, session.CreateRoomOptions{Name: "Ohne Bild"}); err != nil {
		t.Fatal(err)
	}
	pic := image.NewRGBA(image.Rect(0, 0, 120, 120))
	for y := range 120 {
		for x := range 120 {
			pic.Set(x, y, color.RGBA{0x10, 0x60, 0xd0, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, pic); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRoomAvatar(ctx, room, "image/png", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, a := openShell(t, q, u, ShellConfig{})
	q.until(t, "the avatar in the room list", func() bool {
		return len(a.RoomList().Rooms()) == 2 && len(pictures(a.RoomList().View())) == 1
	})
	if got := pictures(a.RoomList().View())[0]; got.Image.Bounds().Dx() > roomAvatarPx {
		t.Errorf("avatar of %v, want at most %d px", got.Image.Bounds(), roomAvatarPx)
	}
	a.OpenRoom(room)
	q.until(t, "the avatar in the header", func() bool { return len(pictures(a.Header().View())) == 1 })
}

// A room avatar that failed to load (offline) is asked for again after the retry time, not at
// every row bound before that.
func TestRoomAvatarRetriesAfterFailure(t *testing.T) {
	q := useTestUIQueue(t)
	var calls atomic.Int32
	var fail atomic.Bool
	fail.Store(true)
	pic := image.NewRGBA(image.Rect(0, 0, 8, 8))
	l := newRoomAvatars(func(id.RoomID) (image.Image, error) {
		calls.Add(1)
		if fail.Load() {
			return nil, errors.New("offline")
		}
		return pic, nil
	}, func() {})
	l.retry = 50 * time.Millisecond
	r := session.RoomSummary{ID: "!a:x", AvatarURL: "mxc://x/a"}
	if l.get(r) != nil {
		t.Fatal("a picture before loading")
	}
	q.until(t, "the failed load", func() bool { return calls.Load() == 1 })
	l.get(r) // before the retry time: not asked again
	q.drain()
	if n := calls.Load(); n != 1 {
		t.Fatalf("asked %d times before the retry time", n)
	}
	fail.Store(false)
	q.until(t, "the picture after the retry", func() bool { return l.get(r) == pic })
}
