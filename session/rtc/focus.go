package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// FociKey is the .well-known/matrix/client key that lists a server's MatrixRTC foci (MSC4143).
const FociKey = "org.matrix.msc4143.rtc_foci"

// FocusTypeLiveKit is the only focus type Element Call and this package speak.
const FocusTypeLiveKit = "livekit"

// ErrNoFocus says that the server announces no LiveKit focus.
var ErrNoFocus = errors.New("no LiveKit focus announced (org.matrix.msc4143.rtc_foci)")

// Focus is one entry of rtc_foci; a LiveKit focus has the URL of its JWT service.
type Focus struct {
	Type       string `json:"type"`
	ServiceURL string `json:"livekit_service_url,omitempty"`
}

// DiscoverFoci reads base + "/.well-known/matrix/client" and returns its LiveKit foci in the
// announced order, ErrNoFocus when there is none.
func DiscoverFoci(ctx context.Context, hc *http.Client, base string) ([]Focus, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/.well-known/matrix/client", nil)
	if err != nil {
		return nil, fmt.Errorf("failed to build the well-known request: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("failed to load .well-known/matrix/client: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: .well-known/matrix/client answered HTTP %d", ErrNoFocus, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if err != nil {
		return nil, fmt.Errorf("failed to read .well-known/matrix/client: %w", err)
	}
	var wk map[string]json.RawMessage
	if err := json.Unmarshal(body, &wk); err != nil {
		return nil, fmt.Errorf("failed to parse .well-known/matrix/client: %w", err)
	}
	var all []Focus
	if raw, ok := wk[FociKey]; ok {
		if err := json.Unmarshal(raw, &all); err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", FociKey, err)
		}
	}
	var foci []Focus
	for _, f := range all {
		if f.Type != FocusTypeLiveKit {
			continue
		}
		u, err := url.Parse(f.ServiceURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			continue
		}
		foci = append(foci, f)
	}
	if len(foci) == 0 {
		return nil, ErrNoFocus
	}
	return foci, nil
}
