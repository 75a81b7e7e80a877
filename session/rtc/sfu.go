package rtc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// OpenIDToken is a Matrix OpenID token (/user/{id}/openid/request_token), as the JWT service
// wants it.
type OpenIDToken struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	MatrixServerName string `json:"matrix_server_name"`
	ExpiresIn        int    `json:"expires_in"`
}

// SFURequest is the body of POST /sfu/get (lk-jwt-service, as Element Call sends it).
type SFURequest struct {
	Room        string      `json:"room"`
	OpenIDToken OpenIDToken `json:"openid_token"`
	DeviceID    string      `json:"device_id"`
}

// SFUConfig is the answer of /sfu/get: where the LiveKit server is and the token to join it.
type SFUConfig struct {
	URL string `json:"url"`
	JWT string `json:"jwt"`
}

// ErrSFURefused says that the focus's JWT service refused the OpenID token.
var ErrSFURefused = errors.New("the LiveKit JWT service refused the token")

// GetSFUConfig exchanges an OpenID token for a LiveKit JWT at a focus's service.
func GetSFUConfig(ctx context.Context, hc *http.Client, serviceURL string, req SFURequest) (SFUConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	body, err := json.Marshal(req)
	if err != nil {
		return SFUConfig{}, fmt.Errorf("failed to encode the SFU request: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(serviceURL, "/")+"/sfu/get", bytes.NewReader(body))
	if err != nil {
		return SFUConfig{}, fmt.Errorf("failed to build the SFU request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(hreq)
	if err != nil {
		return SFUConfig{}, fmt.Errorf("failed to reach the LiveKit JWT service: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if err != nil {
		return SFUConfig{}, fmt.Errorf("failed to read the SFU answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return SFUConfig{}, fmt.Errorf("%w: HTTP %d", ErrSFURefused, resp.StatusCode)
	}
	var cfg SFUConfig
	if err := json.Unmarshal(data, &cfg); err != nil || cfg.URL == "" || cfg.JWT == "" {
		return SFUConfig{}, fmt.Errorf("failed to parse the SFU answer: %w", errors.Join(err, errors.New("url or jwt missing")))
	}
	return cfg, nil
}
