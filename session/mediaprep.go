package session

import (
	"fmt"
	"io"
	"sync"

	"maunium.net/go/mautrix/event"

	"bosmessenger/session/media/strip"
	"bosmessenger/session/policy"
)

// keepMetadata holds the user's choice per session (SetKeepMediaMetadata); absent means
// Config.KeepMediaMetadata.
var keepMetadata sync.Map // *Session -> bool

// MediaMetadataStripping reports whether metadata is removed from images before they are sent
// (on by default) and whether the policy enforces it (policy key strip_media_metadata, always in
// BOS mode).
func (s *Session) MediaMetadataStripping() (on, enforced bool) {
	enforced = s.stripEnforced()
	keep := s.cfg.KeepMediaMetadata
	if v, ok := keepMetadata.Load(s); ok {
		keep = v.(bool)
	}
	return enforced || !keep, enforced
}

// SetKeepMediaMetadata is the user's setting: keep image metadata (true) or remove it (false, the
// default). Keeping is refused (ErrMediaMetadataEnforced) when the policy enforces removal.
func (s *Session) SetKeepMediaMetadata(keep bool) error {
	if keep && s.stripEnforced() {
		return ErrMediaMetadataEnforced
	}
	keepMetadata.Store(s, keep)
	return nil
}

func (s *Session) stripEnforced() bool {
	if e, ok := s.cfg.Policy.(*Enforcer); ok {
		if p := e.Policy(); p != nil && (p.BOSMode() || p.Bool(policy.KeyStripMediaMetadata)) {
			return true
		}
	}
	return false
}

// outgoing is a file about to be sent: open gives a fresh reader of exactly size bytes (the
// stripped image when metadata is removed).
type outgoing struct {
	name, mimeType string
	open           func() io.Reader
	size           int64
	check          func() error // after the upload; may still refuse to send the message
	format         strip.Format
	orientation    int // EXIF orientation kept in a JPEG (0: none)
	// content, if set, completes the message before it is queued (a voice message's keys)
	content func(*event.MessageEventContent) any
}

// prepareOutgoing removes image metadata from the size bytes of r when removal is on (see package
// strip; memory use does not depend on the file's size). Each open reads from the start (the
// image is read for its size and thumbnail before it is uploaded).
func (s *Session) prepareOutgoing(r io.ReaderAt, size int64, name, mimeType string) (*outgoing, error) {
	o := &outgoing{name: name, mimeType: mimeType, size: size}
	o.open = func() io.Reader { return &exactReader{r: io.NewSectionReader(r, 0, size), left: size, name: name} }
	if on, _ := s.MediaMetadataStripping(); !on {
		head := make([]byte, 16)
		n, _ := r.ReadAt(head, 0)
		o.format = strip.Detect(head[:n])
		return o, nil
	}
	p, err := strip.Strip(r, size)
	if err != nil {
		hint := "convert it to JPEG or PNG first"
		if !s.stripEnforced() {
			hint += ", or turn off removing metadata"
		}
		return nil, fmt.Errorf("%w: %s: %v; %s; nothing was sent", ErrMediaMetadata, name, err, hint)
	}
	o.format, o.orientation = p.Format, p.Orientation
	if p.Changed() {
		o.open, o.size = p.Reader, p.Size()
		s.log.Debug().Str("format", string(p.Format)).Int("removed", p.Removed).
			Int64("size", p.Size()).Msg("removed image metadata before sending")
	}
	return o, nil
}
