package ui

// The alert view: an incoming alarm takes over the window with a full-width red view that shows
// keyword, address, text, units and a countdown to the response deadline, with the answers.

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// alarmRed is the alert view's background.
var alarmRed = color.NRGBA{R: 0xb3, G: 0x12, B: 0x12, A: 0xff}

// AlertView is the takeover view of one alarm. Its methods run on the UI goroutine.
type AlertView struct {
	root *fyne.Container

	title     *canvas.Text // "ALARM"
	room      *widget.Label
	queued    *widget.Label // "2 weitere Alarmierungen"
	Keyword   *canvas.Text
	Address   *widget.Label
	Text      *widget.Label
	Units     *widget.Label
	Deadline  *widget.Label
	Countdown *canvas.Text

	Coming, Later, NotComing, Mute, Dismiss *widget.Button
	ETA                                     *widget.Entry

	info     alert.Info
	Answer   func(status alert.Status, etaMinutes int) // set by the alert center
	OnMute   func()
	OnClose  func()
	errLabel *widget.Label
}

// NewAlertView builds the (hidden) alert view.
func NewAlertView() *AlertView {
	v := &AlertView{}
	white := color.White
	v.title = canvas.NewText(T("alert.alarm"), white)
	v.title.TextSize, v.title.TextStyle = 30, fyne.TextStyle{Bold: true}
	v.room = widget.NewLabel("")
	v.room.Truncation = fyne.TextTruncateEllipsis
	v.queued = widget.NewLabel("")
	v.queued.TextStyle.Bold = true
	v.Keyword = canvas.NewText("", white)
	v.Keyword.TextSize, v.Keyword.TextStyle = 40, fyne.TextStyle{Bold: true}
	v.Address = widget.NewLabel("")
	v.Address.TextStyle.Bold = true
	v.Address.Wrapping = fyne.TextWrapWord
	v.Address.SizeName = theme.SizeNameSubHeadingText
	v.Text = widget.NewLabel("")
	v.Text.Wrapping = fyne.TextWrapWord
	v.Units = widget.NewLabel("")
	v.Units.Wrapping = fyne.TextWrapWord
	v.Deadline = widget.NewLabel("")
	v.Countdown = canvas.NewText("", white)
	v.Countdown.TextSize, v.Countdown.TextStyle = 48, fyne.TextStyle{Bold: true}
	v.errLabel = widget.NewLabel("")
	v.errLabel.Wrapping = fyne.TextWrapWord
	v.errLabel.Hide()

	v.ETA = widget.NewEntry()
	v.ETA.SetPlaceHolder(T("alert.eta_placeholder"))
	v.ETA.Validator = nil
	v.ETA.OnSubmitted = func(string) { v.answer(alert.StatusLater) }
	v.Coming = widget.NewButton(T("alert.coming"), func() { v.answer(alert.StatusComing) })
	v.Coming.Importance = widget.SuccessImportance
	v.Later = widget.NewButton(T("alert.later"), func() { v.answer(alert.StatusLater) })
	v.Later.Importance = widget.WarningImportance
	v.NotComing = widget.NewButton(T("alert.not_coming"), func() { v.answer(alert.StatusNotComing) })
	v.NotComing.Importance = widget.HighImportance
	v.Mute = widget.NewButtonWithIcon(T("alert.mute"), theme.VolumeMuteIcon(), func() { v.call(v.OnMute) })
	v.Dismiss = widget.NewButtonWithIcon(T("alert.dismiss"), theme.CancelIcon(), func() { v.call(v.OnClose) })

	etaBox := container.NewBorder(nil, nil, nil, widget.NewLabel(T("alert.minutes")), v.ETA)
	answers := container.NewGridWithColumns(3,
		tall(v.Coming),
		container.NewBorder(nil, nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(150, v.ETA.MinSize().Height), etaBox)), tall(v.Later)),
		tall(v.NotComing))
	top := container.NewBorder(nil, nil, v.title, container.NewHBox(v.queued, v.Mute, v.Dismiss), v.room)
	body := container.NewVBox(v.Keyword, v.Address, v.Text, v.Units, widget.NewSeparator(), v.Deadline, v.Countdown, v.errLabel)
	content := container.NewBorder(top, answers, nil, nil, container.NewVScroll(body))
	bg := canvas.NewRectangle(alarmRed)
	v.root = container.NewStack(bg, container.NewThemeOverride(container.NewPadded(content), alarmTheme{}))
	v.root.Hide()
	return v
}

// View is the view's canvas object (hidden until an alarm shows).
func (v *AlertView) View() fyne.CanvasObject { return v.root }

// Info is the alarm on screen.
func (v *AlertView) Info() alert.Info { return v.info }

// Visible reports whether the view shows.
func (v *AlertView) Visible() bool { return v.root.Visible() }

// Set shows an alarm: room is the room's name, more the number of alarms waiting behind it.
func (v *AlertView) Set(info alert.Info, room, sender string, more int, now time.Time) {
	v.info = info
	v.Keyword.Text = session.CleanName(info.Keyword)
	v.Keyword.Refresh()
	v.room.SetText(T("alert.room", session.CleanName(room), session.CleanName(sender)))
	setOptional(v.Address, session.CleanName(info.Address))
	setOptional(v.Text, cleanLines(info.Text))
	units := make([]string, 0, len(info.Units))
	for _, u := range info.Units {
		units = append(units, session.CleanName(u))
	}
	if len(units) > 0 {
		setOptional(v.Units, T("alert.units", strings.Join(units, ", ")))
	} else {
		setOptional(v.Units, "")
	}
	if info.Required > 0 {
		v.Units.SetText(strings.TrimSpace(v.Units.Text + "\n" + T("alert.required", info.Required)))
		v.Units.Show()
	}
	v.SetQueued(more)
	v.ETA.SetText("")
	v.SetError("")
	for _, b := range []*widget.Button{v.Coming, v.Later, v.NotComing} {
		b.Enable()
	}
	v.Tick(now)
}

// SetQueued shows how many alarms wait behind this one.
func (v *AlertView) SetQueued(more int) {
	if more > 0 {
		v.queued.SetText(T("alert.queued", more))
		v.queued.Show()
	} else {
		v.queued.Hide()
	}
}

// SetMuted shows whether the tone is off.
func (v *AlertView) SetMuted(muted bool) {
	if muted {
		v.Mute.Disable()
	} else {
		v.Mute.Enable()
	}
}

// SetError shows why an answer failed ("" hides it).
func (v *AlertView) SetError(msg string) {
	v.errLabel.SetText(msg)
	v.errLabel.Hidden = msg == ""
	v.errLabel.Refresh()
}

// Tick updates the countdown to the deadline.
func (v *AlertView) Tick(now time.Time) {
	if v.info.DeadlineTS == 0 {
		v.Deadline.SetText(T("alert.no_deadline"))
		v.Countdown.Text = ""
		v.Countdown.Refresh()
		return
	}
	deadline := time.UnixMilli(v.info.DeadlineTS)
	v.Deadline.SetText(T("alert.deadline", deadline.Local().Format("15:04")))
	v.Countdown.Text = countdown(deadline.Sub(now))
	v.Countdown.Refresh()
}

// countdown formats the time left: "09:41", "1:02:03", or "abgelaufen".
func countdown(left time.Duration) string {
	if left <= 0 {
		return T("alert.expired")
	}
	s := int((left + time.Second - 1) / time.Second) // round up: 0:00 only when passed
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// answer hands the chosen answer to the alert center (with the ETA for "Später").
func (v *AlertView) answer(status alert.Status) {
	if v.Answer == nil || !v.root.Visible() || v.Coming.Disabled() {
		return
	}
	eta := 0
	if txt := strings.TrimSpace(v.ETA.Text); txt != "" {
		n, err := strconv.Atoi(txt)
		if err != nil || n < 0 || n > alert.MaxETA {
			v.SetError(T("alert.eta_invalid", alert.MaxETA))
			return
		}
		eta = n
	}
	if status == alert.StatusNotComing {
		eta = 0
	}
	for _, b := range []*widget.Button{v.Coming, v.Later, v.NotComing} {
		b.Disable()
	}
	v.Answer(status, eta)
}

// TypedRune handles the view's keys: K komme, S später, N komme nicht, M tone off.
func (v *AlertView) TypedRune(r rune) bool {
	switch r {
	case 'k', 'K':
		v.answer(alert.StatusComing)
	case 's', 'S':
		v.answer(alert.StatusLater)
	case 'n', 'N':
		v.answer(alert.StatusNotComing)
	case 'm', 'M':
		v.call(v.OnMute)
	default:
		return false
	}
	return true
}

func (v *AlertView) call(f func()) {
	if f != nil {
		f()
	}
}

// tall gives an answer button the height of a finger.
func tall(b *widget.Button) fyne.CanvasObject {
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(0, 64))
	return container.NewPadded(container.NewStack(spacer, b))
}

func setOptional(l *widget.Label, text string) {
	l.SetText(text)
	if l.Hidden != (text == "") {
		l.Hidden = text == ""
		l.Refresh()
	}
}

// cleanLines cleans remote multi-line text line by line (no bidi overrides, no control characters).
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = session.CleanName(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// alarmTheme draws white text on the red view; the rest is the app's theme.
type alarmTheme struct{}

func (alarmTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameForeground, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning,
		theme.ColorNameForegroundOnPrimary:
		return color.White
	case theme.ColorNamePlaceHolder:
		return color.NRGBA{R: 0xff, G: 0xd0, B: 0xd0, A: 0xff}
	case theme.ColorNamePrimary:
		return color.NRGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff}
	case theme.ColorNameInputBackground, theme.ColorNameButton:
		return color.NRGBA{R: 0x7a, G: 0x0a, B: 0x0a, A: 0xff}
	case theme.ColorNameSuccess:
		return color.NRGBA{R: 0x1b, G: 0x7a, B: 0x2e, A: 0xff}
	case theme.ColorNameWarning:
		return color.NRGBA{R: 0xc7, G: 0x6a, B: 0x00, A: 0xff}
	}
	return baseTheme().Color(n, v)
}

func (alarmTheme) Font(s fyne.TextStyle) fyne.Resource { return baseTheme().Font(s) }

func (alarmTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return baseTheme().Icon(n)
}

func (alarmTheme) Size(n fyne.ThemeSizeName) float32 { return baseTheme().Size(n) }

// baseTheme is the app's theme (the default one without an app).
func baseTheme() fyne.Theme {
	if a := fyne.CurrentApp(); a != nil && a.Settings().Theme() != nil {
		return a.Settings().Theme()
	}
	return theme.DefaultTheme()
}
