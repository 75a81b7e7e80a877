package session

import (
	"testing"
	"time"

	"maunium.net/go/mautrix/id"
)

func TestJoinedCache(t *testing.T) {
	var c joinedCache
	room, other := id.RoomID("!r:x"), id.RoomID("!o:x")
	a, b := id.UserID("@a:x"), id.UserID("@b:x")
	now := time.Now()
	if _, ok := c.get(room, now); ok {
		t.Fatal("empty cache hit")
	}
	c.put(room, c.generation(room), []id.UserID{a}, now)
	if got, ok := c.get(room, now.Add(time.Second)); !ok || len(got) != 1 || got[0] != a {
		t.Fatalf("get: %v %v", got, ok)
	}
	if _, ok := c.get(room, now.Add(joinedCacheTTL+time.Second)); ok {
		t.Error("entry outlived its TTL")
	}

	// Consistent memberships keep the entry (lazy-loaded state, a display name change).
	c.observe(room, a, "join", true)
	c.observe(room, b, "leave", false)
	c.observe(room, b, "invite", true)
	if _, ok := c.get(room, now); !ok {
		t.Fatal("a consistent membership dropped the entry")
	}
	// A contradiction drops it: b joined, a left.
	c.observe(room, b, "join", false)
	if _, ok := c.get(room, now); ok {
		t.Fatal("b's join did not drop the entry")
	}
	c.put(room, c.generation(room), []id.UserID{a, b}, now)
	c.observe(room, a, "leave", true)
	if _, ok := c.get(room, now); ok {
		t.Fatal("a's leave did not drop the entry")
	}

	// An answer asked before a change is not kept: the change bumps the generation even when the
	// room is not cached; lazy-loaded state of an uncached room does not.
	gen := c.generation(other)
	c.observe(other, a, "join", false)
	if c.generation(other) != gen {
		t.Fatal("state of an uncached room bumped the generation")
	}
	c.observe(other, b, "join", true)
	c.put(other, gen, []id.UserID{a}, now)
	if _, ok := c.get(other, now); ok {
		t.Fatal("an answer older than a membership change was kept")
	}
	c.drop(room)
	var nilCache *joinedCache
	nilCache.observe(room, a, "join", true)
	nilCache.drop(room)
}
