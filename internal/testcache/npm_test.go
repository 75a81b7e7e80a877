package testcache

import (
	"os"
	"path/filepath"
	"testing"
)

// An install counts only with a marker holding the same lock file.
func TestNpmInstalled(t *testing.T) {
	dir := t.TempDir()
	lock := []byte(`{"lockfileVersion": 3}`)
	if NpmInstalled(dir, lock) {
		t.Fatal("an empty dir counts as installed")
	}
	if err := os.MkdirAll(filepath.Join(dir, "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node_modules", NpmMarker), []byte("older lock"), 0o644); err != nil {
		t.Fatal(err)
	}
	if NpmInstalled(dir, lock) {
		t.Fatal("an install of another lock counts as installed")
	}
	if err := os.WriteFile(filepath.Join(dir, "node_modules", NpmMarker), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	if !NpmInstalled(dir, lock) {
		t.Fatal("a complete install does not count")
	}
}
