package testcache

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// NpmMarker is written into node_modules after a complete NpmCI; it holds the lock file.
const NpmMarker = ".bos-npm-installed"

// NpmInstalled reports whether dir holds a complete `npm ci` of lock (package-lock.json).
func NpmInstalled(dir string, lock []byte) bool {
	marker, err := os.ReadFile(filepath.Join(dir, "node_modules", NpmMarker))
	return err == nil && bytes.Equal(marker, lock)
}

// NpmCI writes pkg (package.json) and lock into dir and runs `npm ci --ignore-scripts` there,
// once: it holds the file lock dir+".lock", so parallel test binaries install only once, and
// returns early when a complete install of the same lock is already there.
func NpmCI(ctx context.Context, dir string, pkg, lock []byte) error {
	if NpmInstalled(dir, lock) {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("failed to find npm: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("failed to create the cache dir: %w", err)
	}
	unlock, err := Lock(dir + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if NpmInstalled(dir, lock) { // another process installed it while we waited
		return nil
	}
	for name, data := range map[string][]byte{"package.json": pkg, "package-lock.json": lock} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("failed to write %s: %w", name, err)
		}
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		if len(out) > 4000 {
			out = out[len(out)-4000:]
		}
		return fmt.Errorf("failed to run npm ci in %s: %w\n%s", dir, err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "node_modules", NpmMarker), lock, 0o644); err != nil {
		return fmt.Errorf("failed to write the install marker: %w", err)
	}
	return nil
}
