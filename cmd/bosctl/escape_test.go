package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/termsafe"
)

// The terminal attacks a room member can mount through remote text: set the window title, clear
// the screen, write the clipboard (OSC 52), reverse the line (RLO).
const (
	oscTitle   = "\x1b]0;pwned\a"
	clearAll   = "\x1b[2J"
	osc52      = "\x1b]52;c;cm0gLXJmIH4=\a"
	rlo        = "\u202e"
	evilName   = "Mal" + oscTitle + clearAll + osc52 + rlo + "lory"
	evilRoom   = "Room" + oscTitle + clearAll + osc52 + rlo + "moor"
	evilBody   = "hello" + oscTitle + clearAll + osc52 + rlo + "dlrow\nsecond line\u009b31m"
	evilEmote  = "waves" + clearAll
	escapedOSC = `\x1b]0;pwned\x07`
)

// rawUser is a room member that talks to the homeserver directly (plain HTTP), as an attacker
// with any Matrix client would.
type rawUser struct {
	t     *testing.T
	base  string
	token string
	id    string
	txn   int
}

func newRawUser(t *testing.T, u *user) *rawUser {
	return &rawUser{t: t, base: u.srv.URL + "/_matrix/client/v3", token: matrixLogin(t, u.srv, u.local), id: u.id}
}

func (r *rawUser) setName(name string) {
	r.t.Helper()
	matrixCall(r.t, http.MethodPut, r.base+"/profile/"+url.PathEscape(r.id)+"/displayname", r.token,
		map[string]string{"displayname": name}, nil)
}

func (r *rawUser) send(roomID string, content map[string]any) {
	r.t.Helper()
	r.txn++
	matrixCall(r.t, http.MethodPut, fmt.Sprintf("%s/rooms/%s/send/m.room.message/t%d-%d", r.base, url.PathEscape(roomID),
		time.Now().UnixNano(), r.txn), r.token, content, nil)
}

// noRawControls fails when text holds a rune a terminal would act on (newline and tab are our own
// layout).
func noRawControls(t *testing.T, what, text string) {
	t.Helper()
	for _, r := range text {
		if termsafe.Unsafe(r) && r != '\n' && r != '\t' {
			t.Fatalf("%s prints a raw %U: %q", what, r, text)
		}
	}
}

// TestTerminalInjection: a member puts escape sequences and a bidi override into their display
// name, the room name and messages. history, tail, members and rooms print none of them raw
// (escaped, visibly); --json keeps them exact.
func TestTerminalInjection(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	alice := loggedIn(t, srv, "victim")
	mal := newRawUser(t, newUser(t, srv, "mallory"))

	// Mallory creates the room with the evil name, invites alice, renames itself.
	var created struct {
		RoomID string `json:"room_id"`
	}
	matrixCall(t, http.MethodPost, mal.base+"/createRoom", mal.token,
		map[string]any{"name": evilRoom, "preset": "private_chat", "invite": []string{alice.id}}, &created)
	roomID := created.RoomID
	mal.setName(evilName)
	alice.ok("sync", "--once")
	alice.ok("join", roomID)
	mal.send(roomID, map[string]any{"msgtype": "m.text", "body": evilBody})
	mal.send(roomID, map[string]any{"msgtype": "m.emote", "body": evilEmote})
	mal.send(roomID, map[string]any{"msgtype": "m.x" + clearAll, "body": "odd type"})

	// history: escaped, visibly; the body's own line break stays.
	r := alice.ok("history", roomID, "--limit", "20")
	noRawControls(t, "history", r.stdout+r.stderr)
	for _, want := range []string{"hello" + escapedOSC + `\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u202edlrow`, "\n    second line\\u009b31m",
		`* waves\x1b[2J`, `[m.x\x1b[2J] odd type`} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("history lacks %q:\n%s", want, r.stdout)
		}
	}
	// history --json: exact.
	var bodies []string
	for _, ev := range alice.history(roomID, 20) {
		if ev.Type == "m.room.message" {
			bodies = append(bodies, ev.Body)
		}
	}
	if len(bodies) != 3 || bodies[0] != evilBody || bodies[1] != evilEmote {
		t.Fatalf("history --json bodies: %q", bodies)
	}
	r = alice.ok("history", roomID, "--json")
	noRawControls(t, "history --json", r.stdout)

	// rooms: the room name escaped; --json exact.
	r = alice.ok("rooms")
	noRawControls(t, "rooms", r.stdout)
	if !strings.Contains(r.stdout, "Room"+escapedOSC) {
		t.Fatalf("rooms: %v", r)
	}
	if got := alice.rooms()[roomID].Name; got != evilRoom {
		t.Fatalf("rooms --json name %q, want %q", got, evilRoom)
	}
	noRawControls(t, "rooms --json", alice.ok("rooms", "--json").stdout)
	// rooms --json: last_message is the newest message as a room list previews it (one cleaned line).
	if lm := alice.rooms()[roomID].LastMessage; lm == nil || lm.Sender != mal.id || lm.Body != "odd type" || lm.TS == 0 {
		t.Fatalf("rooms --json last_message %+v", lm)
	}

	// members: the name as shown (cleaned) without raw bytes; --json has the exact name and the
	// shown one.
	r = alice.ok("members", roomID)
	noRawControls(t, "members", r.stdout)
	if !strings.Contains(r.stdout, mal.id+"\tjoin\tMal]0;pwned[2J]52;c;cm0gLXJmIH4=lory\n") {
		t.Fatalf("members: %v", r)
	}
	r = alice.ok("members", roomID, "--json")
	noRawControls(t, "members --json", r.stdout)
	var list []struct {
		UserID    string `json:"user_id"`
		Name      string `json:"name"`
		Shown     string `json:"display_name_disambiguated"`
		Member    string `json:"membership"`
		OrgAbsent string `json:"organisation"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range list {
		if m.UserID == mal.id {
			found = m.Name == evilName && m.Shown == "Mal]0;pwned[2J]52;c;cm0gLXJmIH4=lory" && m.OrgAbsent == ""
		}
	}
	if !found {
		t.Fatalf("members --json: %s", r.stdout)
	}

	// tail: a new message arrives escaped; tail --json exact. Everything after alice's last sync
	// is new to a tail, so the message can go out first.
	mal.send(roomID, map[string]any{"msgtype": "m.text", "body": "tail" + osc52 + rlo})
	tr := alice.run("tail", roomID, "--count", "1", "--timeout", "90s")
	noRawControls(t, "tail", tr.stdout+tr.stderr)
	if tr.code != 0 || !strings.Contains(tr.stdout, `tail\x1b]52;c;cm0gLXJmIH4=\x07\u202e`) {
		t.Fatalf("tail: %v", tr)
	}
	mal.send(roomID, map[string]any{"msgtype": "m.text", "body": "json" + osc52 + rlo})
	tj := alice.run("tail", roomID, "--json", "--count", "1", "--timeout", "90s")
	noRawControls(t, "tail --json", tj.stdout)
	if evs := parseEvents(t, tj.stdout, messageKeys...); tj.code != 0 || len(evs) != 1 || evs[0].Body != "json"+osc52+rlo {
		t.Fatalf("tail --json: %v", tj)
	}

	// An error that quotes remote or typed text stays one escaped line.
	r = mustFail(t, alice.run("join", "#x"+clearAll+":"+strings.TrimPrefix(srv.URL, "http://")), -1, "bosctl: ")
	noRawControls(t, "join error", r.stderr)
}
