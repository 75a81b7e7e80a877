package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"bosmessenger/session"
)

// The transfer dialog's bar follows the reported progress, and "Abbrechen" cancels the
// transfer's context (the one the session reads its progress from).
func TestTransferDialogProgressAndCancel(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	q := useTestUIQueue(t)
	a := &App{ctx: context.Background(), w: test.NewWindow(nil)}
	prog := a.newTransferDialog(T("attach.sending"))
	prog.d.Show()
	for _, done := range []int64{0, 250, 500} {
		prog.progress(done, 1000)
	}
	q.drain()
	if v := prog.bar.Value; v != 0.5 {
		t.Fatalf("bar at %v after 500 of 1000 bytes", v)
	}
	if prog.button.Text != "Abbrechen" {
		t.Fatalf("button %q", prog.button.Text)
	}
	test.Tap(prog.button)
	if !errors.Is(prog.ctx.Err(), context.Canceled) || !prog.button.Disabled() {
		t.Fatalf("after Abbrechen: ctx %v, button disabled %v", prog.ctx.Err(), prog.button.Disabled())
	}
}

// A save that fails or is cancelled removes the file the save dialog created; a complete one
// keeps it.
func TestWriteSavedRemovesOnCancel(t *testing.T) {
	test.NewTempApp(t)
	dir := t.TempDir()
	for _, c := range []struct {
		err  error
		keep bool
	}{
		{fmt.Errorf("%w: download", session.ErrTransferCancelled), false},
		{errors.New("connection reset"), false},
		{nil, true},
	} {
		p := filepath.Join(dir, "lage.pdf")
		wc, err := storage.Writer(storage.NewFileURI(p))
		if err != nil {
			t.Fatal(err)
		}
		att := &session.Attachment{Name: "lage.pdf", Data: []byte("%PDF")}
		if c.err != nil {
			att = nil
		}
		if err := writeSaved(wc, att, c.err); !errors.Is(err, c.err) {
			t.Fatalf("writeSaved(%v) = %v", c.err, err)
		}
		_, statErr := os.Stat(p)
		if kept := statErr == nil; kept != c.keep {
			t.Fatalf("error %v: file kept %v, want %v", c.err, kept, c.keep)
		}
	}
}
