package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rs/zerolog"
	"golang.org/x/term"

	"bosmessenger/session"
)

func init() {
	commands["reset"] = command{"reset [--yes]  (deletes the data dir's account files, listed first, without contacting the server)", cmdReset}
}

// cmdReset deletes the account files of a data dir (for an incomplete or lost account): it lists
// exactly what it will delete and deletes only with --yes or a "yes" typed on a terminal.
func cmdReset(_ context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	dir, err := a.dataDir()
	if err != nil {
		return err
	}
	st, err := session.Inspect(dir)
	if err != nil {
		return err
	}
	var files []string
	for _, name := range st.Wipe {
		if strings.HasSuffix(name, "/") {
			files = append(files, filepath.Join(dir, name)+string(filepath.Separator)+" (the dir, when empty)")
		} else {
			files = append(files, filepath.Join(dir, filepath.FromSlash(name)))
		}
	}
	if st.Keyring != "" {
		files = append(files, "OS keyring entry "+st.Keyring)
	}
	if len(files) == 0 {
		fmt.Fprintf(a.stdout, "Nothing to delete in %s\n", dir)
		return nil
	}
	var notes []string
	for _, name := range st.Foreign {
		notes = append(notes, fmt.Sprintf("left in place (not BOS Messenger's): %s", filepath.Join(dir, name)))
	}
	if st.Status == session.DirLoggedIn {
		notes = append(notes, "the account is complete: its device stays on the server (bosctl logout deletes it there too)")
	}
	if !a.bool("yes") {
		f, ok := a.stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return fmt.Errorf("refusing to reset without --yes (no terminal to ask); nothing deleted; reset would delete: %s%s",
				strings.Join(files, ", "), strings.Join(append([]string{""}, notes...), "; "))
		}
		printResetList(a, dir, st, files, notes)
		fmt.Fprint(a.stderr, "Delete these files? Type yes: ")
		line, _ := bufio.NewReader(f).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			return errors.New("reset cancelled; nothing deleted")
		}
	}
	if _, err := session.Reset(session.Config{DataDir: dir, Log: zerolog.Nop()}, st.Wipe); err != nil {
		return err
	}
	if a.bool("yes") { // listed after the fact, so a failed reset prints nothing on stdout
		printResetList(a, dir, st, files, notes)
	}
	fmt.Fprintf(a.stdout, "Reset %s; it takes a new login\n", dir)
	return nil
}

func printResetList(a *args, dir string, st session.DirState, files, notes []string) {
	verb := "Reset deletes"
	if a.bool("yes") {
		verb = "Deleted"
	}
	fmt.Fprintf(a.stdout, "Data dir %s (%s). %s:\n", dir, strings.ReplaceAll(string(st.Status), "_", " "), verb)
	for _, f := range files {
		fmt.Fprintln(a.stdout, "  "+f)
	}
	for _, n := range notes {
		fmt.Fprintln(a.stdout, "Note: "+n)
	}
}
