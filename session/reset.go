package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Reset deletes the account of a data dir without contacting its homeserver: exactly the files
// Inspect lists in DirState.Wipe (the store key with its OS keyring entry, the databases with
// SQLite's files beside them, our log files, the lock file), by name and only those that are ours.
// It is meant for a dir whose account is incomplete or lost; a working account is better logged out
// (Logout also deletes the device on the server).
//
// Entries under our names that are not ours (DirState.Foreign) stay, as everything else in the dir.
// confirmed is the Wipe list the user agreed to; when the dir holds something else by the time Reset
// has its lock, nothing is deleted. It fails with ErrDataDirInUse while another process uses the dir.
func Reset(cfg Config, confirmed []string) (DirState, error) {
	if cfg.DataDir == "" {
		return DirState{}, ErrNoDataDir
	}
	if _, err := os.Stat(cfg.DataDir); errors.Is(err, fs.ErrNotExist) {
		return DirState{Dir: cfg.DataDir, Status: DirEmpty}, nil // nothing to delete, nothing to create
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return DirState{}, err
	}
	defer lock.Unlock()
	st, err := Inspect(cfg.DataDir)
	if err != nil {
		return st, err
	}
	// The lock file is ours now in any case (we hold it), so it does not count.
	isLock := func(name string) bool { return name == lockFileName }
	if !slices.Equal(slices.DeleteFunc(slices.Clone(st.Wipe), isLock), slices.DeleteFunc(slices.Clone(confirmed), isLock)) {
		return st, fmt.Errorf("the data dir %s changed since its files were listed; nothing deleted", cfg.DataDir)
	}
	if err := wipeDataDir(cfg.DataDir, cfg.keyOptions()); err != nil {
		// Foreign entries under our names stay by design (Foreign lists them); anything of ours left is an error.
		if after, ierr := Inspect(cfg.DataDir); ierr != nil || len(slices.DeleteFunc(after.Wipe, isLock)) > 0 {
			return st, fmt.Errorf("failed to reset data dir: %w", err)
		}
	}
	_ = lock.Unlock()
	_ = os.Remove(filepath.Join(cfg.DataDir, lockFileName))
	return st, nil
}
