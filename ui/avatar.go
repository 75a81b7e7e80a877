package ui

import (
	"hash/fnv"
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

// avatar is a coloured circle with the user's initial; no image is fetched from the network.
type avatar struct {
	circle *canvas.Circle
	text   *canvas.Text
	view   *fyne.Container
}

func newAvatar(size float32) *avatar {
	a := &avatar{circle: canvas.NewCircle(color.Transparent), text: canvas.NewText("", color.White)}
	a.text.Alignment = fyne.TextAlignCenter
	a.text.TextStyle.Bold = true
	a.text.TextSize = size * 0.5
	a.view = container.NewGridWrap(fyne.NewSize(size, size), container.NewStack(a.circle, container.NewCenter(a.text)))
	return a
}

func (a *avatar) set(user, name string) {
	a.circle.FillColor = userColour(user)
	a.text.Text = initial(name)
	a.circle.Refresh()
	a.text.Refresh()
}
