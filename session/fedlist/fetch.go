package fedlist

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"bosmessenger/session/policy"
)

// Fetch reads a list from an https:// URL, an http:// URL on loopback or a file:// URL.
func Fetch(ctx context.Context, hc *http.Client, rawURL string) (string, error) {
	if err := policy.ValidateListURL(rawURL); err != nil {
		return "", err
	}
	u, _ := url.Parse(rawURL)
	if u.Scheme == "file" {
		f, err := os.Open(u.Path)
		if err != nil {
			return "", fmt.Errorf("failed to read federation list: %w", err)
		}
		defer f.Close()
		return readLimited(f)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", fmt.Errorf("failed to fetch federation list: %w", err)
	}
	req.Header.Set("Accept", "application/jose, application/"+MediaType)
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("failed to fetch federation list: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("failed to fetch federation list: %s answered %s", u.Host, resp.Status)
	}
	return readLimited(resp.Body)
}

func readLimited(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return "", fmt.Errorf("failed to read federation list: %w", err)
	}
	if len(data) > MaxSize {
		return "", fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxSize)
	}
	return string(data), nil
}
