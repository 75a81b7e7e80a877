package ui

import (
	"hash/fnv"
	"image"
	"image/color"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// avatarPalette are the background colours of initials avatars: distinct, readable with white text.
var avatarPalette = []color.NRGBA{
	{0xc6, 0x28, 0x28, 0xff}, {0xad, 0x14, 0x57, 0xff}, {0x6a, 0x1b, 0x9a, 0xff}, {0x28, 0x35, 0x93, 0xff},
	{0x02, 0x77, 0xbd, 0xff}, {0x00, 0x69, 0x5c, 0xff}, {0x2e, 0x7d, 0x32, 0xff}, {0xef, 0x6c, 0x00, 0xff},
}

// userColour picks a stable colour for a user ID.
func userColour(user string) color.NRGBA {
	h := fnv.New32a()
	_, _ = h.Write([]byte(user))
	return avatarPalette[h.Sum32()%uint32(len(avatarPalette))]
}

// initial is the first letter or digit of a display name ("?" when there is none).
func initial(name string) string {
	for _, r := range strings.TrimLeft(name, "@") {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return strings.ToUpper(string(r))
		}
	}
	return "?"
}

// avatar is a coloured circle with the user's or room's initial, or a picture over it (a room's
// avatar, loaded by the engine). Its view's objects (avatarParts relies on the order): a stack of
// the circle, the centred initial and the picture.
type avatar struct {
	circle *canvas.Circle
	text   *canvas.Text
	img    *canvas.Image // hidden without a picture
	view   *fyne.Container
}

func newAvatar(size float32) *avatar {
	a := &avatar{circle: canvas.NewCircle(color.Transparent), text: canvas.NewText("", color.White), img: canvas.NewImageFromImage(nil)}
	a.text.Alignment = fyne.TextAlignCenter
	a.text.TextStyle.Bold = true
	a.text.TextSize = size * 0.5
	a.img.FillMode = canvas.ImageFillContain
	a.img.ScaleMode = canvas.ImageScaleSmooth
	a.img.CornerRadius = size / 2 // round, as the initials
	a.img.Hide()
	a.view = container.NewGridWrap(fyne.NewSize(size, size), container.NewStack(a.circle, container.NewCenter(a.text), a.img))
	return a
}

// avatarParts finds the parts of an avatar's view made by newAvatar.
func avatarParts(view *fyne.Container) *avatar {
	stack := view.Objects[0].(*fyne.Container)
	return &avatar{view: view, circle: stack.Objects[0].(*canvas.Circle),
		text: stack.Objects[1].(*fyne.Container).Objects[0].(*canvas.Text), img: stack.Objects[2].(*canvas.Image)}
}

// setPicture shows pic over the initials; nil shows the initials.
func (a *avatar) setPicture(pic image.Image) {
	if a.img.Image == pic && a.img.Visible() == (pic != nil) {
		return
	}
	a.img.Image = pic
	a.img.Hidden = pic == nil
	a.img.Refresh()
}

func (a *avatar) set(user, name string) {
	a.circle.FillColor = userColour(user)
	a.text.Text = initial(name)
	a.circle.Refresh()
	a.text.Refresh()
}
