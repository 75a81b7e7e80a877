package version

import (
	"strings"
	"testing"
)

func TestGetUsesLinkerValues(t *testing.T) {
	old := [3]string{Version, Commit, Date}
	t.Cleanup(func() { Version, Commit, Date = old[0], old[1], old[2] })
	Version, Commit, Date = "1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-12-01T10:00:00Z"
	in := Get()
	if in.Version != "1.2.3" || in.Commit != Commit || in.Date != Date {
		t.Fatalf("Get() = %+v", in)
	}
	s := in.String("bosctl")
	if !strings.HasPrefix(s, "bosctl 1.2.3 (commit 0123456789abcdef0123456789abcdef01234567, built 2026-12-01T10:00:00Z, ") {
		t.Fatalf("String = %q", s)
	}
	if got := in.ShortCommit(); got != "0123456789ab" {
		t.Fatalf("ShortCommit = %q", got)
	}
	if got := (Info{Commit: "0123456789abcdef-dirty"}).ShortCommit(); got != "0123456789ab-dirty" {
		t.Fatalf("ShortCommit dirty = %q", got)
	}
}

func TestGetWithoutLinkerValues(t *testing.T) {
	old := [3]string{Version, Commit, Date}
	t.Cleanup(func() { Version, Commit, Date = old[0], old[1], old[2] })
	Version, Commit, Date = "", "", ""
	in := Get()
	if in.Version != "dev" || in.Commit == "" || in.Date == "" {
		t.Fatalf("Get() = %+v", in)
	}
}
