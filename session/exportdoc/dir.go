package exportdoc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrDirNotEmpty: the output directory holds files and --force was not given.
var ErrDirNotEmpty = errors.New("output directory is not empty (use --force to write into it)")

// PrepareDir makes dir (mode 0700) or checks an existing one: it must be a directory (not a
// symlink) and, unless force, empty.
func PrepareDir(dir string, force bool) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("failed to create %s: %w", dir, err)
		}
		return os.Chmod(dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("failed to check %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("failed to use %s: not a directory", dir)
	}
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", dir, err)
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err == nil && !force {
		return fmt.Errorf("%w: %s", ErrDirNotEmpty, dir)
	} else if err != nil && err != io.EOF {
		return fmt.Errorf("failed to read %s: %w", dir, err)
	}
	return nil
}

// WriteFile writes data to dir/name with mode 0600 through a temporary file and a rename, so an
// existing name (even a symlink) is replaced, never written through.
func WriteFile(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".export-*")
	if err != nil {
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	return nil
}
