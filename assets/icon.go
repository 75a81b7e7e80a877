package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon, a 256x256 PNG.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
