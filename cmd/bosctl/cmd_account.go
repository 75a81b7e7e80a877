package main

import (
	"context"
	"errors"
	"fmt"

	"bosmessenger/session"
)

func cmdLogin(ctx context.Context, a *args) error {
	hs, user := a.str("homeserver"), a.str("user")
	if user == "" {
		return usageError{"usage: bosctl " + commands["login"].usage}
	}
	if _, err := a.positional(0); err != nil {
		return err
	}
	password, err := readPassword(a)
	if err != nil {
		return err
	}
	cfg, lf, err := a.configLog()
	if err != nil {
		return err
	}
	if e, ok := cfg.Policy.(*session.Enforcer); ok && hs == "" {
		hs, _ = e.Policy().Homeserver() // the admin's pre-filled (or locked) homeserver
	}
	s, err := session.Login(ctx, cfg, hs, user, password)
	if err != nil {
		lf.discard() // a failed login leaves the data dir as it was: our log goes too, if this run made it
		if errors.Is(err, session.ErrIncompleteDataDir) {
			return fmt.Errorf("%w; to start over run: %s", err, resetCommand(a))
		}
		return err
	}
	defer lf.close()
	defer s.Close()
	acc := s.Account()
	fmt.Fprintf(a.stdout, "Logged in as %s (device %s) on %s\n", acc.UserID, acc.DeviceID, acc.Homeserver)
	if a.bool("sync") {
		// The initial sync in the same process (as sync --once: returns when the room list is
		// complete), without a second process start and store unlock.
		st, err := s.SyncOnce(ctx, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "synced: %d rooms, %d events\n", st.Rooms, st.Events)
	}
	return nil
}

func cmdWhoami(ctx context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	asJSON := a.bool("json")
	return withSession(ctx, a, func(s *session.Session) error {
		acc := s.Account()
		if asJSON {
			return printJSON(a.stdout, map[string]any{"user_id": acc.UserID.String(),
				"device_id": acc.DeviceID.String(), "homeserver": acc.Homeserver, "device_verified": s.DeviceVerified()})
		}
		fmt.Fprintf(a.stdout, "%s %s %s\n", acc.UserID, acc.DeviceID, acc.Homeserver)
		return nil
	})
}

func cmdLogout(ctx context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	cfg, closeLog, err := a.config()
	if err != nil {
		return err
	}
	s, err := session.Open(ctx, cfg)
	if err != nil {
		closeLog()
		return explainOpenError(a, err)
	}
	closeLog() // the log dir is wiped with the rest
	if err := s.Logout(ctx); err != nil {
		s.Close()
		return err
	}
	fmt.Fprintln(a.stdout, "Logged out; local data deleted")
	return nil
}
