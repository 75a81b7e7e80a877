package main

import (
	"regexp"
	"testing"
)

// TestVersionFlag: --version prints one line with version, commit, build time and platform (the
// values make package injects; a test build has the fallbacks), and needs no data dir.
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	r := mustOK(t, bosctl(t, runOpts{}, "--version"))
	if !regexp.MustCompile(`^bosctl \S+ \(commit \S+, built \S+, linux/amd64\)\n$`).MatchString(r.stdout) {
		t.Fatalf("--version printed %q", r.stdout)
	}
	// With a command, --version is that command's (unknown) flag: a usage error, not the version.
	if r := bosctl(t, runOpts{}, "--data", t.TempDir(), "rooms", "--version"); r.code != exitUsage {
		t.Fatalf("rooms --version: %v", r)
	}
}
