package ui

// Locations: how a received location shows in the timeline (coordinates, description, a link to
// openstreetmap.org opened with fyne's OpenURL) and the dialog that sends one. The desktop has no
// portable location API: the dialog takes coordinates, a geo: URI or a pasted map link.

import (
	"net/url"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// locationText is a location in one line: "📍 Standort: Beschreibung – 52.52, 13.405 (± 10 m)".
func locationText(l *session.Location) string {
	coords := T("location.coords", strconv.FormatFloat(l.Lat, 'f', -1, 64), strconv.FormatFloat(l.Lon, 'f', -1, 64))
	if l.Accuracy > 0 {
		coords += T("location.accuracy", strconv.FormatFloat(l.Accuracy, 'f', -1, 64))
	}
	if l.Description != "" {
		coords = session.CleanName(l.Description) + " – " + coords
	}
	if l.Asset == session.AssetSelf {
		return T("location.shared_self", coords)
	}
	return T("location.shared", coords)
}

// locationSegments shows a location message: its text and a link that opens the map.
func locationSegments(m session.Message) []widget.RichTextSegment {
	l := m.Location
	if l == nil {
		return []widget.RichTextSegment{&widget.TextSegment{Text: m.Body, Style: widget.RichTextStyleInline}}
	}
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: locationText(l) + "  ", Style: widget.RichTextStyleInline}}
	if u, err := url.Parse(l.MapURL()); err == nil {
		segs = append(segs, &widget.HyperlinkSegment{Text: T("location.open_map"), URL: u})
	}
	return segs
}

// LocationButton is the composer's location action: it opens the send dialog, or, when the
// policy disable_location forbids sharing, shows a lock and does nothing.
type LocationButton struct {
	*widget.Button
	locked bool
}

func newLocationButton(open func()) *LocationButton {
	b := &LocationButton{}
	b.Button = widget.NewButtonWithIcon("", theme.NewThemedResource(locationIcon), func() {
		if !b.locked {
			open()
		}
	})
	return b
}

// SetLocked replaces the action by a lock (policy disable_location).
func (b *LocationButton) SetLocked(locked bool) {
	b.locked = locked
	if locked {
		b.SetIcon(theme.NewThemedResource(lockIcon))
		b.Disable()
	} else {
		b.SetIcon(theme.NewThemedResource(locationIcon))
		b.Enable()
	}
}

// Locked tells whether the policy locked the action.
func (b *LocationButton) Locked() bool { return b.locked }

// locationIcon is a map pin (Material Design "place", Apache 2.0).
var locationIcon = fyne.NewStaticResource("place.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">`+
	`<path fill="#000000" d="M12 2C8.13 2 5 5.13 5 9c0 5.25 7 13 7 13s7-7.75 7-13c0-3.87-3.13-7-7-7zm0 9.5c-1.38 0-2.5-1.12-2.5-2.5s1.12-2.5 2.5-2.5 2.5 1.12 2.5 2.5-1.12 2.5-2.5 2.5z"/></svg>`))

// LocationForm is the content of the send-location dialog.
type LocationForm struct {
	Input       *widget.Entry
	Description *widget.Entry
	Self        *widget.Check
	Preview     *widget.Label
	view        fyne.CanvasObject
}

func newLocationForm() *LocationForm {
	f := &LocationForm{Input: widget.NewEntry(), Description: widget.NewEntry(), Self: widget.NewCheck(T("location.self"), nil),
		Preview: widget.NewLabel("")}
	f.Input.SetPlaceHolder(T("location.input"))
	f.Description.SetPlaceHolder(T("location.description"))
	f.Preview.Importance = widget.LowImportance
	f.Preview.Wrapping = fyne.TextWrapWord
	f.Input.OnChanged = func(string) { f.update() }
	intro := widget.NewLabel(T("location.intro"))
	intro.Wrapping = fyne.TextWrapWord
	f.view = container.NewVBox(intro, f.Input, f.Description, f.Self, f.Preview)
	return f
}

// Location is the entered position, or why it is not one.
func (f *LocationForm) Location() (session.Location, error) {
	l, err := session.ParseLocationInput(f.Input.Text)
	if err != nil {
		return l, err
	}
	l.Description = f.Description.Text
	l.Asset = session.AssetPin
	if f.Self.Checked {
		l.Asset = session.AssetSelf
	}
	return l, nil
}

func (f *LocationForm) update() {
	if f.Input.Text == "" {
		f.Preview.SetText("")
		return
	}
	l, err := f.Location()
	if err != nil {
		f.Preview.SetText(T("location.invalid", err))
		return
	}
	f.Preview.SetText(T("location.preview", l.GeoURI))
}

// showSendLocation asks for a position and sends it into the shown room.
func (a *App) showSendLocation() {
	room := a.Current()
	if room == "" || a.s.CheckLocation() != nil {
		return
	}
	f := newLocationForm()
	d := dialog.NewCustomConfirm(T("location.title"), T("location.send"), T("location.cancel"), f.view, func(ok bool) {
		if !ok {
			return
		}
		l, err := f.Location()
		if err != nil {
			a.showError(T("location.invalid", err))
			return
		}
		go func() {
			if _, err := a.s.SendLocation(a.ctx, room, l); err != nil {
				a.showError(T("location.send_failed", err))
			}
		}()
	}, a.w)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	a.w.Canvas().Focus(f.Input)
}
