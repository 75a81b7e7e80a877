package session

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"maunium.net/go/mautrix/id"
)

// mediaTemps holds each session's private temporary directory for opened attachments.
var (
	mediaTemps   sync.Map // *Session -> string
	mediaTempsMu sync.Mutex
)

// OpenFileTemp downloads and decrypts the attachment of a stored event into a temporary file for
// the system's player or viewer (audio and video above all) and returns its path. The file
// (0600) lies in a directory of its own inside the session's private temporary directory (0700);
// all of them are removed by RemoveTempFiles, which Close calls. Progress and cancel as for
// DownloadFile (WithProgress). Refused while the policy forbids saving files, as the plaintext
// lands on disk.
func (s *Session) OpenFileTemp(ctx context.Context, eventID id.EventID) (string, error) {
	if err := s.CheckFileSave(); err != nil {
		return "", err
	}
	att, err := s.DownloadFile(ctx, eventID)
	if err != nil {
		return "", err
	}
	root, err := s.mediaTempDir()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(root, "f")
	if err != nil {
		return "", fmt.Errorf("failed to create a temporary directory: %w", err)
	}
	path := filepath.Join(dir, tempFileName(att.Name))
	if err := os.WriteFile(path, att.Data, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("failed to write the temporary file: %w", err)
	}
	return path, nil
}

// removeTempFiles removes the files OpenFileTemp wrote.
func (s *Session) removeTempFiles() error {
	mediaTempsMu.Lock()
	defer mediaTempsMu.Unlock()
	root, ok := mediaTemps.LoadAndDelete(s)
	if !ok {
		return nil
	}
	if err := os.RemoveAll(root.(string)); err != nil {
		return fmt.Errorf("failed to remove temporary files: %w", err)
	}
	return nil
}

func (s *Session) mediaTempDir() (string, error) {
	mediaTempsMu.Lock()
	defer mediaTempsMu.Unlock()
	if root, ok := mediaTemps.Load(s); ok {
		return root.(string), nil
	}
	root, err := os.MkdirTemp("", "bosmessenger-media-") // 0700
	if err != nil {
		return "", fmt.Errorf("failed to create a temporary directory: %w", err)
	}
	mediaTemps.Store(s, root)
	return root, nil
}

// tempFileName keeps an attachment's base name (players show it, and find the type from its
// extension) without path separators or a leading dot.
func tempFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.TrimLeft(name, ".")
	if name == "" || name == "/" {
		return "datei"
	}
	return name
}
