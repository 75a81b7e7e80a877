package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"bosmessenger/session"
)

// A file over the limit is refused from its size, before it is read (a sparse 101 MB file).
func TestAttachRefusesHugeFileUnread(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	p := filepath.Join(t.TempDir(), "video.mp4")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(session.MaxFileSize + 1<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	a := &App{} // no session: reaching it would panic
	err = a.sendFile(context.Background(), "!r:x", storage.NewFileURI(p))
	if !errors.Is(err, session.ErrFileTooLarge) {
		t.Fatalf("huge file: %v", err)
	}
	if got, want := fileError(err, session.MaxFileSize), T("attach.too_large", session.MaxFileSize>>20); got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
}
