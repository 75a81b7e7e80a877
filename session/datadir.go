package session

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/gofrs/flock"
)

// Files inside an account's data dir.
const (
	dbFileName     = "bos.db"
	cryptoFileName = "crypto.db" // crypto.FileName
	lockFileName   = "lock"
	logDirName     = "log"
)

// DefaultDataDir is the per-OS user data dir of the default account.
func DefaultDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "BOSMessenger"), nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("failed to find home dir: %w", err)
		}
		return filepath.Join(home, "Library", "Application Support", "BOSMessenger"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "bosmessenger"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("failed to find home dir: %w", err)
	}
	return filepath.Join(home, ".local", "share", "bosmessenger"), nil
}

// lockDataDir takes the exclusive lock of a data dir (creating the dir) for this process.
func lockDataDir(dir string) (*flock.Flock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create data dir: %w", err)
	}
	lock := flock.New(filepath.Join(dir, lockFileName))
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("failed to lock data dir %s: %w", dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrDataDirInUse, dir)
	}
	return lock, nil
}

// wipeDataDir removes the files an account writes into its data dir (never anything else,
// in case the dir is shared), except the lock we hold.
func wipeDataDir(dir string) error {
	var names []string
	for _, db := range []string{dbFileName, cryptoFileName} {
		names = append(names, db, db+"-wal", db+"-shm", db+"-journal")
	}
	for _, name := range append(names, logDirName, "storekey.json") {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("failed to wipe %s: %w", name, err)
		}
	}
	return nil
}
