package testserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

var testClient = &http.Client{Timeout: 40 * time.Second}

// call sends a JSON request (body may be nil) and decodes a JSON answer into out (may be nil).
func call(t *testing.T, method, url, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("decode %s: %v: %s", url, err, data)
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Logf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, data)
	}
	return resp.StatusCode
}

// login logs in with m.login.password and returns the access token.
func login(t *testing.T, s *Server, user, password string) string {
	t.Helper()
	var resp struct {
		AccessToken string `json:"access_token"`
		UserID      string `json:"user_id"`
	}
	body := map[string]any{
		"type":       "m.login.password",
		"identifier": map[string]string{"type": "m.id.user", "user": user},
		"password":   password,
	}
	if code := call(t, http.MethodPost, s.URL+"/_matrix/client/v3/login", "", body, &resp); code != http.StatusOK {
		t.Fatalf("login %s on %s: HTTP %d", user, s.ServerName, code)
	}
	if resp.AccessToken == "" || resp.UserID != s.UserID(user) {
		t.Fatalf("login %s: unexpected answer %+v", user, resp)
	}
	return resp.AccessToken
}
