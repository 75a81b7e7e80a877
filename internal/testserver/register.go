package testserver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

const registerPath = "/_synapse/admin/v1/register"

var registerClient = &http.Client{Timeout: 30 * time.Second}

// Register creates the user localpart with password (8+ characters) through
// the shared-secret registration endpoint and returns the full user ID
// "@localpart:servername". Failures are fatal.
func (s *Server) Register(t testing.TB, localpart, password string) string {
	t.Helper()
	id, err := s.RegisterE(context.Background(), localpart, password)
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	return id
}

// RegisterE is Register without testing.TB (for benchmark seeding tools).
func (s *Server) RegisterE(ctx context.Context, localpart, password string) (string, error) {
	var nonce struct {
		Nonce string `json:"nonce"`
	}
	if err := s.adminJSON(ctx, http.MethodGet, nil, &nonce); err != nil {
		return "", fmt.Errorf("failed to get a registration nonce: %w", err)
	}
	req := map[string]any{
		"nonce":    nonce.Nonce,
		"username": localpart,
		"password": password,
		"admin":    false,
		"mac":      registrationMAC(s.SharedSecret, nonce.Nonce, localpart, password, false),
	}
	var resp struct {
		UserID string `json:"user_id"`
	}
	if err := s.adminJSON(ctx, http.MethodPost, req, &resp); err != nil {
		return "", fmt.Errorf("failed to register %s: %w", localpart, err)
	}
	if resp.UserID == "" {
		return "", fmt.Errorf("failed to register %s: no user_id in the answer", localpart)
	}
	return resp.UserID, nil
}

// registrationMAC is HMAC-SHA1 over nonce\0user\0password\0(admin|notadmin), hex encoded.
func registrationMAC(secret, nonce, user, password string, admin bool) string {
	role := "notadmin"
	if admin {
		role = "admin"
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(nonce + "\x00" + user + "\x00" + password + "\x00" + role))
	return hex.EncodeToString(mac.Sum(nil))
}

// adminJSON sends body (if any) as JSON to the registration endpoint and decodes the answer into out.
func (s *Server) adminJSON(ctx context.Context, method string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("failed to encode the request: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+registerPath, rd)
	if err != nil {
		return fmt.Errorf("failed to build the request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := registerClient.Do(req)
	if err != nil {
		return fmt.Errorf("failed to call %s: %w", registerPath, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("failed to read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("failed with HTTP %d: %s", resp.StatusCode, tail(string(data), 500))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("failed to decode the answer: %w", err)
	}
	return nil
}
