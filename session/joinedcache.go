package session

import (
	"slices"
	"sync"
	"time"

	"maunium.net/go/mautrix/id"
)

// joinedCacheTTL bounds how long a room's joined members from the server are reused.
const joinedCacheTTL = time.Minute

// joinedCache remembers the joined members the server last named per room (/joined_members), so
// that a board read again on every response of an alert does not ask the server each time: 200
// answers would otherwise cost 200 member lists of 200. An entry is dropped as soon as sync shows a
// membership that contradicts it (a join of someone not in it, anything but a join of someone in
// it), when a room's timeline has a gap (changes may hide in it) or the room is left, and after
// joinedCacheTTL.
type joinedCache struct {
	mu    sync.Mutex
	rooms map[id.RoomID]joinedEntry
	gen   map[id.RoomID]uint64 // bumped on every drop, so that an answer older than the drop is not kept
}

type joinedEntry struct {
	users map[id.UserID]bool
	list  []id.UserID // sorted
	at    time.Time
}

// get returns the cached joined members of the room (a copy).
func (c *joinedCache) get(roomID id.RoomID, now time.Time) ([]id.UserID, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.rooms[roomID]
	if !ok || now.Sub(e.at) > joinedCacheTTL || now.Before(e.at) {
		return nil, false
	}
	return slices.Clone(e.list), true
}

// generation is the room's drop counter, read before asking the server.
func (c *joinedCache) generation(roomID id.RoomID) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen[roomID]
}

// put stores the server's answer, unless the room was dropped since gen was read.
func (c *joinedCache) put(roomID id.RoomID, gen uint64, list []id.UserID, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen[roomID] != gen {
		return
	}
	if c.rooms == nil {
		c.rooms = map[id.RoomID]joinedEntry{}
	}
	users := make(map[id.UserID]bool, len(list))
	for _, u := range list {
		users[u] = true
	}
	c.rooms[roomID] = joinedEntry{users: users, list: slices.Clone(list), at: now}
}

// drop forgets the room's members.
func (c *joinedCache) drop(roomID id.RoomID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.rooms, roomID)
	if c.gen == nil {
		c.gen = map[id.RoomID]uint64{}
	}
	c.gen[roomID]++
}

// observe looks at a membership seen through sync: it drops the room when the membership
// contradicts the cache, and, for a change (a timeline event, not lazy-loaded state), also when the
// room is not cached, so that an answer of the server asked before the change is not kept.
func (c *joinedCache) observe(roomID id.RoomID, user id.UserID, membership string, change bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	e, ok := c.rooms[roomID]
	c.mu.Unlock()
	if ok && e.users[user] == (membership == "join") {
		return
	}
	if ok || change {
		c.drop(roomID)
	}
}
