package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/media/strip"
)

// RoomAvatar returns the room's avatar (its m.room.avatar, a plain mxc URI also in encrypted
// rooms) scaled to fit px × px, or nil when the room has none. It asks the homeserver for a
// thumbnail (authenticated media, or the older endpoint, see AuthenticatedMedia) and downloads
// the whole image when the server makes none. Avatars are kept in the session's bounded
// in-memory cache of previews, by mxc URI: a changed avatar is fetched anew.
func (s *Session) RoomAvatar(ctx context.Context, roomID id.RoomID, px int) (image.Image, error) {
	room, err := s.Room(ctx, roomID)
	if err != nil {
		return nil, err
	}
	if room.AvatarURL == "" {
		return nil, nil
	}
	mxc, err := id.ParseContentURI(room.AvatarURL)
	if err != nil || mxc.IsEmpty() {
		return nil, fmt.Errorf("failed to load the avatar of %s: %w: %q", roomID, ErrNotAnImage, room.AvatarURL)
	}
	key := thumbKey{mxc.String(), px}
	if img, ok := s.thumbs().get(key); ok {
		return img, nil
	}
	data, err := s.mediaThumbnail(ctx, mxc, px)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("failed to load the avatar of %s: %w", roomID, err)
		}
		if data, err = s.downloadMedia(ctx, mxc); err != nil { // no thumbnail: the image itself
			return nil, fmt.Errorf("failed to load the avatar of %s: %w", roomID, err)
		}
	}
	img, err := makeThumbnail(data, px)
	if err != nil {
		return nil, fmt.Errorf("failed to load the avatar of %s: %w", roomID, err)
	}
	s.thumbs().put(key, img)
	return img, nil
}

// mediaThumbnail asks the homeserver for a thumbnail of mxc of at least px × px (cropped, as
// avatars are shown), from the authenticated endpoint where the server has it.
func (s *Session) mediaThumbnail(ctx context.Context, mxc id.ContentURI, px int) ([]byte, error) {
	auth := s.authenticatedMedia(ctx)
	get := func(auth bool) ([]byte, error) {
		var u string
		if auth {
			u = s.cli.BuildClientURL("v1", "media", "thumbnail", mxc.Homeserver, mxc.FileID)
		} else {
			u = s.cli.BuildURL(mautrix.MediaURLPath{"v3", "thumbnail", mxc.Homeserver, mxc.FileID})
		}
		q := url.Values{"width": {strconv.Itoa(px)}, "height": {strconv.Itoa(px)}, "method": {"crop"}}
		_, resp, err := s.cli.MakeFullRequestWithResp(ctx, mautrix.FullRequest{
			Method: http.MethodGet, URL: u + "?" + q.Encode(), DontReadResponse: true, MaxAttempts: 1,
		})
		return readMedia(ctx, resp, err)
	}
	data, err := get(auth)
	if auth && errors.Is(err, mautrix.MUnrecognized) { // advertised but not there after all
		data, err = get(false)
	}
	return data, err
}

// SetRoomAvatar sets a room's avatar (m.room.avatar) to an image: its metadata removed as for
// attachments (always: an avatar is shown to everyone who sees the room), uploaded unencrypted
// as avatars are, with its size, MIME type and dimensions in the event's info.
func (s *Session) SetRoomAvatar(ctx context.Context, roomID id.RoomID, mimeType string, data []byte) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || len(data) > MaxThumbnailSource {
		return fmt.Errorf("failed to set the room avatar: %w", ErrNotAnImage)
	}
	p, err := strip.Strip(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("failed to set the room avatar: %w", err)
	}
	clean, err := io.ReadAll(p.Reader())
	if err != nil {
		return fmt.Errorf("failed to set the room avatar: %w", err)
	}
	uri, err := s.upload(ctx, bytes.NewReader(clean), int64(len(clean)), mimeType)
	if err != nil {
		return s.classify("upload the room avatar", err)
	}
	content := &event.RoomAvatarEventContent{URL: uri.CUString(),
		Info: &event.FileInfo{MimeType: mimeType, Size: len(clean), Width: cfg.Width, Height: cfg.Height}}
	if _, err := s.cli.SendStateEvent(ctx, roomID, event.StateRoomAvatar, "", content); err != nil {
		return s.classify("set the room avatar", err)
	}
	return nil
}
