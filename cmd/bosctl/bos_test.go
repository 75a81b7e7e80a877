package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// bosSetup is an admin's setup: a signing key made with bosctl fedlist keygen, lists signed with
// bosctl fedlist sign, and a policy file naming both.
type bosSetup struct {
	dir, key, pub, list, policy string
}

func newBOSSetup(t *testing.T) *bosSetup {
	t.Helper()
	b := &bosSetup{dir: t.TempDir()}
	b.key = filepath.Join(b.dir, "liste.key")
	b.list = filepath.Join(b.dir, "federation.jws")
	r := mustOK(t, bosctl(t, runOpts{}, "fedlist", "keygen", "--out", b.key))
	b.pub = strings.TrimSpace(r.stdout)
	b.writePolicy(t, nil)
	return b
}

func (b *bosSetup) writePolicy(t *testing.T, extra map[string]any) {
	t.Helper()
	managed := map[string]any{"bos_mode": true, "federation_list_url": "file://" + b.list, "federation_list_public_keys": []string{b.pub}}
	for k, v := range extra {
		managed[k] = v
	}
	data, _ := json.Marshal(map[string]any{"managed": managed, "recommended": map[string]any{"screenshots": false}})
	b.policy = filepath.Join(b.dir, "policy.json")
	if err := os.WriteFile(b.policy, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sign writes a payload and signs it with bosctl into the list file.
func (b *bosSetup) sign(t *testing.T, version int, expires time.Time, servers ...string) {
	t.Helper()
	var entries []string
	for _, s := range servers {
		entries = append(entries, fmt.Sprintf(`{"server_name": %q, "organisation": "Feuerwehr %s", "type": "fire"}`, s, s))
	}
	payload := filepath.Join(b.dir, "payload.json")
	doc := fmt.Sprintf(`{"version": %d, "issued_at": %q, "expires_at": %q, "servers": [%s]}`, version,
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339), strings.Join(entries, ","))
	if err := os.WriteFile(payload, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	mustOK(t, bosctl(t, runOpts{}, "fedlist", "sign", "--key", b.key, payload, "--out", b.list+".tmp"))
	if err := os.Rename(b.list+".tmp", b.list); err != nil {
		t.Fatal(err)
	}
}

func (b *bosSetup) opts() runOpts { return runOpts{env: []string{"BOSMESSENGER_POLICY=" + b.policy}} }

type policyRowJSON struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Source   string          `json:"source"`
	Enforced bool            `json:"enforced"`
}

func policyJSON(t *testing.T, r result) map[string]policyRowJSON {
	t.Helper()
	var rows []policyRowJSON
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("policy --json is not one JSON array: %v\n%v", err, r)
	}
	out := map[string]policyRowJSON{}
	for _, row := range rows {
		out[row.Key] = row
	}
	return out
}

func TestFedlistAdminTool(t *testing.T) {
	t.Parallel()
	b := newBOSSetup(t)
	if st, err := os.Stat(b.key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	mustFail(t, bosctl(t, runOpts{}, "fedlist", "keygen", "--out", b.key), 1, "never overwritten")
	b.sign(t, 3, time.Now().Add(48*time.Hour), "leitstelle.example.de", "feuerwehr.example.de")
	r := mustOK(t, bosctl(t, runOpts{}, "fedlist", "verify", "--pubkey", b.pub, b.list))
	for _, want := range []string{"version\t3\n", "expires_at\t", "server\tleitstelle.example.de\tfire\tFeuerwehr leitstelle.example.de\n", "server\tfeuerwehr.example.de"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("verify output lacks %q: %v", want, r)
		}
	}
	// Without --pubkey the policy's pinned keys are used.
	mustOK(t, bosctl(t, b.opts(), "fedlist", "verify", "file://"+b.list, "--json"))

	other := newBOSSetup(t)
	mustFail(t, bosctl(t, runOpts{}, "fedlist", "verify", "--pubkey", other.pub, b.list), 1, "signature")
	jws, _ := os.ReadFile(b.list)
	parts := strings.Split(strings.TrimSpace(string(jws)), ".")
	tampered := filepath.Join(b.dir, "tampered.jws")
	os.WriteFile(tampered, []byte(parts[0]+"."+parts[1][:len(parts[1])-4]+"AAAA."+parts[2]), 0o644)
	mustFail(t, bosctl(t, runOpts{}, "fedlist", "verify", "--pubkey", b.pub, tampered), 1, "signature")
	b.sign(t, 4, time.Now().Add(-time.Minute), "leitstelle.example.de")
	r = bosctl(t, runOpts{}, "fedlist", "verify", "--pubkey", b.pub, b.list)
	if r.code == 0 || !strings.Contains(r.stderr, "expired") || !strings.Contains(r.stdout, "version\t4") {
		t.Fatalf("expired list: %v", r)
	}
	bad := filepath.Join(b.dir, "bad.json")
	os.WriteFile(bad, []byte(`{"version": 1, "servers": []}`), 0o644)
	mustFail(t, bosctl(t, runOpts{}, "fedlist", "sign", "--key", b.key, bad), 1, "malformed")
}

func TestPolicyCommandWithoutAccount(t *testing.T) {
	t.Parallel()
	b := newBOSSetup(t)
	b.sign(t, 5, time.Now().Add(48*time.Hour), "leitstelle.example.de")
	data := t.TempDir()
	rows := policyJSON(t, mustOK(t, bosctl(t, b.opts(), "--data", data, "policy", "--json")))
	for key, want := range map[string]policyRowJSON{
		"bos_mode":                {Value: json.RawMessage(`true`), Source: b.policy, Enforced: true},
		"require_encryption":      {Value: json.RawMessage(`true`), Source: "default", Enforced: true},
		"invites_from":            {Value: json.RawMessage(`"vetted"`), Source: "default", Enforced: true},
		"allowed_homeservers":     {Value: json.RawMessage(`["leitstelle.example.de"]`), Source: "default", Enforced: true},
		"federation_list.version": {Value: json.RawMessage(`5`), Source: "file://" + b.list, Enforced: true},
		"federation_list.state":   {Value: json.RawMessage(`"ok"`), Source: "file://" + b.list, Enforced: true},
	} {
		got, ok := rows[key]
		if !ok || string(got.Value) != string(want.Value) || got.Source != want.Source || got.Enforced != want.Enforced {
			t.Errorf("%s: got %+v (value %s), want %+v (value %s)", key, got, got.Value, want, want.Value)
		}
	}
	if !strings.Contains(string(rows["federation_list.servers"].Value), `"organisation":"Feuerwehr leitstelle.example.de"`) ||
		!strings.Contains(string(rows["federation_list.expires_at"].Value), "T") {
		t.Errorf("list facts: %s %s", rows["federation_list.servers"].Value, rows["federation_list.expires_at"].Value)
	}
	if !strings.Contains(string(rows["policy.warnings"].Value), "recommended.screenshots") {
		t.Errorf("unknown key not reported: %+v", rows["policy.warnings"])
	}
	// Text form: one line per key, the unknown key as a warning on stderr.
	r := bosctl(t, b.opts(), "--data", data, "policy")
	if r.code != 0 || !strings.Contains(r.stdout, "bos_mode\ttrue\t"+b.policy+"\tenforced\n") || !strings.Contains(r.stderr, "screenshots") {
		t.Fatalf("text output: %v", r)
	}
	// A blocked state is reported, not an error of the command.
	os.Remove(b.list)
	rows = policyJSON(t, mustOK(t, bosctl(t, b.opts(), "--data", data, "policy", "--json")))
	if !strings.Contains(string(rows["federation_list.state"].Value), "blocked") {
		t.Errorf("state: %s", rows["federation_list.state"].Value)
	}
	// A wrong type stops every command with one line naming the source and the key.
	os.WriteFile(b.policy, []byte(`{"managed": {"bos_mode": "ja"}}`), 0o644)
	r = mustFail(t, bosctl(t, b.opts(), "--data", data, "policy"), 1, "bos_mode")
	if !strings.Contains(r.stderr, b.policy) {
		t.Fatalf("error does not name the file: %v", r)
	}
}

// The same rules in bosctl as in the engine: sign-in on a vetted server, organisations in
// members --json, a blocked list stops send with one line, and an unvetted server is refused.
func TestBOSModeInBosctl(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	b := newBOSSetup(t)
	b.sign(t, 1, time.Now().Add(48*time.Hour), srv.ServerName)
	b.writePolicy(t, map[string]any{"homeserver": srv.URL}) // locked: login needs no --homeserver
	u := newUser(t, srv, "bos")
	pw := testPassword
	o := b.opts()
	o.password = &pw
	mustFail(t, bosctl(t, o, "--data", u.dir, "login", "--homeserver", "http://127.0.0.2:9", "--user", u.id), 1, "locks sign-in")
	mustOK(t, bosctl(t, o, "--data", u.dir, "login", "--user", u.id))
	run := func(args ...string) result { return bosctl(t, b.opts(), append([]string{"--data", u.dir}, args...)...) }
	mustFail(t, run("create-room", "--name", "offen", "--plain"), 1, "require_encryption")
	roomID := strings.TrimSpace(mustOK(t, run("create-room", "--name", "Einsatz")).stdout)
	var members []map[string]any
	if err := json.Unmarshal([]byte(mustOK(t, run("members", roomID, "--json")).stdout), &members); err != nil || len(members) != 1 {
		t.Fatalf("members: %v %v", members, err)
	}
	if members[0]["organisation"] != "Feuerwehr "+srv.ServerName || members[0]["vetted"] != true {
		t.Fatalf("member: %v", members[0])
	}
	mustOK(t, run("send", roomID, "Lage ruhig"))
	rows := policyJSON(t, mustOK(t, run("policy", "--json")))
	if string(rows["federation_list.last_accepted_version"].Value) != "1" {
		t.Fatalf("last accepted: %+v", rows["federation_list.last_accepted_version"])
	}

	b.sign(t, 2, time.Now().Add(-time.Minute), srv.ServerName)
	mustFail(t, run("send", roomID, "gesperrt"), 1, "blocked")
	b.sign(t, 3, time.Now().Add(48*time.Hour), srv.ServerName)
	mustOK(t, run("send", roomID, "wieder frei"))

	// A server not on the list: refused before the password is sent.
	other := newBOSSetup(t)
	other.sign(t, 1, time.Now().Add(48*time.Hour), "feuerwehr.example.de")
	v := newUser(t, srv, "unvetted")
	o = other.opts()
	o.password = &pw
	mustFail(t, bosctl(t, o, "--data", v.dir, "login", "--homeserver", srv.URL, "--user", v.id), 1, srv.ServerName)
}

// remote_wipe from the policy file reaches the engine (session.ApplyPolicy): a device deleted on
// the server leaves no account data behind.
func TestRemoteWipeFromPolicyFile(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policyFile, []byte(`{"managed": {"remote_wipe": true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	o := runOpts{env: []string{"BOSMESSENGER_POLICY=" + policyFile}}
	u := newUser(t, srv, "wiped")
	pw := testPassword
	lo := o
	lo.password = &pw
	r := mustOK(t, bosctl(t, lo, "--data", u.dir, "login", "--homeserver", srv.URL, "--user", u.local))
	m := regexp.MustCompile(`\(device (\S+)\)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("login output: %v", r)
	}
	u.device = m[1]
	mustOK(t, bosctl(t, o, "--data", u.dir, "sync", "--once"))
	token := matrixLogin(t, srv, u.local)
	auth := map[string]any{"auth": map[string]any{"type": "m.login.password", "password": testPassword,
		"identifier": map[string]string{"type": "m.id.user", "user": u.local}}}
	matrixCall(t, http.MethodDelete, srv.URL+"/_matrix/client/v3/devices/"+u.device, token, auth, nil)
	mustFail(t, bosctl(t, o, "--data", u.dir, "sync", "--once"), 1, "signed out remotely")
	for _, name := range []string{"bos.db", "crypto.db", "storekey.json"} {
		if fileExists(filepath.Join(u.dir, name)) {
			t.Errorf("%s kept after a remote wipe", name)
		}
	}
}
