// Command bosctl is the headless BOS Messenger client, a stable interface for scripts, dispatch
// systems and tests. Each --data dir is one account; exit status 0 means success, anything else
// comes with a one-line error on stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"bosmessenger/internal/termsafe"
	"bosmessenger/internal/version"
)

type command struct {
	usage string
	run   func(ctx context.Context, a *args) error
}

// commands maps a command name to its usage and implementation. Files that add commands register
// them in their own init functions (commands["name"] = command{...}), so this table stays short.
var commands = map[string]command{}

func init() {
	for name, c := range map[string]command{
		"login":       {"login --homeserver URL_OR_SERVER_NAME --user USER [--sync]  (password from BOSCTL_PASSWORD or stdin; --sync: then sync --once)", cmdLogin},
		"whoami":      {"whoami [--json]", cmdWhoami},
		"logout":      {"logout", cmdLogout},
		"rooms":       {"rooms [--json]", cmdRooms},
		"sync":        {"sync [--once [--quick]]  (--once: one sync, the first one back-fills the timelines; --quick returns when the room list is complete)", cmdSync},
		"create-room": {"create-room --name NAME [--topic T] [--encrypted|--plain] [--invite @user:server]...  (encrypted unless --plain)", cmdCreateRoom},
		"dm":          {"dm @user:server [--plain]", cmdDM},
		"invite":      {"invite ROOM_ID @user:server", cmdInvite},
		"join":        {"join ROOM_ID_OR_ALIAS", cmdJoin},
		"leave":       {"leave ROOM_ID", cmdLeave},
		"send":        {"send ROOM_ID TEXT [--thread ROOT] [--timeout DURATION]  (default 10s; then exit 3: queued, the next sync sends it)", cmdSend},
		"send-file":   {"send-file ROOM_ID PATH [--type MIME] [--timeout DURATION] [--keep-metadata]  (a regular file up to 100 MB, streamed; encrypted in encrypted rooms; image metadata (GPS) removed unless --keep-metadata)", cmdSendFile},
		"download":    {"download EVENT_ID --out FILE [--force]  (the attachment of a stored event, decrypted; --force replaces FILE)", cmdDownload},
		"tail":        {"tail ROOM_ID [--json] [--count N] [--timeout DURATION]", cmdTail},
		"history":     {"history ROOM_ID [--json] [--limit N] [--thread ROOT]", cmdHistory},
		"members":     {"members ROOM_ID [--json]", cmdMembers},
		"backup":      {"backup create|restore  (passphrase from BOSCTL_BACKUP_PASSPHRASE, recovery key from BOSCTL_RECOVERY_KEY, else stdin)", cmdBackup},
		"devices":     {"devices [@user:server] [--json]", cmdDevices},
		"verify":      {"verify @user:server [--device ID] [--yes] [--timeout DURATION] | verify --incoming [--yes] [--timeout DURATION]", cmdVerify},
		"trust":       {"trust [@user:server] [--acknowledge] [--json]  (identity: verified, unverified, no_cross_signing or identity_changed)", cmdTrust},
	} {
		commands[name] = c
	}
}

// exitUsage is the exit status for wrong arguments.
const exitUsage = 2

// exitCoder is an error that brings its own exit status (exitQueued).
type exitCoder interface{ ExitCode() int }

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Remote text (messages, names, server errors) must not steer the terminal: every output
	// passes a filter that escapes control and bidi characters. JSON passes unchanged.
	safeOut, safeErr := termsafe.NewWriter(stdout), termsafe.NewWriter(stderr)
	defer safeErr.Flush()
	defer safeOut.Flush()
	stdout, stderr = safeOut, safeErr
	a, err := parseArgs(argv)
	if err == nil && a.cmd == "" && a.bool("version") {
		fmt.Fprintln(stdout, version.Get().String("bosctl"))
		return 0
	}
	if err == nil && (a.cmd == "" || a.cmd == "help" || a.bool("help")) {
		printUsage(stdout)
		return 0
	}
	var cmd command
	if err == nil {
		var ok bool
		if cmd, ok = commands[a.cmd]; !ok {
			err = usageError{fmt.Sprintf("unknown command %q (see bosctl help)", a.cmd)}
		}
	}
	if err == nil {
		a.stdin, a.stdout, a.stderr = stdin, stdout, stderr
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err = a.unknownFlag(cmd.usage); err == nil {
			err = cmd.run(ctx, a)
		}
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "bosctl: "+oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: bosctl [--data DIR] COMMAND [ARGS]   (bosctl --version: version, commit, build time)")
	fmt.Fprintln(w, "\nThe data dir holds one account (default: the per-OS user data dir). The store is unlocked")
	fmt.Fprintln(w, "with BOSMESSENGER_PASSPHRASE or, where there is none, the OS keyring.")
	fmt.Fprintln(w, "\nExit status: 0 success, 1 error, 2 wrong arguments, 3 message queued but not yet sent (send,")
	fmt.Fprintln(w, "send-file, queue retry: the next bosctl sync sends it); errors come as one line on stderr.")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(w, "  bosctl "+commands[n].usage)
	}
}
