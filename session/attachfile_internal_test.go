package session

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file that shrinks while it is read is an error; one that grows is cut at its size when opened,
// and either change keeps the message from being sent.
func TestAttachmentFileChangesWhileRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bericht.txt")
	if err := os.WriteFile(path, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := OpenAttachment(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(path, []byte("01234"), 0o600); err != nil { // truncates the same file
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f.reader()); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("shrunk file: %v", err)
	}

	if err := os.WriteFile(path, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := OpenAttachment(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.unchanged(); err != nil {
		t.Fatalf("unchanged file: %v", err)
	}
	if err := os.WriteFile(path, []byte("0123456789 und mehr"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(g.reader())
	if err != nil || string(data) != "0123456789" {
		t.Fatalf("grown file read as %q, %v", data, err)
	}
	if err := g.unchanged(); err == nil || !strings.Contains(err.Error(), "changed while it was being sent") {
		t.Fatalf("grown file: %v", err)
	}
}
