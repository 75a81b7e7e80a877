package testcache

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// GoTool returns the path of the binary name that `go install module@version` builds, installed
// into Root()/name-version once (under a file lock, so parallel test binaries install it once).
// scripts/deps.sh installs the same path ahead, so CI does not wait for the build in a test.
func GoTool(ctx context.Context, name, module, version string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, name+"-"+version)
	bin := filepath.Join(dir, filepath.Base(strings.TrimSuffix(module, "/")))
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	unlock, err := Lock(dir + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("failed to find go to install %s: %w", name, err)
	}
	cmd := exec.CommandContext(ctx, goBin, "install", module+"@"+version)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		if len(out) > 4000 {
			out = out[len(out)-4000:]
		}
		return "", fmt.Errorf("failed to go install %s@%s: %w\n%s", module, version, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("failed to find %s after go install: %w", bin, err)
	}
	return bin, nil
}
