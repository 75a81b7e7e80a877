package storekey

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// keyFile is the JSON form of the key file, version 1.
type keyFile struct {
	Version  int         `json:"version"`
	Method   string      `json:"method"`
	Argon2id *argonJSON  `json:"argon2id,omitempty"`
	Wrapped  []byte      `json:"wrapped,omitempty"`
	Keyring  *keyringRef `json:"keyring,omitempty"`
	Check    []byte      `json:"check"`
}

type argonJSON struct {
	Salt []byte `json:"salt"`
	Params
}

type keyringRef struct {
	Service string `json:"service"`
	Account string `json:"account"`
}

// readKeyFile reads, parses and validates the key file at path.
func readKeyFile(path string) (*keyFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", path, ErrNoKey)
		}
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	f, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// parseKeyFile parses and validates a key file. Every failure wraps
// ErrCorruptKeyFile.
func parseKeyFile(data []byte) (*keyFile, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorruptKeyFile, maxFileSize)
	}
	// Read the version first, so that a future format gets a clear error.
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	if v.Version != fileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d (this program reads version %d)", ErrCorruptKeyFile, v.Version, fileVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrCorruptKeyFile)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	return &f, nil
}

func (f *keyFile) validate() error {
	if len(f.Check) != sha256.Size {
		return fmt.Errorf("check value is %d bytes, want %d", len(f.Check), sha256.Size)
	}
	switch f.Method {
	case MethodPassphrase:
		if f.Keyring != nil {
			return errors.New("passphrase method with a keyring reference")
		}
		if f.Argon2id == nil {
			return errors.New("passphrase method without argon2id parameters")
		}
		if n := len(f.Argon2id.Salt); n < 8 || n > 64 {
			return fmt.Errorf("argon2id salt of %d bytes", n)
		}
		if err := f.Argon2id.Params.validate(); err != nil {
			return err
		}
		if len(f.Wrapped) != wrappedSize {
			return fmt.Errorf("wrapped key is %d bytes, want %d", len(f.Wrapped), wrappedSize)
		}
	case MethodKeyring:
		if f.Argon2id != nil || f.Wrapped != nil {
			return errors.New("keyring method with passphrase fields")
		}
		if f.Keyring == nil {
			return errors.New("keyring method without a keyring reference")
		}
		if s, a := f.Keyring.Service, f.Keyring.Account; s == "" || a == "" || len(s) > 256 || len(a) > 256 {
			return errors.New("invalid keyring reference")
		}
	default:
		return fmt.Errorf("unknown method %q", f.Method)
	}
	return nil
}

// writeKeyFile writes f as dir's key file atomically: a temporary file in
// dir is written and fsynced, then moved into place, then dir is fsynced.
// Unless replace is set, an existing key file is never overwritten
// (ErrKeyExists), also when two processes race.
func writeKeyFile(dir string, f *keyFile, replace bool) (err error) {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	path := Path(dir)

	tmp, err := os.CreateTemp(dir, tempPattern) // mode 0600
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		if err != nil {
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return err
	}

	if replace {
		if err := os.Rename(tmpName, path); err != nil {
			return err
		}
	} else {
		// A hard link fails if the target exists: create-if-absent, even
		// against a concurrent Create.
		if lerr := os.Link(tmpName, path); lerr == nil {
			os.Remove(tmpName)
		} else if errors.Is(lerr, fs.ErrExist) {
			return ErrKeyExists
		} else {
			// The file system has no hard links: check, then rename.
			if _, serr := os.Lstat(path); serr == nil {
				return ErrKeyExists
			}
			if err := os.Rename(tmpName, path); err != nil {
				return err
			}
		}
	}
	return syncDir(dir)
}

// TempFiles lists temporary key files left in dir by an interrupted write
// (full paths); Destroy removes them.
func TempFiles(dir string) []string { return tempFiles(dir) }

// KeyringEntry names the OS keyring entry that holds the store key of dir,
// when its key file is readable and records the keyring method; Destroy
// deletes that entry.
func KeyringEntry(dir string) (service, account string, ok bool) {
	f, err := readKeyFile(Path(dir))
	if err != nil || f.Method != MethodKeyring {
		return "", "", false
	}
	return f.Keyring.Service, f.Keyring.Account, true
}

// tempFiles lists temporary key files left in dir by an interrupted write.
func tempFiles(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, tempPrefix) && strings.HasSuffix(n, tempSuffix) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}

// syncDir fsyncs a directory so that a rename or removal in it is durable.
// Windows cannot sync directories (and needs not), so it is a no-op there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
