package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The managed-configuration keys show in bosctl policy --json with their typed values, sources
// and enforcement; a malformed one stops bosctl naming source and key.
func TestPolicyCommandShowsManagedKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.json")
	doc := `{"managed": {"max_upload_mb": 10, "notification_content": "full", "disable_key_export": true},
		"recommended": {"theme": "dark", "keep_messages_days": 30}}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := runOpts{env: []string{"BOSMESSENGER_POLICY=" + path}}
	rows := policyJSON(t, mustOK(t, bosctl(t, opts, "--data", t.TempDir(), "policy", "--json")))
	for key, want := range map[string]policyRowJSON{
		"max_upload_mb":        {Value: json.RawMessage(`10`), Source: path, Enforced: true},
		"notification_content": {Value: json.RawMessage(`"full"`), Source: path, Enforced: true},
		"disable_key_export":   {Value: json.RawMessage(`true`), Source: path, Enforced: true},
		"theme":                {Value: json.RawMessage(`"dark"`), Source: path},
		"keep_messages_days":   {Value: json.RawMessage(`30`), Source: path},
		"alert_ack_jitter_s":   {Value: json.RawMessage(`10`), Source: "default"},
		"language":             {Value: json.RawMessage(`"de"`), Source: "default"},
	} {
		got, ok := rows[key]
		if !ok || string(got.Value) != string(want.Value) || got.Source != want.Source || got.Enforced != want.Enforced {
			t.Errorf("%s: got %+v (value %s), want %+v (value %s)", key, got, got.Value, want, want.Value)
		}
	}
	if err := os.WriteFile(path, []byte(`{"managed": {"max_upload_mb": 1000}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustFail(t, bosctl(t, opts, "--data", t.TempDir(), "policy"), 1, "max_upload_mb")
	if !strings.Contains(r.stderr, path) {
		t.Fatalf("error does not name the file: %v", r)
	}
}

// In BOS mode a malformed value blocks too: every command, not only policy, fails with the
// source (the file) and the key named, before anything touches the data dir or a server.
func TestMalformedPolicyBlocksInBOSMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, []byte(`{"managed": {"bos_mode": true, "app_lock": "yes"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := runOpts{env: []string{"BOSMESSENGER_POLICY=" + path, "BOSCTL_PASSWORD=geheim-123"}}
	data := t.TempDir()
	for _, args := range [][]string{{"policy"}, {"rooms"}, {"login", "--homeserver", "http://127.0.0.1:9", "--user", "x"}} {
		r := mustFail(t, bosctl(t, opts, append([]string{"--data", data}, args...)...), 1, "managed.app_lock")
		if !strings.Contains(r.stderr, path) {
			t.Errorf("%v: the error does not name the file: %v", args, r)
		}
	}
	if entries, _ := os.ReadDir(data); len(entries) > 0 {
		t.Errorf("the data dir was touched: %v", entries)
	}
}
