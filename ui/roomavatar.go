package ui

import (
	"image"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// roomAvatarPx is the size room avatars are loaded at: twice the room list's, for HiDPI screens.
const roomAvatarPx = 2 * roomAvatarSize

// roomAvatars keeps the room avatar pictures the engine loaded for the room list and the room
// header (UI goroutine only). The engine fetches and caches them (session.RoomAvatar); this map
// only avoids asking again for each row the list binds.
type roomAvatars struct {
	load   func(id.RoomID) (image.Image, error) // runs on a goroutine of its own
	imgs   map[string]image.Image               // by room ID and mxc URI; nil: loading, failed or none
	loaded func()                               // a picture arrived: show it
	retry  time.Duration                        // after a failed load (offline), asked again after this
}

// avatarRetry is how long a room's avatar that failed to load (offline, say) shows its initial
// before it is asked for again.
const avatarRetry = time.Minute

func newRoomAvatars(load func(id.RoomID) (image.Image, error), loaded func()) *roomAvatars {
	return &roomAvatars{load: load, loaded: loaded, imgs: map[string]image.Image{}, retry: avatarRetry}
}

// get returns the room's picture if it is loaded, and starts loading it if not; nil without one.
func (l *roomAvatars) get(r session.RoomSummary) image.Image {
	if r.AvatarURL == "" || l == nil {
		return nil
	}
	key := string(r.ID) + " " + r.AvatarURL // a new avatar is a new key
	if img, ok := l.imgs[key]; ok {
		return img
	}
	if len(l.imgs) > 1000 {
		clear(l.imgs)
	}
	l.imgs[key] = nil
	go func() {
		img, err := l.load(r.ID)
		if err != nil && l.retry > 0 { // the initial stays for now; the next row bound asks again
			time.AfterFunc(l.retry, func() { do(func() { delete(l.imgs, key) }) })
		}
		if err != nil || img == nil {
			return
		}
		do(func() {
			l.imgs[key] = img
			l.loaded()
		})
	}()
	return nil
}

// avatarOf is the room's picture for a row (nil: its initial).
func (rl *RoomList) avatarOf(r session.RoomSummary) image.Image {
	if rl.Avatar == nil {
		return nil
	}
	return rl.Avatar(r)
}
