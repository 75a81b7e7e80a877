package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path/filepath"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func init() { boolFlags["keep-metadata"] = true }

func cmdSendFile(ctx context.Context, a *args) error {
	pos, err := a.positional(2)
	if err != nil {
		return err
	}
	roomID, path := id.RoomID(pos[0]), pos[1]
	// Checked before the store is even opened: only a regular file within the size limit, and
	// nothing of it is read before that is known.
	f, err := session.OpenAttachment(path)
	if err != nil {
		return err
	}
	defer f.Close()
	mimeType := a.str("type")
	if mimeType == "" {
		mimeType = mime.TypeByExtension(filepath.Ext(path))
	}
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	keep := a.bool("keep-metadata")
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		if keep { // refused where the policy enforces removal (strip_media_metadata, BOS mode)
			if err := s.SetKeepMediaMetadata(true); err != nil {
				return "", err
			}
		}
		return s.SendAttachment(ctx, roomID, f, f.Name(), mimeType)
	})
}

func cmdDownload(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	out, force := a.str("out"), a.bool("force")
	if out == "" {
		return usageError{"usage: bosctl " + commands["download"].usage}
	}
	if !force {
		if _, err := os.Lstat(out); err == nil {
			return fmt.Errorf("%s exists (--force replaces it)", out)
		}
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if err := s.CheckFileSave(); err != nil { // policy disable_file_save
			return err
		}
		att, err := s.DownloadFile(ctx, id.EventID(pos[0]))
		if err != nil {
			return err
		}
		if err := writeNewFile(out, att.Data, force); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s (%s, %d bytes)\n", out, att.MimeType, len(att.Data))
		return nil
	})
}

// writeNewFile writes data to path (mode 0600) through a temporary file in the same dir, so a
// reader never sees half a file. It never writes through a symlink: without replace an existing path
// (also a symlink, also a dangling one) is an error, with replace the entry itself is replaced.
func writeNewFile(path string, data []byte, replace bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bosctl-download-*") // O_EXCL, 0600
	if err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // gone after a rename; after a link the temporary name stays behind
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if replace {
		if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
			return fmt.Errorf("failed to write %s: it is a directory", path)
		}
		if err := os.Rename(name, path); err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
		return nil
	}
	// A hard link never replaces an existing entry: create-if-absent, also against a race.
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists (--force replaces it)", path)
		}
		if _, serr := os.Lstat(path); serr == nil { // no hard links here: check, then rename
			return fmt.Errorf("%s exists (--force replaces it)", path)
		}
		if err := os.Rename(name, path); err != nil {
			return fmt.Errorf("failed to write %s: %w", path, err)
		}
	}
	return nil
}
