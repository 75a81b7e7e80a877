//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session/fedlist"
	"bosmessenger/session/policy"
)

// TestBOSModeScreenshots runs the real app under Xvfb in BOS mode (a policy file via
// BOSMESSENGER_POLICY, a signed federation list via file:// naming server a only): the incident
// room shows the organisation badge of the two vetted members and marks the member of server b
// unvetted; with an expired list the app starts into the blocking view. Screenshots (German) go
// to docs/screenshots/ with UPDATE_SCREENSHOTS=1, else into a temp dir.
func TestBOSModeScreenshots(t *testing.T) {
	requireGUITools(t)
	a, b := testserver.SharedFederated(t)
	leit := newAccount(t, a, "leitstelle")
	thw := newAccount(t, a, "thw")
	other := newAccount(t, b, "sicherheitsdienst")
	room := oneID(t, leit.bosctl(t, "create-room", "--name", "Einsatz Hochwasser", "--topic", "Lage und Kräfte", "--encrypted",
		"--invite", thw.id, "--invite", other.id), roomIDRe)
	for _, u := range []*account{thw, other} {
		joinRetry(t, u, room)
	}

	leit.bosctl(t, "sync", "--once")
	for _, m := range []struct {
		from *account
		text string
	}{
		{leit, "Lage: Pegel 5,2 m, steigend. Bereitstellungsraum Sportplatz."},
		{thw, "THW: Pumpen und Beleuchtung einsatzbereit, komme."},
		{other, "Sicherheitsdienst Nord: Wir könnten mit zwei Fahrzeugen unterstützen."},
	} {
		m.from.bosctl(t, "sync", "--once")
		oneID(t, m.from.bosctl(t, "send", room, m.text), eventIDRe)
	}
	var last string
	for range 30 {
		last = leit.bosctl(t, "history", room, "--json", "--limit", "20")
		if strings.Contains(last, "Sicherheitsdienst Nord") {
			break
		}
		leit.bosctl(t, "sync", "--once")
	}

	// BOS mode from here on (bosctl of the other accounts would be refused now).
	dir := t.TempDir()
	pub, priv, err := fedlist.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	listPath := filepath.Join(dir, "federation.jws")
	publish := func(version int, expires time.Time) {
		payload := fmt.Sprintf(`{"version": %d, "issued_at": %q, "expires_at": %q, "servers": [{"server_name": %q, "organisation": "ILS Kreis Ahrweiler", "type": "dispatch"}]}`,
			version, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339), a.ServerName)
		jws, err := fedlist.Sign([]byte(payload), priv)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(listPath, []byte(jws), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	publish(1, time.Now().Add(7*24*time.Hour))
	policyPath := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(policyPath, fmt.Appendf(nil, `{"managed": {"bos_mode": true, "federation_list_url": %q, "federation_list_public_keys": [%q]}}`,
		"file://"+listPath, policy.EncodePublicKey(pub)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(policy.EnvPolicyFile, policyPath)

	x := startXvfb(t)
	shots := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
	}
	app := startApp(t, x, "de_DE.UTF-8", leit.dir, room)
	shown := app.waitTrace("room_shown", map[string]string{"room": room}, 60*time.Second)
	if shown.args["messages"] == "0" {
		t.Fatal("the room shows no messages")
	}
	if l, ok := app.findTrace("bos_blocked", nil); ok {
		t.Fatalf("BOS mode blocked with a valid list: %v", l.args)
	}
	win := x.waitWindow(t, windowTitle, 30*time.Second)
	time.Sleep(2 * time.Second) // the badges come with the member names
	checkScreenshot(t, x, win, filepath.Join(shots, "bos-badges-de.png"))
	app.terminate(10 * time.Second)

	// An expired list: the app opens into the blocking view.
	publish(2, time.Now().Add(-time.Minute))
	app = startApp(t, x, "de_DE.UTF-8", leit.dir, room)
	blocked := app.waitTrace("bos_blocked", nil, 60*time.Second)
	if blocked.args["cause"] != "expired" {
		t.Errorf("blocked because of %q, want expired", blocked.args["cause"])
	}
	win = x.waitWindow(t, windowTitle, 30*time.Second)
	time.Sleep(time.Second)
	checkScreenshot(t, x, win, filepath.Join(shots, "bos-blocked-de.png"))
	app.terminate(10 * time.Second)
}

// tryBosctl runs bosctl on the account's data dir and returns its stdout and error (for retries).
func tryBosctl(a *account, args ...string) (string, error) {
	cmd := exec.Command(bosctlBin, append([]string{"--data", a.dir}, args...)...)
	cmd.Env = environ("", "")
	out, err := cmd.Output()
	return string(out), err
}
