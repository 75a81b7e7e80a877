// Package version holds the build's version, commit and build time. Release builds (make package)
// set them with -ldflags "-X bosmessenger/internal/version.Version=..." from FyneApp.toml and git;
// the build time is the commit time, so two builds of one commit are byte for byte the same. A plain
// `go build` falls back to the VCS stamp Go embeds. It imports no GUI code: bosctl uses it too.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by the linker (-X). Empty in plain builds.
var (
	Version string // e.g. 0.1.0, from FyneApp.toml
	Commit  string // full git commit hash, "-dirty" appended when the tree had changes
	Date    string // commit time, RFC 3339 UTC
)

// Info is what a build knows about itself.
type Info struct {
	Version string
	Commit  string
	Date    string
}

// Get returns the linker-set values, filling gaps from the Go build info (vcs.revision, vcs.time).
func Get() Info {
	in := Info{Version: Version, Commit: Commit, Date: Date}
	if bi, ok := debug.ReadBuildInfo(); ok && (in.Commit == "" || in.Date == "") {
		modified := false
		rev, t := "", ""
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				t = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if in.Commit == "" && rev != "" {
			in.Commit = rev
			if modified {
				in.Commit += "-dirty"
			}
		}
		if in.Date == "" {
			in.Date = t
		}
	}
	if in.Version == "" {
		in.Version = "dev"
	}
	if in.Commit == "" {
		in.Commit = "unknown"
	}
	if in.Date == "" {
		in.Date = "unknown"
	}
	return in
}

// ShortCommit is the commit's first 12 characters (and a -dirty mark).
func (i Info) ShortCommit() string {
	c := i.Commit
	dirty := ""
	if len(c) > 6 && c[len(c)-6:] == "-dirty" {
		c, dirty = c[:len(c)-6], "-dirty"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	return c + dirty
}

// String is the --version line: "NAME VERSION (commit C, built D, GOOS/GOARCH)".
func (i Info) String(name string) string {
	return fmt.Sprintf("%s %s (commit %s, built %s, %s/%s)", name, i.Version, i.Commit, i.Date, runtime.GOOS, runtime.GOARCH)
}
