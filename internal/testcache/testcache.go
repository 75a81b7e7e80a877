// Package testcache locates the cache shared by the test harnesses (Dendrite binaries, the npm
// install of matrix-js-sdk, seeded benchmark servers) and serialises work on it across the test
// binaries that `go test ./...` runs in parallel.
package testcache

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofrs/flock"
)

// Root is ${BOS_TEST_CACHE:-${XDG_CACHE_HOME:-~/.cache}/bosmessenger-test}, the same root that
// scripts/install-dendrite.sh uses.
func Root() (string, error) {
	if c := os.Getenv("BOS_TEST_CACHE"); c != "" {
		return c, nil
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("failed to find the cache dir: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "bosmessenger-test"), nil
}

// Lock takes an exclusive lock on the file at path (creating it), waiting for other processes,
// and returns its release.
func Lock(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("failed to create lock dir: %w", err)
	}
	l := flock.New(path)
	if err := l.Lock(); err != nil {
		return nil, fmt.Errorf("failed to lock %s: %w", path, err)
	}
	return func() { _ = l.Unlock() }, nil
}

// Require fails the test when a real part it needs (what) could not be provided. It never skips:
// a missing homeserver or peer is a failure, with or without CI=true.
func Require(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	ci := ""
	if os.Getenv("CI") == "true" {
		ci = " (CI=true)"
	}
	t.Fatalf("%s is required for this test%s: %v", what, ci, err)
}
