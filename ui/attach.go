package ui

import (
	"context"
	"errors"
	"io"
	"mime"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// chooseFile lets the user pick a file to send into the shown room (the composer's attach button).
func (a *App) chooseFile() {
	if a.Current() == "" {
		return
	}
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		uri := rc.URI()
		_ = rc.Close()
		a.SendFiles([]fyne.URI{uri})
	}, a.w)
	d.Show()
}

// SendFiles uploads files into the shown room, one after the other. Each file has a placeholder
// row under the timeline (uploadrow.go) with its progress and "Abbrechen", which cancels that file
// (nothing is sent for it). Files over the size limit are refused before reading them.
func (a *App) SendFiles(uris []fyne.URI) {
	room := a.Current()
	if room == "" || len(uris) == 0 {
		return
	}
	names := make([]string, len(uris))
	for i, u := range uris {
		names[i] = u.Name()
	}
	rows := a.addUploadRows(names)
	go func() {
		var failed []string
		for i, u := range uris {
			row := rows[i]
			if row.ctx.Err() == nil {
				do(row.started)
				if err := a.sendFile(row.ctx, room, u); err != nil && !errors.Is(err, session.ErrTransferCancelled) && row.ctx.Err() == nil {
					failed = append(failed, T("attach.failed", names[i], fileError(err, a.s.MaxUploadBytes())))
				}
			}
			do(func() { a.removeUploadRow(row) })
		}
		if len(failed) > 0 {
			do(func() { dialog.ShowError(errors.New(strings.Join(failed, "\n")), a.w) })
		}
	}()
}

func (a *App) sendFile(ctx context.Context, room id.RoomID, u fyne.URI) error {
	typ := mime.TypeByExtension(filepath.Ext(u.Name()))
	if u.Scheme() == "file" {
		// A local file is checked (regular, within the limit) before it is read, and streamed.
		// (u.MimeType() would open it to sniff it, which blocks on a FIFO: so not before the check.)
		f, err := session.OpenAttachment(u.Path())
		if err != nil {
			return err
		}
		defer f.Close()
		if typ == "" {
			typ = f.SniffMimeType()
		}
		_, err = a.s.SendAttachment(ctx, room, f, u.Name(), typ)
		return err
	}
	if typ == "" {
		typ = u.MimeType()
	}
	if typ == "" {
		typ = "application/octet-stream"
	}
	// Other sources (content providers on mobile) have no size up front: read at most one byte
	// over the limit.
	rc, err := storage.Reader(u)
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, a.s.MaxUploadBytes()+1))
	if err != nil {
		return err
	}
	_, err = a.s.SendFile(ctx, room, u.Name(), typ, data)
	return err
}

func fileError(err error, limit int64) string {
	switch {
	case errors.Is(err, session.ErrFileTooLarge):
		return T("attach.too_large", limit>>20)
	case errors.Is(err, session.ErrNotRegularFile):
		return T("attach.not_regular")
	}
	return err.Error()
}
