package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// roomCounts returns the unread and highlight counts of rooms --json for one room.
func (u *user) roomCounts(roomID string) (unread, highlights int) {
	u.t.Helper()
	var rooms []struct {
		ID         string `json:"room_id"`
		Unread     int    `json:"unread"`
		Highlights int    `json:"highlights"`
	}
	if err := json.Unmarshal([]byte(u.ok("rooms", "--json").stdout), &rooms); err != nil {
		u.t.Fatal(err)
	}
	for _, r := range rooms {
		if r.ID == roomID {
			return r.Unread, r.Highlights
		}
	}
	u.t.Fatalf("room %s not in rooms --json", roomID)
	return 0, 0
}

// A mention by display name in an encrypted room shows in rooms --json (highlights); notify ROOM
// off mutes the room, notify ROOM reads the level back.
func TestNotifyCommand(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "alice"), loggedIn(t, srv, "bob")
	roomID := a.createRoom("--name", "Einsatzleitung", "--encrypted", "--invite", b.id)
	b.ok("join", roomID)
	a.ok("sync", "--once")
	b.ok("sync", "--once")
	if got := strings.TrimSpace(b.ok("notify", roomID).stdout); got != "all" {
		t.Fatalf("notify ROOM on a new room: %q", got)
	}
	a.send(roomID, b.local+" bitte melden")
	b.ok("sync", "--once")
	if unread, hl := b.roomCounts(roomID); unread != 1 || hl != 1 {
		t.Fatalf("after a mention: unread %d, highlights %d; want 1, 1", unread, hl)
	}

	if got := strings.TrimSpace(b.ok("notify", roomID, "off").stdout); got != "off" {
		t.Fatalf("notify ROOM off printed %q", got)
	}
	a.send(roomID, b.local+" noch einmal")
	b.ok("sync", "--once")
	if unread, hl := b.roomCounts(roomID); unread != 1 || hl != 1 {
		t.Fatalf("muted room counted: unread %d, highlights %d; want 1, 1", unread, hl)
	}
	if got := strings.TrimSpace(b.ok("notify", roomID).stdout); got != "off" {
		t.Fatalf("notify ROOM after off: %q", got)
	}
	if got := strings.TrimSpace(b.ok("notify", roomID, "mentions").stdout); got != "mentions" {
		t.Fatalf("notify ROOM mentions printed %q", got)
	}
	if r := b.run("notify", roomID, "laut"); r.code != exitUsage {
		t.Fatalf("notify with a bad level: %v", r)
	}
}

// keywords add WORD writes a content push rule: a message with the word highlights in an
// encrypted room; keywords lists, keywords remove deletes; a word with / is a usage error.
func TestKeywordsCommand(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "alice"), loggedIn(t, srv, "bob")
	roomID := a.createRoom("--name", "Stichworte", "--encrypted", "--invite", b.id)
	b.ok("join", roomID)
	a.ok("sync", "--once")
	b.ok("sync", "--once")
	if got := b.ok("keywords").stdout; got != "" {
		t.Fatalf("keywords of a new account: %q", got)
	}
	if got := b.ok("keywords", "add", "Gefahrgut").stdout; got != "Gefahrgut\n" {
		t.Fatalf("keywords add printed %q", got)
	}
	a.send(roomID, "Achtung gefahrgut auf der A2")
	b.ok("sync", "--once")
	if unread, hl := b.roomCounts(roomID); unread != 1 || hl != 1 {
		t.Fatalf("after the keyword: unread %d, highlights %d; want 1, 1", unread, hl)
	}
	if got := b.ok("keywords", "remove", "Gefahrgut").stdout; got != "" {
		t.Fatalf("keywords remove printed %q", got)
	}
	if r := b.run("keywords", "add", "a/b"); r.code != 2 || !strings.Contains(r.stderr, "invalid notification keyword") {
		t.Fatalf("keywords add a/b: %v", r)
	}
}
