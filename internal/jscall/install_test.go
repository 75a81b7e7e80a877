package jscall_test

import (
	"os"
	"path/filepath"
	"testing"

	"bosmessenger/internal/jscall"
)

// TestInstall installs the npm dependencies, bundles the page and finds Chromium (also run by
// scripts/deps.sh).
func TestInstall(t *testing.T) {
	inst := jscall.Install(t)
	for _, f := range []string{"driver.mjs", "index.html", "bundle.js", "pkg/matrix_sdk_crypto_wasm_bg.wasm"} {
		if _, err := os.Stat(filepath.Join(inst.WebDir, f)); err != nil {
			t.Errorf("web dir: %v", err)
		}
	}
}
