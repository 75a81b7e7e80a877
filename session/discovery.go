package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ServerInfo is what discovery found out about a homeserver.
type ServerInfo struct {
	BaseURL  string
	Versions []string
	Features map[string]bool
}

// SupportsVersion reports whether the server advertises spec version v (e.g. "v1.2").
func (si *ServerInfo) SupportsVersion(v string) bool {
	for _, have := range si.Versions {
		if have == v {
			return true
		}
	}
	return false
}

// Discover turns what a user typed (a URL, a server name or a Matrix ID) into a checked homeserver:
// it follows /.well-known/matrix/client for server names and checks /_matrix/client/versions.
func Discover(ctx context.Context, hc *http.Client, input string) (*ServerInfo, error) {
	input = strings.TrimSpace(input)
	if input == "" {
		return nil, errors.New("no homeserver given")
	}
	if err := checkHomeserverInput(input); err != nil {
		return nil, err
	}
	var candidates []string
	if strings.HasPrefix(input, "http://") || strings.HasPrefix(input, "https://") {
		u, err := url.Parse(input)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("invalid homeserver URL %q", input)
		}
		candidates = []string{strings.TrimRight(input, "/")}
	} else {
		serverName := input
		if strings.HasPrefix(input, "@") {
			_, server, ok := strings.Cut(input, ":")
			if !ok || server == "" {
				return nil, fmt.Errorf("invalid Matrix ID %q: expected @user:server", input)
			}
			serverName = server
		}
		if strings.ContainsAny(serverName, "/?#\\ \t") {
			return nil, fmt.Errorf("invalid server name %q", serverName)
		}
		var err error
		candidates, err = wellKnownCandidates(ctx, hc, serverName)
		if err != nil {
			return nil, err
		}
	}
	var lastErr error
	for _, base := range candidates {
		info, err := checkVersions(ctx, hc, base)
		if err == nil {
			return info, nil
		}
		lastErr = err
		if !errors.Is(err, ErrUnreachable) {
			break
		}
	}
	return nil, lastErr
}

var schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]{0,15}$`)

// checkHomeserverInput refuses what must not reach the network: a scheme other than http and https,
// and credentials (user:password@) in a URL or server name. The error never repeats the credentials.
func checkHomeserverInput(input string) error {
	rest := input
	if scheme, after, ok := strings.Cut(input, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http", "https":
		default:
			if schemeRe.MatchString(scheme) {
				return fmt.Errorf("%w: %s://", ErrUnsupportedScheme, strings.ToLower(scheme))
			}
			return ErrUnsupportedScheme
		}
		rest = after
	} else if strings.HasPrefix(input, "@") {
		_, rest, _ = strings.Cut(input, ":") // a Matrix ID: its server name
	}
	authority, _, _ := strings.Cut(rest, "/")
	authority, _, _ = strings.Cut(authority, "?")
	authority, _, _ = strings.Cut(authority, "#")
	if strings.Contains(authority, "@") {
		return ErrCredentialsInURL
	}
	return nil
}

// wellKnownCandidates resolves a server name to base URLs to try, well-known first.
// Plain HTTP is only tried for loopback servers (local test and demo setups).
func wellKnownCandidates(ctx context.Context, hc *http.Client, serverName string) ([]string, error) {
	schemes := []string{"https"}
	if isLoopback(serverName) {
		schemes = append(schemes, "http")
	}
	var fallback []string
	for _, scheme := range schemes {
		base := scheme + "://" + serverName
		fallback = append(fallback, base)
		wk, err := fetchWellKnown(ctx, hc, base)
		if err != nil {
			if errors.Is(err, errWellKnownInvalid) {
				return nil, err
			}
			continue
		}
		if wk != "" {
			return []string{strings.TrimRight(wk, "/")}, nil
		}
	}
	return fallback, nil
}

var errWellKnownInvalid = errors.New("invalid /.well-known/matrix/client")

func fetchWellKnown(ctx context.Context, hc *http.Client, base string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/matrix/client", nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if err != nil {
		return "", err
	}
	var wk struct {
		Homeserver struct {
			BaseURL string `json:"base_url"`
		} `json:"m.homeserver"`
	}
	if err := json.Unmarshal(body, &wk); err != nil {
		return "", fmt.Errorf("%w at %s: %v", errWellKnownInvalid, base, err)
	}
	if wk.Homeserver.BaseURL == "" {
		return "", nil
	}
	u, err := url.Parse(wk.Homeserver.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("%w at %s: bad base_url", errWellKnownInvalid, base)
	}
	return wk.Homeserver.BaseURL, nil
}

func checkVersions(ctx context.Context, hc *http.Client, base string) (*ServerInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_matrix/client/versions", nil)
	if err != nil {
		return nil, fmt.Errorf("invalid homeserver URL %q: %w", base, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, base, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256*1024))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, base, err)
	}
	var v struct {
		Versions         []string        `json:"versions"`
		UnstableFeatures map[string]bool `json:"unstable_features"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &v) != nil || len(v.Versions) == 0 {
		return nil, fmt.Errorf("%w: %s answered /versions with HTTP %d", ErrNotMatrixServer, base, resp.StatusCode)
	}
	return &ServerInfo{BaseURL: base, Versions: v.Versions, Features: v.UnstableFeatures}, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isLoopback(serverName string) bool {
	host := serverName
	if h, _, err := net.SplitHostPort(serverName); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
