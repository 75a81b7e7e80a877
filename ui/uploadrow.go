package ui

import (
	"context"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// uploadRow is the placeholder of an attachment being sent, under the newest message of the
// timeline until the message itself arrives: the file's name ("wartet" while files before it go
// out), a progress bar and "Abbrechen", which cancels this file only (nothing is sent for it).
// Fields are touched on the UI goroutine, except shown and ctx.
type uploadRow struct {
	ctx    context.Context // carries the progress report (session.WithProgress)
	cancel context.CancelFunc
	name   string
	label  *widget.Label
	bar    *widget.ProgressBar
	button *widget.Button
	view   *fyne.Container
	shown  atomic.Int64 // the permille last sent to the bar, so a read does not queue a redraw
}

func newUploadRow(parent context.Context, name string) *uploadRow {
	r := &uploadRow{name: name, label: widget.NewLabel(T("attach.waiting", name)), bar: widget.NewProgressBar()}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.label.Importance = widget.LowImportance
	r.shown.Store(-1)
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	r.ctx = session.WithProgress(ctx, r.progress)
	r.button = widget.NewButton(T("attach.cancel"), func() {
		r.cancel()
		r.button.Disable()
	})
	r.view = container.NewBorder(nil, nil, nil, r.button, container.NewVBox(r.label, r.bar))
	return r
}

// started shows that the file is going out now.
func (r *uploadRow) started() {
	r.label.SetText(T("attach.uploading", r.name))
	r.label.Importance = widget.MediumImportance
	r.label.Refresh()
}

// progress is the session's ProgressFunc: it runs on the uploading goroutine.
func (r *uploadRow) progress(done, total int64) {
	if total <= 0 {
		return
	}
	permille := done * 1000 / total
	if r.shown.Swap(permille) == permille {
		return
	}
	do(func() { r.bar.SetValue(float64(permille) / 1000) })
}

// addUploadRows shows a placeholder row per file under the timeline.
func (a *App) addUploadRows(names []string) []*uploadRow {
	rows := make([]*uploadRow, len(names))
	for i, n := range names {
		rows[i] = newUploadRow(a.ctx, n)
		a.uploads.Add(rows[i].view)
	}
	return rows
}

// removeUploadRow takes a finished or cancelled file's row away.
func (a *App) removeUploadRow(r *uploadRow) {
	r.cancel()
	a.uploads.Remove(r.view)
}
