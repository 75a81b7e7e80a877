package testserver

import (
	"strings"
	"testing"
)

func TestRegistrationMAC(t *testing.T) {
	// Same construction as Synapse's and Dendrite's shared-secret registration.
	got := registrationMAC("secret", "nonce", "user", "password", false)
	if len(got) != 40 {
		t.Fatalf("MAC %q is not hex SHA-1", got)
	}
	if got == registrationMAC("secret", "nonce", "user", "password", true) {
		t.Fatal("admin flag does not change the MAC")
	}
}

func TestConfigEditsAndPathCheck(t *testing.T) {
	doc, err := parseYAML([]byte("global:\n  private_key: matrix_key.pem\n  presence:\n    enable_inbound: false\nlogging:\n- type: file\n  params:\n    path: /data/log\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPathsInside(doc, "/data"); err == nil || !strings.Contains(err.Error(), "global.private_key") {
		t.Fatalf("relative private key not reported: %v", err)
	}
	for path, v := range map[string]any{"global.private_key": "/data/matrix_key.pem", "global.presence.enable_inbound": true, "a.b.c": 4} {
		if err := doc.set(path, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := checkPathsInside(doc, "/data"); err != nil {
		t.Fatal(err)
	}
	if doc.get("global.presence.enable_inbound") != "true" || doc.get("a.b.c") != "4" {
		t.Fatalf("edits not applied")
	}
	if err := doc.set("global.private_key.x", 1); err == nil {
		t.Fatal("setting below a scalar did not fail")
	}
}
