package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// chooseExportFolder asks for the folder in which the export's own directory is made and calls
// done with its path (not when cancelled). Tests replace it: the file dialog needs a real disk.
var chooseExportFolder = func(w fyne.Window, done func(dir string)) {
	d := dialog.NewFolderOpen(func(uri fyne.ListableURI, err error) {
		if err != nil || uri == nil || uri.Scheme() != "file" {
			return
		}
		done(uri.Path())
	}, w)
	d.SetTitleText(T("export.choose"))
	d.Show()
}

// ShowExport runs the incident export (Einsatzdokumentation) of a room: the user picks a folder,
// a new directory named after the room and time is made in it, a progress dialog follows the
// engine, and the result (or the error) is shown. Refused, with the reason, when the policy
// disable_chat_export forbids it (the header's button is locked then).
func (a *App) ShowExport(room id.RoomID) {
	if err := a.s.CheckChatExport(); err != nil {
		a.header.SetExportLocked(true)
		dialog.ShowError(errors.New(T("export.disabled")), a.w)
		return
	}
	chooseExportFolder(a.w, func(parent string) { a.runExport(room, parent) })
}

func (a *App) runExport(room id.RoomID, parent string) {
	name := string(room)
	if sum, err := a.s.Room(a.ctx, room); err == nil && sum.Name != "" {
		name = sum.Name
	}
	dir := exportDirName(parent, name, time.Now())
	label := widget.NewLabel(T("export.running"))
	bar := widget.NewProgressBar()
	bar.Max = session.ExportSteps
	prog := dialog.NewCustomWithoutButtons(T("export.title"), container.NewVBox(label, bar), a.w)
	prog.Show()
	go func() {
		res, err := a.s.ExportRoom(a.ctx, room, dir, session.ExportOptions{Lang: Lang(),
			Progress: func(step int) { do(func() { bar.SetValue(float64(step)) }) }})
		do(func() {
			prog.Hide()
			if err != nil {
				if errors.Is(err, session.ErrChatExportDisabled) {
					a.header.SetExportLocked(true)
					err = errors.New(T("export.disabled"))
				} else {
					err = errors.New(T("export.failed", err))
				}
				dialog.ShowError(err, a.w)
				return
			}
			dialog.ShowInformation(T("export.done_title"), T("export.done", res.Messages, res.Alerts, dir), a.w)
		})
	}()
}

// exportDirName is a directory in parent that does not exist yet: "Einsatz-ROOM-20261203-1405"
// ("Einsatz-" only when the room name does not start with it), with the room name reduced to
// letters, digits and dashes.
func exportDirName(parent, room string, now time.Time) string {
	var b strings.Builder
	dash := false
	for _, r := range room {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() > 60 {
			break
		}
	}
	base := strings.Trim(b.String(), "-")
	if !strings.HasPrefix(strings.ToLower(base), "einsatz") {
		base = strings.TrimSuffix("Einsatz-"+base, "-")
	}
	base += "-" + now.Format("20060102-1504")
	dir := filepath.Join(parent, base)
	for i := 2; ; i++ {
		if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
			return dir
		}
		dir = filepath.Join(parent, fmt.Sprintf("%s-%d", base, i))
	}
}
