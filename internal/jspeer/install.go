package jspeer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"bosmessenger/internal/nodeproc"
	"bosmessenger/internal/testcache"
)

// installTimeout bounds `npm ci` (about 7 s with a warm npm cache).
const installTimeout = 10 * time.Minute

var installed struct {
	sync.Mutex
	dir string
}

// Install makes sure the pinned npm dependencies are installed and returns
// the cache dir holding node_modules and the peer script. A failure is fatal
// (t.Fatal), with or without CI=true: it never skips.
func Install(t testing.TB) string {
	t.Helper()
	dir, err := InstallE(context.Background())
	testcache.Require(t, "jspeer: matrix-js-sdk", err)
	return dir
}

// InstallE is Install without testing.TB. It runs `npm ci` from the embedded
// package-lock.json into the cache dir jspeer-<lock hash> once, holding a
// file lock so that parallel test binaries install only once, and writes the
// peer script next to node_modules.
func InstallE(ctx context.Context) (dir string, err error) {
	installed.Lock()
	defer installed.Unlock()
	if installed.dir != "" {
		return installed.dir, nil
	}
	root, err := testcache.Root()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(root, "jspeer-"+nodeproc.ShortHash(asset("package-lock.json")))
	if err := npmInstall(ctx, dir); err != nil {
		return "", err
	}
	if _, err := writeScript(dir); err != nil {
		return "", err
	}
	installed.dir = dir
	return dir, nil
}

// npmInstall runs `npm ci` of the embedded lock file in dir once (testcache.NpmCI: under a
// lock shared by all processes, nothing when a complete install is there). An install whose
// matrix-js-sdk is gone counts as incomplete.
func npmInstall(ctx context.Context, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "matrix-js-sdk", "package.json")); err != nil {
		_ = os.Remove(filepath.Join(dir, "node_modules", testcache.NpmMarker))
	}
	ctx, cancel := context.WithTimeout(ctx, installTimeout)
	defer cancel()
	return testcache.NpmCI(ctx, dir, asset("package.json"), asset("package-lock.json"))
}

// writeScript writes the ES modules into dir/js-<hash>/ (atomically, once) and
// returns the entry script's path. The modules sit below dir so that their
// imports resolve from dir/node_modules.
func writeScript(dir string) (string, error) {
	target := filepath.Join(dir, "js-"+scriptsHash())
	entry := filepath.Join(target, entryScript)
	if _, err := os.Stat(entry); err == nil {
		return entry, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("failed to look for the peer script: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".js-*.tmp")
	if err != nil {
		return "", fmt.Errorf("failed to write the peer scripts: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	for _, name := range scripts() {
		if err := os.WriteFile(filepath.Join(tmp, name), asset(name), 0o644); err != nil {
			return "", fmt.Errorf("failed to write %s: %w", name, err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("failed to write the peer scripts: %w", err)
	}
	if err := os.Rename(tmp, target); err != nil {
		if _, serr := os.Stat(entry); serr == nil { // another process was faster
			return entry, nil
		}
		return "", fmt.Errorf("failed to install the peer scripts: %w", err)
	}
	return entry, nil
}

// tailString returns the last n bytes of s.
func tailString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
