//go:build unix

package ui

import (
	"context"
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"bosmessenger/session"
)

// Attach and drag and drop refuse what is not a regular file at once, unread: a FIFO (whose open
// would wait for a writer), a device that never ends, a folder.
func TestAttachRefusesNonRegularUnread(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	a := &App{} // no session: reaching it would panic
	for _, p := range []string{fifo, "/dev/zero", dir} {
		start := time.Now()
		err := a.sendFile(context.Background(), "!r:x", storage.NewFileURI(p))
		if !errors.Is(err, session.ErrNotRegularFile) || time.Since(start) > time.Second {
			t.Fatalf("%s: %v after %v", p, err, time.Since(start))
		}
		if got, want := fileError(err, session.MaxFileSize), T("attach.not_regular"); got != want {
			t.Fatalf("message %q, want %q", got, want)
		}
	}
}
