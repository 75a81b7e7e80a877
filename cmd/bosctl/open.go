package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"golang.org/x/term"

	"bosmessenger/session"
)

// config builds the session config for the selected data dir, logging into DIR/log/bosctl.log.
func (a *args) config() (session.Config, func(), error) {
	cfg, lf, err := a.configLog()
	if err != nil {
		return cfg, nil, err
	}
	return cfg, lf.close, nil
}

// dataDir is the --data dir, else the default one; --data "" is an error, never the default.
func (a *args) dataDir() (string, error) {
	if v, given := a.flags["data"]; given {
		if v[len(v)-1] == "" {
			return "", usageError{"--data wants a directory, not an empty string"}
		}
		return v[len(v)-1], nil
	}
	return session.DefaultDataDir()
}

// configLog is config with the log file itself (discard deletes it again when this run created it).
func (a *args) configLog() (session.Config, *logFile, error) {
	dir, err := a.dataDir()
	if err != nil {
		return session.Config{}, nil, err
	}
	cfg := session.Config{DataDir: dir, DeviceName: "BOS Messenger (bosctl)", Log: zerolog.Nop()}
	lf := &logFile{}
	if f, err := session.OpenLogFile(dir, session.LogFileBosctl); err == nil {
		lf.f = f
		cfg.Log = zerolog.New(lf).With().Timestamp().Int("pid", os.Getpid()).Logger().Level(zerolog.InfoLevel)
	}
	cfg, _, err = session.LoadPolicyConfig(cfg) // the admin's policy (BOS mode)
	if err != nil {
		lf.discard() // nothing ran: leave no log this run made
		return session.Config{}, nil, err
	}
	return cfg, lf, nil
}

// logFile is the log file; once closed (logout closes it before wiping the data dir) later log
// lines are dropped instead of zerolog reporting the failed write on stderr.
type logFile struct {
	mu sync.Mutex
	f  *session.LogFile
}

func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return len(p), nil
	}
	return l.f.Write(p)
}

func (l *logFile) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// discard closes the log file and deletes it (with the dirs) when this run created it.
func (l *logFile) discard() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Discard()
		l.f = nil
	}
}

// withSession opens the account of the data dir for the command.
func withSession(ctx context.Context, a *args, fn func(s *session.Session) error) error {
	cfg, closeLog, err := a.config()
	if err != nil {
		return err
	}
	defer closeLog()
	s, err := session.Open(ctx, cfg)
	if err != nil {
		return explainOpenError(a, err)
	}
	defer s.Close()
	return fn(s)
}

// explainOpenError adds the bosctl command that helps to an error of opening the data dir.
func explainOpenError(a *args, err error) error {
	switch {
	case errors.Is(err, session.ErrNotLoggedIn):
		return fmt.Errorf("%w (run bosctl login first)", err)
	case errors.Is(err, session.ErrIncompleteDataDir):
		return fmt.Errorf("%w; to start over run: %s", err, resetCommand(a))
	}
	return err
}

// resetCommand is the bosctl command line that resets the selected data dir.
func resetCommand(a *args) string {
	if v, given := a.flags["data"]; given {
		return "bosctl --data " + shellQuote(v[len(v)-1]) + " reset"
	}
	return "bosctl reset"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readPassword takes the password from BOSCTL_PASSWORD, else from stdin (a prompt on a terminal).
func readPassword(a *args) (string, error) {
	if p, ok := os.LookupEnv("BOSCTL_PASSWORD"); ok {
		return p, nil
	}
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, "Password: ")
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		return string(p), err
	}
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("failed to read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: set BOSCTL_PASSWORD or pass it on stdin")
	}
	return line, nil
}
