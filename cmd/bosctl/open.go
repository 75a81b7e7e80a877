package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"golang.org/x/term"

	"bosmessenger/session"
)

// config builds the session config for the selected data dir, logging into DIR/log/bosctl.log.
func (a *args) config() (session.Config, func(), error) {
	dir := a.str("data")
	if dir == "" {
		var err error
		if dir, err = session.DefaultDataDir(); err != nil {
			return session.Config{}, nil, err
		}
	}
	cfg := session.Config{DataDir: dir, DeviceName: "BOS Messenger (bosctl)", Log: zerolog.Nop()}
	closeLog := func() {}
	if err := os.MkdirAll(filepath.Join(dir, "log"), 0o700); err == nil {
		f, err := os.OpenFile(filepath.Join(dir, "log", "bosctl.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err == nil {
			lf := &logFile{f: f}
			cfg.Log = zerolog.New(lf).With().Timestamp().Int("pid", os.Getpid()).Logger().Level(zerolog.InfoLevel)
			closeLog = lf.close
		}
	}
	cfg, _, err := session.LoadPolicyConfig(cfg) // the admin's policy (BOS mode)
	if err != nil {
		closeLog()
		return session.Config{}, nil, err
	}
	return cfg, closeLog, nil
}

// logFile is the log file; once closed (logout closes it before wiping the data dir) later log
// lines are dropped instead of zerolog reporting the failed write on stderr.
type logFile struct {
	mu sync.Mutex
	f  *os.File
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

// withSession opens the account of the data dir for the command.
func withSession(ctx context.Context, a *args, fn func(s *session.Session) error) error {
	cfg, closeLog, err := a.config()
	if err != nil {
		return err
	}
	defer closeLog()
	s, err := session.Open(ctx, cfg)
	if err != nil {
		if errors.Is(err, session.ErrNotLoggedIn) {
			return fmt.Errorf("%w (run bosctl login first)", err)
		}
		return err
	}
	defer s.Close()
	return fn(s)
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
