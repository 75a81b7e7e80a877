package session_test

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/session"
	"bosmessenger/session/fedlist"
	"bosmessenger/session/policy"
)

// bosList signs federation lists with its own key and publishes them to a file.
type bosList struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	path string
}

func newBOSList(t testing.TB) *bosList {
	t.Helper()
	pub, priv, err := fedlist.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &bosList{pub: pub, priv: priv, path: filepath.Join(t.TempDir(), "federation.jws")}
}

func listPayload(version int, expires time.Time, servers ...string) []byte {
	var entries []string
	for i, s := range servers {
		entries = append(entries, fmt.Sprintf(`{"server_name": %q, "organisation": "Organisation %d", "type": "fire"}`, s, i+1))
	}
	return fmt.Appendf(nil, `{"version": %d, "issued_at": %q, "expires_at": %q, "servers": [%s]}`, version,
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339), strings.Join(entries, ","))
}

// publish signs a list of version valid until expires with servers, and writes it.
func (l *bosList) publish(t testing.TB, version int, expires time.Time, servers ...string) string {
	t.Helper()
	jws, err := fedlist.Sign(listPayload(version, expires, servers...), l.priv)
	if err != nil {
		t.Fatal(err)
	}
	l.write(t, jws)
	return jws
}

func (l *bosList) write(t testing.TB, content string) {
	t.Helper()
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		t.Fatal(err)
	}
}

// policy is BOS mode (managed) with this list, plus extra managed keys.
func (l *bosList) policy(t testing.TB, extra map[string]any) *policy.Policy {
	t.Helper()
	managed := map[string]any{
		"bos_mode":                    true,
		"federation_list_url":         "file://" + l.path,
		"federation_list_public_keys": []any{policy.EncodePublicKey(l.pub)},
	}
	for k, v := range extra {
		managed[k] = v
	}
	p, err := policy.Resolve(policy.Source{Name: "test policy", Managed: managed})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// bosConfig is the account's config under policy p (as bosctl and the app build it).
func bosConfig(a *account, p *policy.Policy) session.Config {
	cfg := session.ApplyPolicy(a.config(), p)
	e := cfg.Policy.(*session.Enforcer)
	e.BlockedRetry = 100 * time.Millisecond
	return cfg
}

// bosLogin signs the account in under policy p with its full Matrix ID.
func (a *account) bosLogin(t testing.TB, p *policy.Policy) *session.Session {
	t.Helper()
	s, err := session.Login(ctx(t), bosConfig(a, p), a.srv.URL, a.UserID, testPassword)
	if err != nil {
		t.Fatalf("BOS login %s: %v", a.UserID, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
