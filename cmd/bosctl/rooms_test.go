package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// memberJSON is one entry of members --json.
type memberJSON struct {
	UserID     string `json:"user_id"`
	Name       string `json:"name"`
	Membership string `json:"membership"`
}

func (u *user) members(roomID string) map[string]string {
	u.t.Helper()
	r := u.ok("members", roomID, "--json")
	var list []memberJSON
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		u.t.Fatalf("members --json: %v: %v", err, r)
	}
	out := map[string]string{}
	for _, m := range list {
		out[m.UserID] = m.Membership
	}
	return out
}

func TestRoomCommands(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b, c := loggedIn(t, srv, "alice"), loggedIn(t, srv, "bob"), loggedIn(t, srv, "carol")

	// A fresh account has no rooms: an empty JSON array, and nothing in the plain listing.
	if r := c.ok("rooms", "--json"); r.stdout != "[]\n" {
		t.Fatalf("rooms --json of a fresh account: %v", r)
	}
	if r := c.ok("rooms"); r.stdout != "" {
		t.Fatalf("rooms of a fresh account: %v", r)
	}

	// create-room with name, topic and an invite; the room is in the creator's store right away.
	roomID := a.createRoom("--name", "Ops Room", "--topic", "Daily ops", "--plain", "--invite", b.id)
	room, ok := a.rooms()[roomID]
	if !ok || room.Name != "Ops Room" || room.Topic != "Daily ops" || room.Membership != "join" || room.Encrypted || room.IsDirect {
		t.Fatalf("rooms --json of the creator: %+v (found %v)", room, ok)
	}
	if r := a.ok("rooms"); !strings.Contains(r.stdout, roomID) || !strings.Contains(r.stdout, "Ops Room") || !strings.Contains(r.stdout, "join") {
		t.Fatalf("rooms: %v", r)
	}

	// sync --once brings the invite to b.
	if r := b.ok("sync", "--once"); !strings.HasPrefix(r.stdout, "synced: ") {
		t.Fatalf("sync --once: %v", r)
	}
	if room := b.rooms()[roomID]; room.Membership != "invite" || room.Name != "Ops Room" {
		t.Fatalf("invitee sees %+v", room)
	}
	if got := oneID(t, b.ok("join", roomID), roomIDRe); got != roomID {
		t.Fatalf("join printed %s", got)
	}
	if room := b.rooms()[roomID]; room.Membership != "join" {
		t.Fatalf("after join b sees %+v", room)
	}

	// invite c; c accepts.
	if r := a.ok("invite", roomID, c.id); r.stdout != "" {
		t.Fatalf("invite printed %v", r)
	}
	c.ok("sync", "--once")
	if room := c.rooms()[roomID]; room.Membership != "invite" {
		t.Fatalf("c sees %+v", room)
	}
	c.ok("join", roomID)

	// members (from a's store after a sync): all three joined.
	a.ok("sync", "--once")
	want := map[string]string{a.id: "join", b.id: "join", c.id: "join"}
	if got := a.members(roomID); !equalMaps(got, want) {
		t.Fatalf("members --json: %v, want %v", got, want)
	}
	if r := a.ok("members", roomID); strings.Count(r.stdout, "\tjoin\t") != 3 || !strings.Contains(r.stdout, b.id) {
		t.Fatalf("members: %v", r)
	}

	// b leaves: gone from b's list, and a sees the leave.
	if r := b.ok("leave", roomID); r.stdout != "" {
		t.Fatalf("leave printed %v", r)
	}
	if _, ok := b.rooms()[roomID]; ok {
		t.Fatal("left room still listed")
	}
	mustFail(t, b.run("send", roomID, "after leaving"), 1, "unknown room")
	a.ok("sync", "--once")
	if got := a.members(roomID); got[b.id] != "" && got[b.id] != "leave" {
		t.Fatalf("members after b left: %v", got)
	}

	// An unknown flag on a real command is rejected before anything happens.
	mustFail(t, a.run("send", roomID, "typo flag", "--format", "html"), 2, "unknown flag --format")
	for _, ev := range a.history(roomID, 50) {
		if ev.Body == "typo flag" {
			t.Fatal("send with an unknown flag sent the message")
		}
	}

	// Encrypted rooms: created and listed as such; messages go out encrypted and read back decrypted.
	secret := a.createRoom("--name", "Secret") // encrypted by default
	explicit := a.createRoom("--name", "Explizit", "--encrypted")
	if room := a.rooms()[explicit]; !room.Encrypted {
		t.Fatalf("--encrypted room listed as %+v", room)
	}
	mustFail(t, a.run("create-room", "--name", "X", "--encrypted", "--plain"), 2, "contradict")
	if room := a.rooms()[secret]; !room.Encrypted || room.Name != "Secret" {
		t.Fatalf("encrypted room listed as %+v", room)
	}
	if r := a.ok("rooms"); !strings.Contains(r.stdout, "join,encrypted") {
		t.Fatalf("rooms does not flag the encrypted room: %v", r)
	}
	sent := oneID(t, a.ok("send", secret, "hello encrypted"), eventIDRe)
	found := false
	for _, ev := range a.history(secret, 50) {
		if ev.EventID == sent {
			found = ev.Encrypted && ev.Decrypted && ev.Body == "hello encrypted"
		}
	}
	if !found {
		t.Fatalf("encrypted message %s not in the history as encrypted and decrypted", sent)
	}

	// dm: encrypted by default, --plain for a plain one; both direct.
	dm := oneID(t, a.ok("dm", b.id), roomIDRe)
	plainDM := oneID(t, a.ok("dm", c.id, "--plain"), roomIDRe)
	rooms := a.rooms()
	if r := rooms[dm]; !r.IsDirect || !r.Encrypted || r.Membership != "join" {
		t.Fatalf("dm listed as %+v", r)
	}
	if r := rooms[plainDM]; !r.IsDirect || r.Encrypted {
		t.Fatalf("plain dm listed as %+v", r)
	}
	c.ok("sync", "--once")
	if r := c.rooms()[plainDM]; r.Membership != "invite" || !r.IsDirect {
		t.Fatalf("dm invitee sees %+v", r)
	}
	c.ok("join", plainDM)
	c.send(plainDM, "hi from the plain dm")

	// Error paths of the room commands: non-zero, one line.
	mustFail(t, a.run("join", "not-a-room"), 1, "invalid room")
	mustFail(t, a.run("join", "!doesnotexist:"+srv.ServerName), 1, "join !doesnotexist")
	mustFail(t, a.run("invite", roomID, "bob"), 1, "invalid user ID")
	mustFail(t, a.run("dm", "carol"), 1, "invalid user ID")
	mustFail(t, a.run("create-room", "--name", "X", "--invite", "nobody"), 1, "invalid user ID")
	mustFail(t, a.run("send", "!unknown:"+srv.ServerName, "x"), 1, "unknown room")
	mustFail(t, a.run("history", "!unknown:"+srv.ServerName), 1, "unknown room")
	mustFail(t, a.run("tail", "!unknown:"+srv.ServerName, "--timeout", "5s"), 1, "unknown room")
	mustFail(t, b.run("leave", "!unknown:"+srv.ServerName), 1, "leave")
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSyncLoop runs sync without --once: it reports new events as they come, and ends with
// status 0 on SIGINT or SIGTERM.
func TestSyncLoop(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "syncer"), loggedIn(t, srv, "poster")
	roomID := sharedRoom(t, a, b, "Sync Room")
	a.ok("sync", "--once") // b's join: from now on every sync brings exactly the one new message
	for i, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		p := a.start("sync")
		b.send(roomID, fmt.Sprintf("wake up %d", i))
		if l := p.nextLine(time.Minute); l != "synced: 1 rooms, 1 events" {
			t.Fatalf("sync printed %q", l)
		}
		if err := p.cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if r := p.wait(30 * time.Second); r.code != 0 || r.stderr != "" {
			t.Fatalf("sync after %v: %v", sig, r)
		}
	}
	// The store is fine after the interrupted loops and holds what they synced.
	if got := bodies(messages(a.history(roomID, 10))); !slices.Equal(got, []string{"wake up 0", "wake up 1"}) {
		t.Fatalf("history after the sync loops: %q", got)
	}
}
