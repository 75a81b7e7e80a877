package ui

// The FMS panel: the latest status of each unit in an incident room (a room with alerts or unit
// statuses), below the room header, and the dialog that sets our own status (keys 0-9).

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// prefFMSUnit is the preference key of the unit our status is sent for.
const prefFMSUnit = "fms.unit"

// FMSPanel shows the units' latest FMS status. UI goroutine only.
type FMSPanel struct {
	root    *fyne.Container
	units   *fyne.Container
	SetBtn  *widget.Button
	reports []session.UnitReport
	room    id.RoomID
	newest  int64 // newest status message the panel was loaded for
	OnSet   func()
}

// NewFMSPanel builds the (hidden) panel.
func NewFMSPanel() *FMSPanel {
	p := &FMSPanel{units: container.NewHBox()}
	p.SetBtn = widget.NewButtonWithIcon(T("fms.set"), theme.ConfirmIcon(), func() {
		if p.OnSet != nil {
			p.OnSet()
		}
	})
	title := widget.NewLabel(T("fms.title"))
	title.TextStyle.Bold = true
	p.root = container.NewBorder(nil, nil, title, p.SetBtn, container.NewHScroll(p.units))
	p.root.Hide()
	return p
}

// View is the panel's canvas object.
func (p *FMSPanel) View() fyne.CanvasObject { return p.root }

// Reports are the statuses shown.
func (p *FMSPanel) Reports() []session.UnitReport { return p.reports }

// Visible reports whether the panel shows.
func (p *FMSPanel) Visible() bool { return p.root.Visible() }

// Texts are the units' lines as shown.
func (p *FMSPanel) Texts() []string {
	var out []string
	for _, o := range p.units.Objects {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return out
}

// Set shows the statuses; show tells whether the room is an incident room.
func (p *FMSPanel) Set(reports []session.UnitReport, show bool) {
	p.reports = reports
	objs := make([]fyne.CanvasObject, 0, len(reports)+1)
	if len(reports) == 0 {
		objs = append(objs, widget.NewLabel(T("fms.none")))
	}
	for _, r := range reports {
		l := widget.NewLabel(fmsLine(r))
		if r.FMS == 0 || r.FMS == 5 {
			l.Importance = widget.DangerImportance // Sprechwunsch: the dispatcher must call back
		}
		objs = append(objs, l)
	}
	p.units.Objects = objs
	p.units.Refresh()
	if p.root.Hidden == show {
		p.root.Hidden = !show
		p.root.Refresh()
	}
}

// fmsLine is one unit's status: "HLF 20-1: 3 Einsatz übernommen".
func fmsLine(r session.UnitReport) string {
	unit := r.Unit
	if u := id.UserID(unit); strings.HasPrefix(unit, "@") {
		if l, _, err := u.Parse(); err == nil {
			unit = l
		}
	}
	return fmt.Sprintf("%s: %d %s", session.CleanName(unit), r.FMS, fmsMeaning(r.FMS))
}

// fmsMeaning is the translated meaning of an FMS status.
func fmsMeaning(fms int) string {
	if fms < 0 || fms > 9 {
		return ""
	}
	return T(fmt.Sprintf("fms.%d", fms))
}

// fmsUpdate reloads the shown room's unit statuses when its messages hold a status newer than
// the panel's (or the room changed: reset). The panel shows in rooms with alerts or statuses.
func (a *App) fmsUpdate(room id.RoomID, msgs []session.Message, reset bool) {
	incident, newest := false, int64(0)
	for _, m := range msgs {
		if m.Alert != nil {
			incident = true
		}
		if m.Status != nil {
			incident = true
			newest = max(newest, m.TS)
		}
	}
	if !reset && room == a.fms.room && newest <= a.fms.newest && (incident || !a.fms.Visible()) {
		return
	}
	a.fms.room, a.fms.newest = room, newest
	go func() {
		reports, err := a.s.UnitStatuses(a.ctx, room)
		do(func() {
			if err != nil || a.Current() != room {
				return
			}
			a.fms.Set(reports, incident || len(reports) > 0)
			a.relayout()
		})
	}()
}

// fmsDialog is the open "set status" dialog (UI goroutine).
type fmsDialog struct {
	d    dialog.Dialog
	unit *widget.Entry
	room id.RoomID
}

// showSetStatus opens the dialog that sends our FMS status into the shown room: a button per
// status, or its digit typed while the unit field has no focus.
func (a *App) showSetStatus() {
	room := a.Current()
	if room == "" {
		return
	}
	fd := &fmsDialog{unit: widget.NewEntry(), room: room}
	fd.unit.SetPlaceHolder(T("fms.unit_placeholder"))
	if fa := fyne.CurrentApp(); fa != nil {
		fd.unit.SetText(fa.Preferences().String(prefFMSUnit))
	}
	grid := container.NewGridWithColumns(2)
	for n := range 10 {
		fms := (n + 1) % 10 // 1..9, then 0
		grid.Add(widget.NewButton(fmt.Sprintf("%d – %s", fms, fmsMeaning(fms)), func() { a.sendStatus(fms) }))
	}
	content := container.NewVBox(widget.NewForm(widget.NewFormItem(T("fms.unit"), fd.unit)),
		widget.NewLabel(T("fms.keys_hint")), grid)
	fd.d = dialog.NewCustom(T("fms.dialog_title"), T("dlg.cancel"), content, a.w)
	fd.d.SetOnClosed(func() {
		if a.fmsDlg == fd {
			a.fmsDlg = nil
		}
	})
	a.fmsDlg = fd
	fd.d.Show()
}

// sendStatus sends our status from the open dialog and closes it.
func (a *App) sendStatus(fms int) {
	fd := a.fmsDlg
	if fd == nil {
		return
	}
	unit := strings.TrimSpace(fd.unit.Text)
	if fa := fyne.CurrentApp(); fa != nil {
		fa.Preferences().SetString(prefFMSUnit, unit)
	}
	fd.d.Hide()
	Trace("fms_set fms=%d", fms)
	go func() {
		if _, err := a.s.SendUnitStatus(a.ctx, fd.room, alert.UnitStatus{FMS: fms, Unit: unit}); err != nil {
			a.showError(T("fms.send_failed", err))
		}
	}()
}

// fmsRune sends the status of a digit typed while the dialog is open.
func (a *App) fmsRune(r rune) bool {
	if a.fmsDlg == nil || r < '0' || r > '9' {
		return false
	}
	a.sendStatus(int(r - '0'))
	return true
}
