package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/session/alert"
)

// incidentJSON is the output of incident create --json.
type incidentJSON struct {
	RoomID       string `json:"room_id"`
	AlertEventID string `json:"alert_event_id"`
	Name         string `json:"name"`
}

// berlinDates are today's ISO dates in Europe/Berlin before and after a command (midnight may pass).
func berlinDates(before time.Time) []string {
	return []string{before.In(alert.Berlin).Format("2006-01-02"), time.Now().In(alert.Berlin).Format("2006-01-02")}
}

// checkIncidentRoom checks what the server and bosctl say about an incident room: name, topic,
// encryption, power levels, the invitee invited, and the alert as the first message.
func checkIncidentRoom(t *testing.T, creator, invitee *user, res incidentJSON, name, topic string, encrypted bool, levels map[string]int) {
	t.Helper()
	room, ok := creator.rooms()[res.RoomID]
	if !ok || room.Name != name || room.Topic != topic || room.Encrypted != encrypted || room.Invited != 1 {
		t.Fatalf("room %s: %+v (want name %q, topic %q, encrypted %v, 1 invited)", res.RoomID, room, name, topic, encrypted)
	}
	if res.Name != name {
		t.Fatalf("printed name %q, want %q", res.Name, name)
	}
	// Power levels as the server has them.
	token := matrixLogin(t, creator.srv, creator.local)
	var pl struct {
		Users        map[string]int `json:"users"`
		UsersDefault int            `json:"users_default"`
	}
	matrixCall(t, http.MethodGet, creator.srv.URL+"/_matrix/client/v3/rooms/"+url.PathEscape(res.RoomID)+"/state/m.room.power_levels/", token, nil, &pl)
	for u, lvl := range levels {
		if pl.Users[u] != lvl {
			t.Errorf("power level of %s: %d, want %d (%+v)", u, pl.Users[u], lvl, pl)
		}
	}
	if pl.Users[creator.id] != 100 {
		t.Errorf("creator's power level: %+v", pl)
	}
	// The invitee is invited; after joining, the first message it reads is the alert.
	invitee.ok("sync", "--once")
	if inv, ok := invitee.rooms()[res.RoomID]; !ok || inv.Membership != "invite" {
		t.Fatalf("invitee's view of %s: %+v", res.RoomID, inv)
	}
	invitee.ok("join", res.RoomID)
	msgs := messages(invitee.history(res.RoomID, 50))
	if len(msgs) == 0 || msgs[0].EventID != res.AlertEventID || !strings.HasPrefix(msgs[0].Body, "ALARM ") {
		t.Fatalf("first message of %s: %+v, want the alert %s", res.RoomID, msgs, res.AlertEventID)
	}
	var board boardJSON
	if err := json.Unmarshal([]byte(invitee.ok("alert", "board", res.RoomID, res.AlertEventID, "--json").stdout), &board); err != nil {
		t.Fatal(err)
	}
	if board.Alert.Keyword == "" {
		t.Fatalf("board of the first message: %+v", board)
	}
}

// Templates from a file (--templates and the data dir's incident-templates.json) and from the
// policy key incident_templates: the room has the name pattern, topic, encryption, power levels
// and invitees, and its first message is the alert.
func TestIncidentCreate(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b, c := loggedIn(t, srv, "leitstelle"), loggedIn(t, srv, "wehrfuehrer"), loggedIn(t, srv, "zugfuehrer")

	file := filepath.Join(t.TempDir(), "vorlagen.json")
	writeFile(t, file, fmt.Sprintf(`{"templates": [{
		"id": "brand", "name": "Brandeinsatz",
		"room_name": "{iso_date} {keyword} – {address}",
		"topic": "Einsatz {keyword} ({template})",
		"power_levels": {"users": {%q: 50}},
		"invitees": [%q, %q],
		"alert": {"keyword": "B3", "text": "Bitte Rückmeldung", "units": ["HLF 20-1"], "deadline": "10m", "required": 6}
	}]}`, b.id, b.id, a.id))

	before := time.Now()
	var res incidentJSON
	out := a.ok("incident", "create", "--templates", file, "--template", "brand", "--keyword", "B4 Brand Industrie",
		"--address", "Hauptstr. 1", "--json")
	if err := json.Unmarshal([]byte(out.stdout), &res); err != nil || !roomIDRe.MatchString(res.RoomID) || !eventIDRe.MatchString(res.AlertEventID) {
		t.Fatalf("create --json: %v %v", out, err)
	}
	dates := berlinDates(before)
	name := dates[1] + " B4 Brand Industrie – Hauptstr. 1"
	if res.Name != name && res.Name == dates[0]+" B4 Brand Industrie – Hauptstr. 1" {
		name = res.Name
	}
	checkIncidentRoom(t, a, b, res, name, "Einsatz B4 Brand Industrie (Brandeinsatz)", true, map[string]int{b.id: 50})
	var board boardJSON
	_ = json.Unmarshal([]byte(a.ok("alert", "board", res.RoomID, res.AlertEventID, "--json").stdout), &board)
	if board.Alert.Keyword != "B4 Brand Industrie" || board.Required != 6 || len(board.Alert.Units) != 1 || board.Alert.Deadline == 0 {
		t.Fatalf("alert: %+v", board)
	}

	// The data dir's file needs no flag; without --json only the room ID is printed, and the
	// template's default keyword is used.
	writeFile(t, filepath.Join(a.dir, "incident-templates.json"), fmt.Sprintf(`[{"id": "thl", "room_name": "THL {keyword}", "encrypted": false,
		"invitees": [%q], "alert": {"keyword": "TH1", "priority": "info"}}]`, c.id))
	roomID := oneID(t, a.ok("incident", "create", "--template", "thl"), roomIDRe)
	if room := a.rooms()[roomID]; room.Name != "THL TH1" || room.Encrypted || room.Invited != 1 {
		t.Fatalf("thl room: %+v", room)
	}

	// From the policy (managed): it wins over the data dir's template of the same ID and is listed as managed.
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	pol, _ := json.Marshal(map[string]any{"managed": map[string]any{"incident_templates": []map[string]any{{
		"id": "thl", "name": "Technische Hilfe", "room_name": "Policy {keyword}", "topic": "vom Admin",
		"power_levels": map[string]any{"users": map[string]int{c.id: 75}}, "invitees": []string{c.id},
		"alert": map[string]any{"keyword": "TH2"}}}}})
	writeFile(t, policyFile, string(pol))
	opts := runOpts{env: []string{"BOSMESSENGER_POLICY=" + policyFile}}
	var list []templateJSON
	if err := json.Unmarshal([]byte(mustOK(t, bosctl(t, opts, "--data", a.dir, "incident", "templates", "--json")).stdout), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != "thl" || list[0].Name != "Technische Hilfe" || !list[0].Managed || list[0].Source != "policy" {
		t.Fatalf("templates: %+v", list)
	}
	if txt := mustOK(t, bosctl(t, opts, "--data", a.dir, "incident", "templates")).stdout; !strings.Contains(txt, "thl  Technische Hilfe") ||
		!strings.Contains(txt, "[managed]") {
		t.Fatalf("templates text: %q", txt)
	}
	out = mustOK(t, bosctl(t, opts, "--data", a.dir, "incident", "create", "--template", "thl", "--json"))
	if err := json.Unmarshal([]byte(out.stdout), &res); err != nil {
		t.Fatal(err)
	}
	checkIncidentRoom(t, a, c, res, "Policy TH2", "vom Admin", true, map[string]int{c.id: 75})

	// Unknown template and bad template files: a clear error and a non-zero exit, no room.
	rooms := len(a.rooms())
	mustFail(t, a.run("incident", "create", "--template", "gibtsnicht", "--keyword", "B3"), 1, `unknown incident template "gibtsnicht" (known: thl)`)
	mustFail(t, a.run("incident", "create", "--keyword", "B3"), 2, "needs --template")
	writeFile(t, file, `[{"id": "brand", "alert": {"deadline": "bald"}}]`)
	mustFail(t, a.run("incident", "create", "--templates", file, "--template", "brand"), 1, `template "brand" (#1): alert.deadline`)
	writeFile(t, file, `[{"id": "ohne"}]`)
	mustFail(t, a.run("incident", "create", "--templates", file, "--template", "ohne"), 2, "keyword is missing")
	mustFail(t, a.run("incident", "templates", "--templates", filepath.Join(t.TempDir(), "fehlt.json")), 1, "fehlt.json")
	mustFail(t, a.run("incident", "create", "--template", "thl", "--room", "x"), 2, "unknown flag --room")
	if n := len(a.rooms()); n != rooms {
		t.Fatalf("rooms: %d, want %d", n, rooms)
	}
}

// In BOS mode the invitees of a template pass the vetting of invites: a template inviting a user
// on a server that is not on the federation list creates nothing.
func TestIncidentCreateBOSMode(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	b := newBOSSetup(t)
	b.sign(t, 1, time.Now().Add(48*time.Hour), srv.ServerName)
	vetted := newUser(t, srv, "vetted")
	b.writePolicy(t, map[string]any{"homeserver": srv.URL, "incident_templates": []map[string]any{
		{"id": "brand", "invitees": []string{vetted.id}, "alert": map[string]any{"keyword": "B3"}},
		{"id": "fremd", "invitees": []string{"@wf:feuerwehr.example.de"}, "alert": map[string]any{"keyword": "B3"}},
	}})
	u := newUser(t, srv, "bosincident")
	pw := testPassword
	o := b.opts()
	o.password = &pw
	mustOK(t, bosctl(t, o, "--data", u.dir, "login", "--user", u.id))
	run := func(args ...string) result { return bosctl(t, b.opts(), append([]string{"--data", u.dir}, args...)...) }
	mustFail(t, run("incident", "create", "--template", "fremd"), 1, "feuerwehr.example.de is not on the federation list")
	var rooms []roomJSON
	if err := json.Unmarshal([]byte(mustOK(t, run("rooms", "--json")).stdout), &rooms); err != nil || len(rooms) != 0 {
		t.Fatalf("rooms after a refused incident: %+v %v", rooms, err)
	}
	roomID := oneID(t, mustOK(t, run("incident", "create", "--template", "brand", "--address", "Hauptstr. 1")), roomIDRe)
	if err := json.Unmarshal([]byte(mustOK(t, run("rooms", "--json")).stdout), &rooms); err != nil || len(rooms) != 1 ||
		rooms[0].RoomID != roomID || !rooms[0].Encrypted || rooms[0].Invited != 1 {
		t.Fatalf("rooms: %+v %v", rooms, err)
	}
}
