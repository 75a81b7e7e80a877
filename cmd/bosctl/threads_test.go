package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// threadEventJSON is a history --json line with the thread and location fields.
type threadEventJSON struct {
	EventID    string          `json:"event_id"`
	Body       string          `json:"body"`
	MsgType    string          `json:"msgtype"`
	ThreadRoot string          `json:"thread_root"`
	GeoURI     string          `json:"geo_uri"`
	Content    json.RawMessage `json:"content"`
}

func threadEvents(t *testing.T, r result) map[string]threadEventJSON {
	t.Helper()
	out := map[string]threadEventJSON{}
	for _, line := range r.lines() {
		var ev threadEventJSON
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		out[ev.EventID] = ev
	}
	return out
}

// send --thread, history --thread and send-location against Dendrite; history --json names a
// thread reply's thread_root and a location's geo_uri; disable_location refuses send-location.
func TestThreadAndLocationCommands(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "threadA"), loggedIn(t, srv, "threadB")
	roomID := sharedRoom(t, a, b, "Thread Room")
	root := a.send(roomID, "Wer fährt?")
	b.ok("sync", "--once")
	reply := oneID(t, b.ok("send", roomID, "HLF 20 fährt", "--thread", root), eventIDRe)
	other := a.send(roomID, "Hauptverlauf")
	loc := oneID(t, a.ok("send-location", roomID, "-33.9249", "18.4241", "--description", "Kapstadt"), eventIDRe)
	mustFail(t, a.run("send-location", roomID, "91", "0"), 2, "latitude 91")
	mustFail(t, a.run("send-location", roomID, "1", "x"), 2, "decimal degrees")
	mustFail(t, a.run("send", roomID, "x", "--thread", "kein-event"), 2, "--thread wants an event ID")

	hist := threadEvents(t, a.ok("history", roomID, "--json", "--limit", "20"))
	if ev := hist[reply]; ev.ThreadRoot != root || ev.Body != "HLF 20 fährt" {
		t.Fatalf("thread reply in history --json: %+v", ev)
	}
	if ev := hist[loc]; ev.GeoURI != "geo:-33.9249,18.4241" || ev.MsgType != "m.location" || ev.ThreadRoot != "" {
		t.Fatalf("location in history --json: %+v", ev)
	}
	th := a.ok("history", roomID, "--json", "--thread", root)
	got := threadEvents(t, th)
	if len(th.lines()) != 2 || got[root].Body != "Wer fährt?" || got[reply].ThreadRoot != root || got[other].EventID != "" {
		t.Fatalf("history --thread: %v", th)
	}
	plain := a.ok("history", roomID, "--thread", root).lines()
	if len(plain) != 2 || !strings.HasSuffix(plain[1], b.id+": [thread "+root+"] HLF 20 fährt") {
		t.Fatalf("plain history --thread: %q", plain)
	}
	mustFail(t, a.run("history", roomID, "--thread", "$unbekannt"), 1, "unknown event")

	policy := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policy, []byte(`{"managed": {"disable_location": true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := bosctl(t, runOpts{env: []string{"BOSMESSENGER_POLICY=" + policy}}, "--data", a.dir, "send-location", roomID, "1", "2")
	mustFail(t, r, 1, "disable_location")
}
