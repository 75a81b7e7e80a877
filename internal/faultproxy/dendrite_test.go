package faultproxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"bosmessenger/internal/testserver"
)

// TestAgainstDendrite runs the proxy in front of a real homeserver.
func TestAgainstDendrite(t *testing.T) {
	s := testserver.Start(t, testserver.Options{})
	s.Register(t, "alice", "alice-password")
	p := New(t, s.URL)

	login := `{"type":"m.login.password","identifier":{"type":"m.id.user","user":"alice"},"password":"alice-password"}`
	resp, err := fresh.Post(p.URL+"/_matrix/client/v3/login", "application/json", strings.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	var lr struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&lr)
	resp.Body.Close()
	if err != nil || lr.AccessToken == "" {
		t.Fatalf("login through the proxy: %d %v", resp.StatusCode, err)
	}

	syncOnce := func() (int, string) {
		req, _ := http.NewRequest(http.MethodGet, p.URL+"/_matrix/client/v3/sync?timeout=500", nil)
		req.Header.Set("Authorization", "Bearer "+lr.AccessToken)
		resp, err := fresh.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v struct {
			NextBatch string `json:"next_batch"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			return resp.StatusCode, "undecodable: " + err.Error()
		}
		return resp.StatusCode, v.NextBatch
	}
	p.Inject("/sync", Status502, 1)
	p.Inject("/sync", MalformedJSON, 1)
	if code, _ := syncOnce(); code != http.StatusBadGateway {
		t.Fatalf("first sync: %d", code)
	}
	if code, nb := syncOnce(); code != 200 || !strings.HasPrefix(nb, "undecodable") {
		t.Fatalf("second sync: %d %q", code, nb)
	}
	if code, nb := syncOnce(); code != 200 || nb == "" {
		t.Fatalf("third sync: %d %q", code, nb)
	}
	if p.Count("/sync") != 3 || p.Faulted() != 2 {
		t.Fatalf("count %d, faulted %d", p.Count("/sync"), p.Faulted())
	}
}
