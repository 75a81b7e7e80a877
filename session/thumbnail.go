package session

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // GIF thumbnails
	_ "image/jpeg" // JPEG thumbnails
	_ "image/png"  // PNG thumbnails
	"sync"

	"golang.org/x/image/draw"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/media/strip"
)

// Limits of Thumbnail: larger images are not decoded (a small file can still claim a huge canvas).
const (
	MaxThumbnailSource = 20 << 20 // bytes
	MaxImagePixels     = 40e6     // width × height
)

// ErrNotAnImage is returned by Thumbnail for attachments that cannot be shown as an image.
var ErrNotAnImage = errors.New("not a displayable image")

// Thumbnail downloads an image attachment (decrypting it if needed) and scales it to fit in
// maxPx × maxPx. Thumbnails are kept in memory only (never on disk: they are message content).
func (s *Session) Thumbnail(ctx context.Context, eventID id.EventID, maxPx int) (image.Image, error) {
	key := thumbKey{string(eventID), maxPx}
	if img, ok := s.thumbs().get(key); ok {
		return img, nil
	}
	att, err := s.DownloadFile(ctx, eventID)
	if err != nil {
		return nil, err
	}
	img, err := makeThumbnail(att.Data, maxPx)
	if err != nil {
		return nil, err
	}
	s.thumbs().put(key, img)
	return img, nil
}

// makeThumbnail decodes data after checking its claimed size, scales it down to maxPx and turns a
// JPEG upright by its EXIF orientation.
func makeThumbnail(data []byte, maxPx int) (image.Image, error) {
	if len(data) > MaxThumbnailSource {
		return nil, fmt.Errorf("%w: %d MB is too large to preview", ErrNotAnImage, len(data)>>20)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAnImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("%w: %d×%d pixels", ErrNotAnImage, cfg.Width, cfg.Height)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAnImage, err)
	}
	o := 0 // the EXIF orientation a JPEG keeps (ours and most cameras' photos): shown upright
	if p, err := strip.Strip(bytes.NewReader(data), int64(len(data))); err == nil && p.Format == strip.JPEG {
		o = p.Orientation
	}
	w, h := cfg.Width, cfg.Height
	if w <= maxPx && h <= maxPx {
		return orient(src, o), nil
	}
	if w >= h {
		w, h = maxPx, max(1, h*maxPx/w)
	} else {
		w, h = max(1, w*maxPx/h), maxPx
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return orient(dst, o), nil
}

// thumbKey names a cached image: an event ID (Thumbnail) or an mxc URI (RoomAvatar), and its size.
type thumbKey struct {
	key string
	px  int
}

// thumbCache is a small LRU of decoded thumbnails.
type thumbCache struct {
	mu    sync.Mutex
	order *list.List // of thumbKey, most recent first
	items map[thumbKey]*list.Element
	imgs  map[thumbKey]image.Image
}

const thumbCacheSize = 128 // previews and room avatars

var thumbCaches sync.Map // *Session -> *thumbCache

// thumbs is the session's cache of previews (Thumbnail) and room avatars (RoomAvatar), dropped
// when the session closes or is wiped.
func (s *Session) thumbs() *thumbCache {
	c, _ := thumbCaches.LoadOrStore(s, &thumbCache{order: list.New(), items: map[thumbKey]*list.Element{}, imgs: map[thumbKey]image.Image{}})
	return c.(*thumbCache)
}

func (c *thumbCache) get(k thumbKey) (image.Image, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return c.imgs[k], true
}

func (c *thumbCache) put(k thumbKey, img image.Image) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		c.imgs[k] = img
		return
	}
	c.items[k] = c.order.PushFront(k)
	c.imgs[k] = img
	for c.order.Len() > thumbCacheSize {
		last := c.order.Back()
		lk := last.Value.(thumbKey)
		c.order.Remove(last)
		delete(c.items, lk)
		delete(c.imgs, lk)
	}
}
