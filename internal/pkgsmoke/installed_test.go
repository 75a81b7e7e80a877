//go:build pkgsmoke

package pkgsmoke

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
)

// Environment of the smoke test:
//
//	BOS_SMOKE_BOSCTL   the installed program (required), e.g. /usr/bin/bosctl
//	BOS_SMOKE_RUNNER   a program to run it with, e.g. wine (optional)
//	BOS_SMOKE_VERSION  the version --version must print (optional)
//
// Under wine, paths handed to the program are written as Z:\... (wine's drive for /).
func TestInstalledBosctl(t *testing.T) {
	bin := os.Getenv("BOS_SMOKE_BOSCTL")
	if bin == "" {
		t.Fatal("BOS_SMOKE_BOSCTL is not set (scripts/smoke-package.sh sets it)")
	}
	runner := os.Getenv("BOS_SMOKE_RUNNER")
	wine := filepath.Base(runner) == "wine" || filepath.Base(runner) == "wine64"
	hostPath := func(p string) string {
		if wine {
			return `Z:` + strings.ReplaceAll(p, "/", `\`)
		}
		return p
	}
	run := func(stdin string, args ...string) (string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		argv := append([]string{bin}, args...)
		if runner != "" {
			argv = append([]string{runner}, argv...)
		}
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "BOSMESSENGER_PASSPHRASE=smoke test store passphrase", "WINEDEBUG=-all")
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		err := cmd.Run()
		t.Logf("bosctl %s: %.1fs", command(args), time.Since(start).Seconds())
		if err != nil {
			t.Fatalf("bosctl %q: %v\nstdout: %s\nstderr: %s", args, err, out.String(), errb.String())
		}
		return strings.ReplaceAll(out.String(), "\r\n", "\n"), nil
	}

	out, _ := run("", "--version")
	want := "bosctl "
	if v := os.Getenv("BOS_SMOKE_VERSION"); v != "" {
		want += v + " (commit "
	}
	if !strings.HasPrefix(out, want) {
		t.Fatalf("--version = %q, want prefix %q", out, want)
	}

	srv := testserver.Start(t, testserver.Options{})
	user := "smoke"
	srv.Register(t, user, "smoke-password-2026")
	dir := hostPath(t.TempDir())

	out, _ = run("smoke-password-2026\n", "--data", dir, "login", "--homeserver", srv.URL, "--user", user)
	if !strings.HasPrefix(out, "Logged in as "+srv.UserID(user)) {
		t.Fatalf("login said %q", out)
	}
	out, _ = run("", "--data", dir, "create-room", "--name", "Smoke test")
	roomID := strings.TrimSpace(out)
	if !regexp.MustCompile(`^![^\s:]+:\S+$`).MatchString(roomID) {
		t.Fatalf("create-room said %q", out)
	}
	out, _ = run("", "--data", dir, "send", roomID, "Lage: Übung beendet")
	if !regexp.MustCompile(`^\$\S+\n$`).MatchString(out) {
		t.Fatalf("send said %q", out)
	}
	out, _ = run("", "--data", dir, "history", roomID, "--json")
	if !strings.Contains(out, `"Lage: Übung beendet"`) {
		t.Fatalf("history lacks the message: %s", out)
	}
}

// command is the bosctl command in args (after --data DIR), for the log.
func command(args []string) string {
	for i := 0; i < len(args); i++ {
		if args[i] == "--data" {
			i++
			continue
		}
		return args[i]
	}
	return ""
}
