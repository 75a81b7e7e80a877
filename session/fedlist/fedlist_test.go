package fedlist

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

func payload(version int, expires time.Time) []byte {
	return fmt.Appendf(nil, `{"version": %d, "issued_at": %q, "expires_at": %q, "servers": [
		{"server_name": "leitstelle.example.de", "organisation": "Integrierte Leitstelle Musterstadt", "type": "dispatch"},
		{"server_name": "Feuerwehr.example.de", "organisation": "Feuerwehr Musterstadt", "type": "fire"}]}`,
		version, now.Add(-time.Hour).Format(time.RFC3339), expires.Format(time.RFC3339))
}

func mustKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func mustSign(t testing.TB, p []byte, k ed25519.PrivateKey) string {
	t.Helper()
	jws, err := Sign(p, k)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

func TestSignAndVerify(t *testing.T) {
	pub, priv := mustKey(t)
	other, _ := mustKey(t)
	jws := mustSign(t, payload(3, now.Add(24*time.Hour)), priv)
	header, _ := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[0])
	if !strings.Contains(string(header), `"typ":"bos-federation-list+jws"`) || !strings.Contains(string(header), `"alg":"EdDSA"`) {
		t.Fatalf("header %s", header)
	}
	l, err := Verify(jws, []ed25519.PublicKey{other, pub}, now) // rotation: the second key signed
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != 3 || len(l.Servers) != 2 {
		t.Fatalf("%+v", l)
	}
	if s, ok := l.Lookup("FEUERWEHR.example.de"); !ok || s.Organisation != "Feuerwehr Musterstadt" || s.Type != "fire" {
		t.Fatalf("lookup: %+v %v", s, ok)
	}
	if _, err := Verify(jws, []ed25519.PublicKey{other}, now); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("other key: %v", err)
	}
	if _, err := Verify(jws, nil, now); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("no keys: %v", err)
	}
}

func TestTamperedExpiredAndForeignListsAreRefused(t *testing.T) {
	pub, priv := mustKey(t)
	keys := []ed25519.PublicKey{pub}
	jws := mustSign(t, payload(3, now.Add(24*time.Hour)), priv)
	parts := strings.Split(jws, ".")

	tampered := payload(3, now.Add(24*time.Hour))
	tampered = []byte(strings.Replace(string(tampered), "Feuerwehr.example.de", "angreifer.example", 1))
	if _, err := Verify(parts[0]+"."+base64.RawURLEncoding.EncodeToString(tampered)+"."+parts[2], keys, now); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered payload: %v", err)
	}
	expired := mustSign(t, payload(4, now.Add(-time.Minute)), priv)
	if l, err := Verify(expired, keys, now); !errors.Is(err, ErrExpired) || l == nil || l.Version != 4 {
		t.Errorf("expired: %v %+v", err, l)
	}
	hdr := func(h string) string { return base64.RawURLEncoding.EncodeToString([]byte(h)) }
	for name, bad := range map[string]string{
		"alg none":   hdr(`{"alg":"none","typ":"bos-federation-list+jws"}`) + "." + parts[1] + ".",
		"alg HS256":  hdr(`{"alg":"HS256","typ":"bos-federation-list+jws"}`) + "." + parts[1] + "." + parts[2],
		"typ JWT":    hdr(`{"alg":"EdDSA","typ":"JWT"}`) + "." + parts[1] + "." + parts[2],
		"no typ":     hdr(`{"alg":"EdDSA"}`) + "." + parts[1] + "." + parts[2],
		"json form":  `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`,
		"garbage":    "not a list",
		"empty":      "",
		"two parts":  parts[0] + "." + parts[1],
		"crit":       hdr(`{"alg":"EdDSA","typ":"bos-federation-list+jws","crit":["exp"],"exp":1}`) + "." + parts[1] + "." + parts[2],
		"bad base64": parts[0] + ".!!!." + parts[2],
	} {
		if _, err := Verify(bad, keys, now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A well-signed header with a different typ is refused even with a valid signature.
	if _, err := Verify(jws, keys, now); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedPayloads(t *testing.T) {
	exp := now.Add(time.Hour).Format(time.RFC3339)
	iss := now.Format(time.RFC3339)
	for _, p := range []string{
		`{}`,
		`{"version": 0, "issued_at": "` + iss + `", "expires_at": "` + exp + `", "servers": []}`,
		`{"version": 1.5, "issued_at": "` + iss + `", "expires_at": "` + exp + `", "servers": []}`,
		`{"version": 1, "issued_at": "yesterday", "expires_at": "` + exp + `", "servers": []}`,
		`{"version": 1, "issued_at": "` + exp + `", "expires_at": "` + iss + `", "servers": []}`,
		`{"version": 1, "issued_at": "` + iss + `", "expires_at": "` + exp + `", "servers": [{"server_name": "a b", "organisation": "x", "type": "fire"}]}`,
		`{"version": 1, "issued_at": "` + iss + `", "expires_at": "` + exp + `", "servers": [{"server_name": "a.de", "organisation": "x", "type": "navy"}]}`,
		`{"version": 1, "issued_at": "` + iss + `", "expires_at": "` + exp + `", "servers": [{"server_name": "a.de", "organisation": "", "type": "fire"}]}`,
		`{"version": 1, "issued_at": "` + iss + `", "expires_at": "` + exp + `", "servers": [{"server_name": "a.de", "organisation": "x", "type": "fire"}, {"server_name": "A.de", "organisation": "y", "type": "fire"}]}`,
		`{"version": 1, "issued_at": "` + iss + `", "expires_at": "` + exp + `", "servers": []} {}`,
	} {
		if _, err := ParsePayload([]byte(p)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", p, err)
		}
		_, priv := mustKey(t)
		if _, err := Sign([]byte(p), priv); err == nil {
			t.Errorf("signed a malformed payload %s", p)
		}
	}
}

func TestKeyFileRoundTripAndFetch(t *testing.T) {
	pub, priv := mustKey(t)
	pemData, err := MarshalPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(pemData)
	if err != nil || !back.Equal(priv) {
		t.Fatalf("key round trip: %v", err)
	}
	if _, err := ParsePrivateKey([]byte("nope")); err == nil {
		t.Fatal("parsed garbage")
	}
	path := filepath.Join(t.TempDir(), "list.jws")
	jws := mustSign(t, payload(1, now.Add(time.Hour)), priv)
	if err := os.WriteFile(path, []byte(jws+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Fetch(context.Background(), http.DefaultClient, "file://"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(got, []ed25519.PublicKey{pub}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(context.Background(), http.DefaultClient, "http://192.0.2.1/list"); err == nil {
		t.Fatal("fetched over plain http from a non-loopback host")
	}
}

func FuzzVerify(f *testing.F) {
	pub, priv := mustKey(f)
	good := mustSign(f, payload(2, now.Add(time.Hour)), priv)
	f.Add(good)
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add(`eyJhbGciOiJub25lIn0.e30.`)
	f.Add(`{"payload":"e30","signatures":[]}`)
	f.Fuzz(func(t *testing.T, jws string) {
		l, err := Verify(jws, []ed25519.PublicKey{pub}, now)
		if err == nil && (l == nil || l.Version < 1 || l.Expired(now)) {
			t.Fatalf("accepted %+v", l)
		}
		if l != nil && err != nil && !errors.Is(err, ErrExpired) {
			t.Fatalf("list returned with error %v", err)
		}
		if _, err := ParsePayload([]byte(jws)); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("payload error not ErrMalformed: %v", err)
		}
	})
}
