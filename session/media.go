package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/crypto/attachment"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// MaxFileSize bounds attachments (the policy's max_upload_mb and the server may allow less: its
// m.upload.size is asked first).
const MaxFileSize = 100 << 20

// sendFilePath sends a local file into the room (see OpenAttachment for what is refused before
// reading, and SendAttachment for how it is sent), named by its base name.
func (s *Session) sendFilePath(ctx context.Context, roomID id.RoomID, path, mimeType string) (string, error) {
	f, err := OpenAttachment(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return s.SendAttachment(ctx, roomID, f, f.Name(), mimeType)
}

// SendAttachment uploads an opened file as a stream and queues the message for it (m.image,
// m.video, m.audio or m.file by MIME type). Memory use does not depend on the file's size. In an
// encrypted room the file is encrypted while it is read, before it leaves the device, and only the
// encrypted message carries the key and the SHA-256 of the ciphertext (known once the whole file
// went out, so the message is built after the upload). Metadata (EXIF with GPS, XMP) is removed
// from JPEG, PNG and WebP images first unless the user turned that off (MediaMetadataStripping);
// images get their size and a thumbnail in the message's info.
func (s *Session) SendAttachment(ctx context.Context, roomID id.RoomID, f *AttachmentFile, name, mimeType string) (string, error) {
	o, err := s.prepareOutgoing(f.f, f.Size(), name, mimeType)
	if err != nil {
		return "", err
	}
	o.check = f.unchanged
	return s.sendStream(ctx, roomID, o)
}

// SendFile sends a file held in memory (for sources that are not local files); see SendAttachment.
func (s *Session) SendFile(ctx context.Context, roomID id.RoomID, name, mimeType string, data []byte) (string, error) {
	o, err := s.prepareOutgoing(bytes.NewReader(data), int64(len(data)), name, mimeType)
	if err != nil {
		return "", err
	}
	return s.sendStream(ctx, roomID, o)
}

// sendStream uploads the outgoing file (its thumbnail first) and queues the message for it;
// o.check, if set, runs after the upload and can still refuse to send the message.
func (s *Session) sendStream(ctx context.Context, roomID id.RoomID, o *outgoing) (string, error) {
	name, size := o.name, o.size
	if err := s.cfg.checkUpload(name, size); err != nil {
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
	if room.Membership != "join" {
		return "", fmt.Errorf("%w: %s (not joined)", ErrUnknownRoom, roomID)
	}
	if room.Encrypted && s.e2ee == nil {
		return "", fmt.Errorf("%w: %s is end-to-end encrypted and encryption is not available; nothing was sent", ErrCannotEncrypt, roomID)
	}
	if limit := s.serverUploadLimit(ctx); limit > 0 {
		if err := checkSize(name, size, limit); err != nil {
			return "", fmt.Errorf("%w (the homeserver's limit)", err)
		}
	}
	info, err := s.mediaInfo(ctx, o, room.Encrypted)
	if err != nil {
		return "", err
	}
	counted := &countingReader{r: newProgressReader(ctx, o.open(), size)}
	var body io.Reader = counted
	uploadType := o.mimeType
	var file *attachment.EncryptedFile
	var enc io.ReadCloser
	if room.Encrypted {
		file = attachment.NewEncryptedFile()
		enc = file.EncryptStream(counted)
		body, uploadType = enc, "application/octet-stream"
	}
	uri, err := s.upload(ctx, body, size, uploadType)
	if err == nil {
		err = ctx.Err() // cancelled after the last byte: the message is not sent either
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return "", fmt.Errorf("%w: upload of %s; nothing was sent", ErrTransferCancelled, name)
	}
	if err != nil {
		return "", fmt.Errorf("%w; nothing was sent", s.uploadError(name, err))
	}
	if enc != nil {
		if err := enc.Close(); err != nil { // fills in the SHA-256 of what was uploaded
			return "", fmt.Errorf("failed to encrypt %s: %w", name, err)
		}
	}
	if counted.n != size {
		return "", fmt.Errorf("failed to upload %s: %d of %d bytes were read; nothing was sent", name, counted.n, size)
	}
	if o.check != nil {
		if err := o.check(); err != nil {
			return "", err
		}
	}
	content := attachmentContent(name, o.mimeType, size, uri, file)
	content.Info = info
	if o.content != nil {
		return s.Enqueue(ctx, roomID, "m.room.message", o.content(content))
	}
	return s.Enqueue(ctx, roomID, "m.room.message", content)
}

// attachmentContent is the message of an uploaded file: the URL of the plaintext upload, or in an
// encrypted room the key and hash of the encrypted one (file).
func attachmentContent(name, mimeType string, size int64, uri id.ContentURI, file *attachment.EncryptedFile) *event.MessageEventContent {
	content := &event.MessageEventContent{
		MsgType: event.MessageType(msgTypeFor(mimeType)),
		Body:    name,
		Info:    &event.FileInfo{MimeType: mimeType, Size: int(size)},
	}
	if file != nil {
		content.File = &event.EncryptedFileInfo{EncryptedFile: *file, URL: uri.CUString()}
	} else {
		content.URL = uri.CUString()
	}
	return content
}

// upload streams size bytes of body to the media repository. The session's HTTP client has an
// overall timeout fit for API calls, not for a large file on a slow line: the upload gets a
// deadline that grows with the size instead.
func (s *Session) upload(ctx context.Context, body io.Reader, size int64, contentType string) (id.ContentURI, error) {
	ctx, cancel := context.WithTimeout(ctx, uploadTimeout(size))
	defer cancel()
	client := *s.cli.Client
	client.Timeout = 0
	req := mautrix.FullRequest{
		Method:        http.MethodPost,
		URL:           s.cli.BuildURL(mautrix.MediaURLPath{"v3", "upload"}),
		Headers:       http.Header{"Content-Type": []string{contentType}},
		RequestBody:   body,
		RequestLength: size,
		ResponseJSON:  &mautrix.RespMediaUpload{},
		MaxAttempts:   1,
		Client:        &client,
	}
	if size == 0 {
		req.RequestBody, req.RequestBytes = nil, []byte{}
		if _, err := io.Copy(io.Discard, body); err != nil { // an empty file still goes through the hash
			return id.ContentURI{}, err
		}
	}
	if _, err := s.cli.MakeFullRequest(ctx, req); err != nil {
		return id.ContentURI{}, err
	}
	resp := req.ResponseJSON.(*mautrix.RespMediaUpload)
	if resp.ContentURI.IsEmpty() {
		return id.ContentURI{}, errors.New("no content_uri in the answer")
	}
	return resp.ContentURI, nil
}

// uploadTimeout allows three minutes plus the time the file takes at 32 KiB/s.
func uploadTimeout(size int64) time.Duration {
	return 3*time.Minute + time.Duration(size/(32<<10))*time.Second
}

func (s *Session) uploadError(name string, err error) error {
	if errors.Is(err, mautrix.MTooLarge) {
		return fmt.Errorf("%w: the homeserver refused %s as too large", ErrFileTooLarge, name)
	}
	return s.classify("upload "+name, err)
}

// serverUploadLimit is the homeserver's m.upload.size (0 when it names none or cannot be asked:
// then the upload itself finds out).
func (s *Session) serverUploadLimit(ctx context.Context) int64 {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var resp mautrix.RespMediaConfig
	for _, u := range []string{s.cli.BuildClientURL("v1", "media", "config"), s.cli.BuildURL(mautrix.MediaURLPath{"v3", "config"})} {
		if _, err := s.cli.MakeFullRequest(ctx, mautrix.FullRequest{Method: http.MethodGet, URL: u, ResponseJSON: &resp, MaxAttempts: 1}); err == nil {
			return resp.UploadSize
		}
	}
	return 0
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
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
	data, err := s.downloadMedia(ctx, mxc)
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, fmt.Errorf("%w: download of %s", ErrTransferCancelled, eventID)
	}
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
