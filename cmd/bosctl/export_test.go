package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bosctl export writes the incident export of an encrypted room; export verify (as another user)
// says OK with the device cross-signed, and fails naming the file after one byte changes; flags
// are checked; disable_chat_export refuses the export.
func TestExportCommands(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "exporteur"), loggedIn(t, srv, "pruefer")
	roomID := a.createRoom("--name", "Einsatz Mühlenweg", "--invite", b.id)
	if got := oneID(t, b.ok("join", roomID), roomIDRe); got != roomID {
		t.Fatalf("joined %s", got)
	}
	a.send(roomID, "Wasserversorgung über Hydrant Mühlenweg 2 – Tür öffnen")
	file := filepath.Join(t.TempDir(), "lageplan-süd.txt")
	if err := os.WriteFile(file, []byte("Lageplan"), 0o600); err != nil {
		t.Fatal(err)
	}
	a.ok("send-file", roomID, file)
	alertID := oneID(t, a.ok("alert", "send", roomID, "--keyword", "TH Person eingeklemmt", "--text", "Verkehrsunfall"), eventIDRe)
	b.ok("sync", "--once")
	oneID(t, b.ok("alert", "respond", roomID, alertID, "--status", "later", "--eta", "15"), eventIDRe)

	out := filepath.Join(t.TempDir(), "doku")
	var res struct {
		Events int `json:"events"`
		Alerts int `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(a.ok("export", roomID, "--out", out, "--since", "1h", "--json").stdout), &res); err != nil ||
		res.Events < 4 || res.Alerts != 1 {
		t.Fatalf("export --json: %+v %v", res, err)
	}
	r := b.ok("export", "verify", out)
	if !strings.HasPrefix(r.stdout, "OK: ") || !strings.Contains(r.stdout, "cross-signed by its owner") || !strings.Contains(r.stdout, a.id) {
		t.Fatalf("verify: %v", r)
	}
	var rep struct {
		Valid       bool   `json:"valid"`
		CrossSigned bool   `json:"cross_signed"`
		DeviceID    string `json:"device_id"`
	}
	if err := json.Unmarshal([]byte(b.ok("export", "verify", out, "--json").stdout), &rep); err != nil || !rep.Valid || !rep.CrossSigned || rep.DeviceID != a.device {
		t.Fatalf("verify --json: %+v %v", rep, err)
	}

	path := filepath.Join(out, "events.json")
	orig, _ := os.ReadFile(path)
	changed := []byte(strings.Replace(string(orig), "Tür öffnen", "Tür öffnem", 1))
	if string(changed) == string(orig) {
		t.Fatal("text not in events.json")
	}
	os.WriteFile(path, changed, 0o600)
	mustFail(t, b.run("export", "verify", out), 1, "events.json")
	r = b.run("export", "verify", out, "--json")
	if r.code == 0 || !strings.Contains(r.stdout, `"valid":false`) || !strings.Contains(r.stdout, `"bad_file":"events.json"`) {
		t.Fatalf("verify --json of a changed export: %v", r)
	}
	os.WriteFile(path, orig, 0o600)
	b.ok("export", "verify", out)

	mustFail(t, a.run("export", roomID, "--out", out), 1, "not empty")
	a.ok("export", roomID, "--out", out, "--force", "--since", time.Now().Add(-time.Hour).Format(time.RFC3339), "--until", "2099-01-01")
	mustFail(t, a.run("export", roomID), 2, "--out")
	mustFail(t, a.run("export", roomID, "--out", t.TempDir(), "--since", "gestern"), 2, "--since")
	mustFail(t, a.run("export", "verify", out, "--force"), 2, "export verify")

	policy := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(policy, []byte(`{"managed": {"disable_chat_export": true}}`), 0o600)
	blocked := filepath.Join(t.TempDir(), "blocked")
	r = bosctl(t, runOpts{env: []string{"BOSMESSENGER_POLICY=" + policy}}, "--data", a.dir, "export", roomID, "--out", blocked)
	mustFail(t, r, 1, "disable_chat_export")
	if _, err := os.Stat(blocked); err == nil {
		t.Fatal("a refused export created its directory")
	}
}
