package testserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"bosmessenger/internal/testcache"
)

// DendriteVersion is the Dendrite release the harness runs.
const DendriteVersion = "v0.13.8"

// installTimeout bounds scripts/install-dendrite.sh (a cold build takes about 5 minutes on 2 cores).
const installTimeout = 20 * time.Minute

var binaries = []string{"dendrite", "generate-config", "generate-keys", "create-account"}

var binDirOnce struct {
	sync.Mutex
	dir string
}

// BinDir returns the directory holding the Dendrite binaries (dendrite,
// generate-config, generate-keys, create-account). When they are missing it
// installs them with scripts/install-dendrite.sh, found by walking up from the
// working directory to the directory holding go.mod. If the binaries cannot be
// provided the test fails (t.Fatal), with or without CI=true: it never skips.
func BinDir(t testing.TB) string {
	t.Helper()
	dir, err := EnsureBinDir(context.Background())
	testcache.Require(t, "testserver: dendrite "+DendriteVersion, err)
	return dir
}

// EnsureBinDir is BinDir without testing.TB, for tools such as benchmark seeders.
func EnsureBinDir(ctx context.Context) (string, error) {
	binDirOnce.Lock()
	defer binDirOnce.Unlock()
	if binDirOnce.dir != "" {
		return binDirOnce.dir, nil
	}
	dir, err := binCacheDir()
	if err != nil {
		return "", err
	}
	if missingBinary(dir) != "" {
		if err := install(ctx, dir); err != nil {
			return "", err
		}
		if m := missingBinary(dir); m != "" {
			return "", fmt.Errorf("failed to install dendrite: %s still missing in %s", m, dir)
		}
	}
	binDirOnce.dir = dir
	return dir, nil
}

// binCacheDir mirrors the cache location used by scripts/install-dendrite.sh.
func binCacheDir() (string, error) {
	root, err := testcache.Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "dendrite-"+DendriteVersion, "bin"), nil
}

// missingBinary returns the first binary not present (and executable) in dir, or "".
func missingBinary(dir string) string {
	for _, b := range binaries {
		fi, err := os.Stat(filepath.Join(dir, b))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return b
		}
	}
	return ""
}

// install runs scripts/install-dendrite.sh, holding a lock so that test
// binaries of several packages running in parallel install only once.
func install(ctx context.Context, dir string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	script := filepath.Join(root, "scripts", "install-dendrite.sh")
	if _, err := os.Stat(script); err != nil {
		return fmt.Errorf("failed to find the install script: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("failed to create the cache dir: %w", err)
	}
	unlock, err := testcache.Lock(filepath.Join(filepath.Dir(dir), "install.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if missingBinary(dir) == "" { // another process installed them while we waited
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("failed to run %s: %w\n%s", script, err, tail(string(out), 4000))
	}
	return nil
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("failed to get the working dir: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("failed to look for go.mod: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("failed to find go.mod above the working dir")
		}
		dir = parent
	}
}
