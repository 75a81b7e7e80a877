package ui

import (
	"context"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// transferDialog shows an upload's or a download's progress with an "Abbrechen" button that
// cancels it (its ctx, which carries the progress report, see session.WithProgress).
type transferDialog struct {
	ctx    context.Context
	cancel context.CancelFunc
	d      dialog.Dialog
	label  *widget.Label
	bar    *widget.ProgressBar
	button *widget.Button
	shown  atomic.Int64 // the permille last sent to the bar, so a read does not queue a redraw
}

func (a *App) newTransferDialog(title string) *transferDialog {
	t := &transferDialog{label: widget.NewLabel(""), bar: widget.NewProgressBar()}
	t.shown.Store(-1)
	ctx, cancel := context.WithCancel(a.ctx)
	t.cancel = cancel
	t.ctx = session.WithProgress(ctx, t.progress)
	t.button = widget.NewButton(T("attach.cancel"), func() {
		t.cancel()
		t.button.Disable()
	})
	t.d = dialog.NewCustomWithoutButtons(title, container.NewVBox(t.label, t.bar, t.button), a.w)
	return t
}

// progress is the session's ProgressFunc: it runs on the transferring goroutine.
func (t *transferDialog) progress(done, total int64) {
	if total <= 0 {
		return
	}
	permille := done * 1000 / total
	if t.shown.Swap(permille) == permille {
		return
	}
	do(func() { t.bar.SetValue(float64(permille) / 1000) })
}

// close hides the dialog and releases its context.
func (t *transferDialog) close() {
	t.cancel()
	t.d.Hide()
}

// writeSaved writes a downloaded attachment (or its error) to the file the save dialog chose; on
// any error, a cancel above all, the file the dialog created is removed again.
func writeSaved(wc fyne.URIWriteCloser, att *session.Attachment, err error) error {
	if err == nil {
		_, err = wc.Write(att.Data)
	}
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = storage.Delete(wc.URI())
	}
	return err
}
