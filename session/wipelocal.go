package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// wipeLogoutTimeout bounds WipeLocal's best-effort sign-out on the server.
const wipeLogoutTimeout = 5 * time.Second

// WipeLocal deletes the account's local data at once, without asking the server first: the app
// lock's wipe after too many wrong attempts must work offline. The session closes and the data
// dir is wiped as Logout, Reset and a remote wipe do (wipeDataDir: stores, key file, logs; the
// lock file is released and removed). Only then, best effort and bounded by ctx and
// wipeLogoutTimeout, is the device signed out on the server; its failure is logged and not
// returned (the server's copy of the device stays until an admin or another device removes it).
func (s *Session) WipeLocal(ctx context.Context) error {
	opts := s.cfg.keyOptions()
	var err error
	wiped := false
	s.closeOne.Do(func() {
		wiped = true
		s.detachPolicy()
		s.bus.close()
		thumbCaches.Delete(s)
		err = errors.Join(s.closeCrypto(), s.db.Close(), wipeDataDir(s.dir, opts))
		_ = s.lock.Unlock()
		_ = os.Remove(filepath.Join(s.dir, lockFileName))
	})
	if !wiped {
		return fmt.Errorf("failed to wipe local data: %w", ErrSessionClosed)
	}
	if err != nil {
		return fmt.Errorf("failed to wipe local data: %w", err)
	}
	s.log.Warn().Str("device_id", s.account.DeviceID.String()).Msg("Local data wiped")
	lctx, cancel := context.WithTimeout(ctx, wipeLogoutTimeout)
	defer cancel()
	if _, lerr := s.cli.Logout(lctx); lerr != nil {
		s.log.Warn().Err(lerr).Msg("Signing out on the server after the local wipe failed")
	}
	return nil
}
