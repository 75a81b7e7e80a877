package ui

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// devicesView lists the own devices (name, ID, verification) with verify, rename and sign-out
// actions. Its fields are touched on the UI goroutine only.
type devicesView struct {
	ctx       context.Context // ends with the settings dialog
	verifyCtx context.Context // for verifications, which outlive it
	s         Engine
	w         fyne.Window

	devs     []session.DeviceInfo
	list     *widget.List
	status   *widget.Label
	progress *widget.ProgressBarInfinite
	view     fyne.CanvasObject

	onLoaded func()                // tests: after each (re)load was shown
	onVerify func(*verifyView)     // tests: the dialog of a started verification
	onDialog func(d dialog.Dialog) // tests: rename and sign-out dialogs when shown
}

func newDevicesView(ctx context.Context, w fyne.Window, s Engine) *devicesView {
	dv := &devicesView{ctx: ctx, verifyCtx: ctx, s: s, w: w}
	dv.status = widget.NewLabel(T("settings.devices.loading"))
	dv.status.Wrapping = fyne.TextWrapWord
	dv.progress = widget.NewProgressBarInfinite()
	dv.list = widget.NewList(func() int { return len(dv.devs) }, dv.newRow, dv.updateRow)
	reload := widget.NewButtonWithIcon(T("settings.devices.reload"), theme.ViewRefreshIcon(), dv.reload)
	dv.view = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, reload, dv.status), dv.progress), nil, nil, nil, dv.list)
	return dv
}

// View is the tab's content.
func (dv *devicesView) View() fyne.CanvasObject { return dv.view }

func (dv *devicesView) newRow() fyne.CanvasObject {
	name := widget.NewLabel("")
	name.TextStyle.Bold = true
	name.Truncation = fyne.TextTruncateEllipsis
	did := widget.NewLabel("")
	did.Importance = widget.LowImportance
	did.Truncation = fyne.TextTruncateEllipsis
	icon := widget.NewIcon(theme.QuestionIcon())
	trust := widget.NewLabel("")
	verify := widget.NewButton(T("settings.devices.verify"), nil)
	rename := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), nil)
	remove := widget.NewButtonWithIcon("", theme.LogoutIcon(), nil)
	right := container.NewHBox(icon, trust, verify, rename, remove)
	return container.NewBorder(nil, nil, nil, container.NewCenter(right), container.NewVBox(name, did))
}

func (dv *devicesView) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(dv.devs) {
		return
	}
	d := dv.devs[i]
	me := d.DeviceID == dv.s.Account().DeviceID
	row := o.(*fyne.Container)
	left, right := row.Objects[0].(*fyne.Container), row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container)
	name := d.Name
	if name == "" {
		name = T("settings.devices.unnamed")
	}
	if me {
		name = T("settings.devices.this_device", name)
	}
	left.Objects[0].(*widget.Label).SetText(name)
	left.Objects[1].(*widget.Label).SetText(T("settings.devices.id", d.DeviceID))
	icon, trust := right.Objects[0].(*widget.Icon), right.Objects[1].(*widget.Label)
	verified := d.Verified && d.CrossSigned
	if verified {
		icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		trust.SetText(T("settings.devices.verified"))
		trust.Importance = widget.SuccessImportance
	} else {
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		trust.SetText(T("settings.devices.unverified"))
		trust.Importance = widget.WarningImportance
	}
	trust.Refresh()
	verify := right.Objects[2].(*widget.Button)
	rename := right.Objects[3].(*widget.Button)
	remove := right.Objects[4].(*widget.Button)
	verify.Hidden = verified
	dev := d
	if me {
		// This device is verified from another of ours: ask them all.
		verify.OnTapped = func() { startVerification(dv.verifyCtx, dv.w, dv.s, dv.s.Account().UserID, "", dv.onVerify) }
	} else {
		verify.OnTapped = func() {
			startVerification(dv.verifyCtx, dv.w, dv.s, dv.s.Account().UserID, dev.DeviceID, dv.onVerify)
		}
	}
	rename.OnTapped = func() { dv.askRename(dev) }
	remove.Hidden = me // this device signs out in the account tab
	remove.OnTapped = func() { dv.askDelete(dev) }
	row.Refresh() // the right part changed width: lay the whole row out again
}

// reload fetches the own devices off the UI goroutine and shows them.
func (dv *devicesView) reload() {
	dv.progress.Show()
	dv.progress.Start()
	go func() {
		devs, err := dv.s.Devices(dv.ctx, "")
		me := dv.s.Account().DeviceID
		sort.SliceStable(devs, func(i, j int) bool {
			if (devs[i].DeviceID == me) != (devs[j].DeviceID == me) {
				return devs[i].DeviceID == me
			}
			return strings.ToLower(devs[i].Name) < strings.ToLower(devs[j].Name)
		})
		do(func() {
			dv.progress.Stop()
			dv.progress.Hide()
			if err != nil {
				dv.status.SetText(T("settings.devices.load_failed", failureText(err)))
			} else {
				dv.devs = devs
				dv.status.SetText(T("settings.devices.count", len(devs)))
				dv.list.Refresh()
			}
			dv.view.Refresh()
			if dv.onLoaded != nil {
				dv.onLoaded()
			}
		})
	}()
}

// askRename asks for a new device name and renames the device.
func (dv *devicesView) askRename(d session.DeviceInfo) {
	entry := widget.NewEntry()
	entry.SetText(d.Name)
	errL := errorLabel()
	var dlg *dialog.CustomDialog
	save := func() {
		name := strings.TrimSpace(entry.Text)
		if name == "" {
			setError(errL, T("settings.devices.name_required"))
			fitDialog(dlg, widthForm)
			return
		}
		dlg.Hide()
		runBusy(dv.ctx, dv.w, T("settings.devices.renaming"), func(ctx context.Context) error {
			return dv.s.RenameDevice(ctx, d.DeviceID, name)
		}, func(err error) {
			if err != nil {
				showFailure(dv.w, T("settings.devices.rename_title"), err)
			}
			dv.reload()
		})
	}
	entry.OnSubmitted = func(string) { save() }
	saveBtn := widget.NewButton(T("settings.devices.rename_save"), save)
	saveBtn.Importance = widget.HighImportance
	content := container.NewVBox(widget.NewForm(widget.NewFormItem(T("settings.devices.name"), entry)), errL)
	dlg = dialog.NewCustomWithoutButtons(T("settings.devices.rename_title"), content, dv.w)
	dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.cancel"), func() { dlg.Hide() }), saveBtn})
	fitDialog(dlg, widthForm)
	dlg.Show()
	dv.w.Canvas().Focus(entry)
	if dv.onDialog != nil {
		dv.onDialog(dlg)
	}
}

// askDelete asks for the account password and signs the device out (deletes it on the server).
func (dv *devicesView) askDelete(d session.DeviceInfo) {
	pw := widget.NewPasswordEntry()
	errL := errorLabel()
	name := d.Name
	if name == "" {
		name = string(d.DeviceID)
	}
	warn := widget.NewLabel(T("settings.devices.delete_warning", name, d.DeviceID))
	warn.Wrapping = fyne.TextWrapWord
	var dlg *dialog.CustomDialog
	var okBtn *widget.Button
	submit := func() {
		if pw.Text == "" {
			setError(errL, T("settings.devices.password_required"))
			fitDialog(dlg, widthForm)
			return
		}
		setError(errL, "")
		fitDialog(dlg, widthForm)
		password := pw.Text
		pw.Disable()
		okBtn.Disable()
		go func() {
			err := dv.s.DeleteDevice(dv.ctx, d.DeviceID, password)
			do(func() {
				pw.Enable()
				okBtn.Enable()
				if err != nil {
					setError(errL, failureText(err))
					fitDialog(dlg, widthForm)
					if isWrongPassword(err) {
						pw.SetText("")
					}
					if dv.onDialog != nil {
						dv.onDialog(dlg)
					}
					return
				}
				dlg.Hide()
				dv.reload()
			})
		}()
	}
	pw.OnSubmitted = func(string) { submit() }
	okBtn = widget.NewButton(T("settings.devices.delete"), submit)
	okBtn.Importance = widget.DangerImportance
	content := container.NewVBox(warn, widget.NewForm(widget.NewFormItem(T("settings.password"), pw)), errL)
	dlg = dialog.NewCustomWithoutButtons(T("settings.devices.delete_title"), content, dv.w)
	dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(T("dlg.cancel"), func() { dlg.Hide() }), okBtn})
	fitDialog(dlg, widthForm)
	dlg.Show()
	dv.w.Canvas().Focus(pw)
	if dv.onDialog != nil {
		dv.onDialog(dlg)
	}
}
