package session_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// A room avatar set by one member reaches the other as the room's avatar_url and loads as a
// small image (from the server's thumbnail, plain also in an encrypted room), cached by the
// engine; a room without one has none.
func TestRoomAvatar(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	a, b := newAccount(t, srv, "avA"), newAccount(t, srv, "avB")
	sa, sb := a.login(t), b.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Wache Nord", Encrypted: true})
	plain := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Ohne Bild"})

	red := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for i := range red.Pix {
		red.Pix[i] = []byte{0xd0, 0x10, 0x10, 0xff}[i%4]
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, red); err != nil {
		t.Fatal(err)
	}
	if err := sa.SetRoomAvatar(ctx(t), roomID, "image/png", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, err := sb.SyncOnce(ctx(t), time.Second); err != nil {
			t.Fatal(err)
		}
		if sum, _ := sb.Room(ctx(t), roomID); sum.AvatarURL != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the avatar did not arrive")
		}
	}
	img, err := sb.RoomAvatar(ctx(t), roomID, 48)
	if err != nil || img == nil {
		t.Fatalf("avatar: %v %v", img, err)
	}
	if bd := img.Bounds(); bd.Dx() == 0 || bd.Dx() > 48 || bd.Dy() > 48 {
		t.Errorf("avatar is %v, want at most 48x48", bd)
	}
	c := color.NRGBAModel.Convert(img.At(img.Bounds().Dx()/2, img.Bounds().Dy()/2)).(color.NRGBA)
	if c.R < 0xa0 || c.G > 0x40 || c.B > 0x40 {
		t.Errorf("avatar centre is %v, want red", c)
	}
	again, err := sb.RoomAvatar(ctx(t), roomID, 48)
	if err != nil || again != img {
		t.Errorf("second load not from the cache: %v", err)
	}
	if img, err := sb.RoomAvatar(ctx(t), plain, 48); img != nil || err != nil {
		t.Errorf("room without avatar: %v %v", img, err)
	}
}
