package main

import (
	"os"
	"regexp"
	"testing"
)

// TestVersionFlag: bosmessenger --version prints its build and exits before any window or display.
func TestVersionFlag(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()} // no DISPLAY
	out := run(t, env, appBin, "--version")
	if !regexp.MustCompile(`^bosmessenger \S+ \(commit \S+, built \S+, linux/amd64\)\n$`).MatchString(out) {
		t.Fatalf("--version printed %q", out)
	}
}
