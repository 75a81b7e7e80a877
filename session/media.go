package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"maunium.net/go/mautrix/crypto/attachment"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// MaxFileSize bounds attachments (the policy's max_upload_mb and the server may allow less; the
// server answers M_TOO_LARGE then).
const MaxFileSize = 100 << 20

// ErrFileTooLarge is returned for attachments over MaxUploadBytes or the server's limit.
var ErrFileTooLarge = errors.New("file too large")

// SendFile uploads a file and queues the message for it (m.image, m.video, m.audio or m.file by
// MIME type). In an encrypted room the file is encrypted before it leaves the device, and only
// the encrypted message carries the key.
func (s *Session) SendFile(ctx context.Context, roomID id.RoomID, name, mimeType string, data []byte) (string, error) {
	if err := s.cfg.checkUpload(name, int64(len(data))); err != nil {
		return "", err
	}
	if err := s.checkDeviceGate(); err != nil {
		return "", err
	}
	if err := s.checkPolicy(ctx, "send to "+roomID.String(), PolicyRequest{Action: ActionSend, RoomID: roomID.String()}); err != nil {
		return "", err
	}
	room, err := s.Room(ctx, roomID)
	if err != nil {
		return "", err
	}
	content := map[string]any{
		"msgtype": msgTypeFor(mimeType),
		"body":    name,
		"info":    map[string]any{"mimetype": mimeType, "size": len(data)},
	}
	upload, uploadType := data, mimeType
	var file *attachment.EncryptedFile
	if room.Encrypted {
		file = attachment.NewEncryptedFile()
		upload, uploadType = bytes.Clone(data), "application/octet-stream" // the caller's data stays plaintext
		file.EncryptInPlace(upload)
	}
	resp, err := s.cli.UploadBytes(ctx, upload, uploadType)
	if err != nil {
		return "", s.classify("upload "+name, err)
	}
	if file != nil {
		content["file"] = &event.EncryptedFileInfo{EncryptedFile: *file, URL: resp.ContentURI.CUString()}
	} else {
		content["url"] = resp.ContentURI.CUString()
	}
	return s.Enqueue(ctx, roomID, "m.room.message", content)
}

func msgTypeFor(mimeType string) string {
	switch {
	case strings.HasPrefix(mimeType, "image/"):
		return "m.image"
	case strings.HasPrefix(mimeType, "video/"):
		return "m.video"
	case strings.HasPrefix(mimeType, "audio/"):
		return "m.audio"
	}
	return "m.file"
}

// Attachment is a downloaded file.
type Attachment struct {
	Name     string
	MimeType string
	Data     []byte
}

// DownloadFile downloads the attachment of a stored event, decrypting it (after checking its
// SHA-256) when it came encrypted.
func (s *Session) DownloadFile(ctx context.Context, eventID id.EventID) (*Attachment, error) {
	var ev *store.Event
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var ok bool
		var err error
		if ev, ok, err = tx.EventByID(eventID.String()); err == nil && !ok {
			err = fmt.Errorf("unknown event %s", eventID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	te := viewEvent(ev)
	var c struct {
		Body string                   `json:"body"`
		URL  id.ContentURIString      `json:"url"`
		File *event.EncryptedFileInfo `json:"file"`
		Info struct {
			MimeType string `json:"mimetype"`
		} `json:"info"`
	}
	if err := json.Unmarshal(te.Content, &c); err != nil {
		return nil, fmt.Errorf("failed to read attachment of %s: %w", eventID, err)
	}
	uri := c.URL
	if c.File != nil {
		uri = c.File.URL
	}
	mxc, err := uri.Parse()
	if err != nil {
		return nil, fmt.Errorf("event %s has no attachment", eventID)
	}
	data, err := s.cli.DownloadBytes(ctx, mxc)
	if err != nil {
		return nil, s.classify("download attachment", err)
	}
	if c.File != nil {
		if err = c.File.DecryptInPlace(data); err != nil {
			return nil, fmt.Errorf("failed to decrypt attachment (damaged or tampered): %w", err)
		}
	}
	return &Attachment{Name: c.Body, MimeType: c.Info.MimeType, Data: data}, nil
}
