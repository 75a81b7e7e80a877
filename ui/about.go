package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/internal/version"
)

// aboutTab shows the build: version, commit and build time (internal/version, set by make package).
func aboutTab() fyne.CanvasObject {
	in := version.Get()
	field := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Selectable = true
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem(T("settings.about.version"), field(in.Version)),
		widget.NewFormItem(T("settings.about.commit"), field(in.Commit)),
		widget.NewFormItem(T("settings.about.built"), field(in.Date)),
	)
	return container.NewVScroll(container.NewVBox(widget.NewLabelWithStyle(T("app.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), form))
}
