package main

import (
	"context"
	"fmt"
	"mime"
	"os"
	"path/filepath"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

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
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		return s.SendAttachment(ctx, roomID, f, f.Name(), mimeType)
	})
}

func cmdDownload(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	out := a.str("out")
	if out == "" {
		return usageError{"usage: bosctl " + commands["download"].usage}
	}
	return withSession(ctx, a, func(s *session.Session) error {
		att, err := s.DownloadFile(ctx, id.EventID(pos[0]))
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, att.Data, 0o600); err != nil {
			return fmt.Errorf("failed to write %s: %w", out, err)
		}
		fmt.Fprintf(a.stdout, "%s (%s, %d bytes)\n", out, att.MimeType, len(att.Data))
		return nil
	})
}
