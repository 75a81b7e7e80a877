package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"bosmessenger/session"
)

// secretInput reads a secret from the environment variable, else the first line of stdin.
func secretInput(a *args, env, what string) (string, error) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		return v, nil
	}
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("failed to read the %s from stdin: %w", what, err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no %s: set %s or pass it on stdin", what, env)
	}
	return line, nil
}

func cmdBackup(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	switch pos[0] {
	case "create":
		passphrase, err := secretInput(a, "BOSCTL_BACKUP_PASSPHRASE", "backup passphrase")
		if err != nil {
			return err
		}
		return withSession(ctx, a, func(s *session.Session) error {
			recoveryKey, err := s.CreateKeyBackup(ctx, passphrase)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, recoveryKey)
			return nil
		})
	case "restore":
		secret, err := secretInput(a, "BOSCTL_RECOVERY_KEY", "recovery key or backup passphrase")
		if err != nil {
			return err
		}
		return withSession(ctx, a, func(s *session.Session) error {
			if _, err := s.SyncOnce(ctx, 0); err != nil {
				return err
			}
			if err := s.RestoreKeyBackup(ctx, secret); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, "Key backup restored")
			return nil
		})
	}
	return usageError{"usage: bosctl " + commands["backup"].usage}
}
