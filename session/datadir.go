package session

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/gofrs/flock"

	"bosmessenger/store"
	"bosmessenger/store/storekey"
)

// Files inside an account's data dir. The engine creates and deletes these names only, and deletes
// one only after it made sure the file is its own (see probe): a data dir may be shared with other
// things, and a mistyped --data must never cost anybody a file.
const (
	dbFileName     = "bos.db"
	cryptoFileName = "crypto.db" // crypto.FileName
	lockFileName   = "lock"
	logDirName     = "log"
)

// Log files the BOS Messenger programs write into DIR/log (OpenLogFile). A wipe deletes these and
// nothing else in the log dir.
const (
	LogFileBosctl       = "bosctl.log"
	LogFileBosmessenger = "bosmessenger.log"
)

var logFileNames = []string{LogFileBosctl, LogFileBosmessenger}

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

// lockDataDir takes the exclusive lock of a data dir (creating the dir, mode 0700) for this process.
func lockDataDir(dir string) (*flock.Flock, error) {
	if dir == "" {
		return nil, ErrNoDataDir
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create data dir: %w", err)
	}
	path := filepath.Join(dir, lockFileName)
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s", ErrForeignFile, path)
	}
	lock := flock.New(path) // created 0600
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("failed to lock data dir %s: %w", dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrDataDirInUse, dir)
	}
	return lock, nil
}

// newDirs lists dir and those of its ancestors that do not exist yet, deepest first: what
// MkdirAll(dir) creates.
func newDirs(dir string) []string {
	var out []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return out
		}
		out = append(out, d)
		if filepath.Dir(d) == d {
			return out
		}
	}
}

// removeEmptyDirs removes dirs (deepest first, as newDirs lists them) while they are empty.
func removeEmptyDirs(dirs []string) {
	for _, d := range dirs {
		if os.Remove(d) != nil { // not empty (or gone): its ancestors are not empty either
			return
		}
	}
}

// fileKind says how to recognise one of our files.
type fileKind int

const (
	kindPlain  fileKind = iota // any regular file
	kindSQLite                 // a regular file, empty or an SQLite database
	kindWAL                    // a regular file, empty or an SQLite write-ahead log
)

type ownFile struct {
	name string
	kind fileKind
}

// accountFiles are the names of an account's files, in the order a wipe deletes them: the key file
// first (without it nothing else can be read), then leftover temporary key files, then the store and
// crypto databases with the files SQLite keeps beside them.
func accountFiles(dir string) []ownFile {
	files := []ownFile{{storekey.FileName, kindPlain}}
	for _, t := range storekey.TempFiles(dir) {
		files = append(files, ownFile{filepath.Base(t), kindPlain})
	}
	for _, db := range []string{dbFileName, cryptoFileName} {
		for _, suffix := range store.SQLiteSuffixes {
			kind := kindPlain
			switch suffix {
			case "":
				kind = kindSQLite
			case "-wal":
				kind = kindWAL
			}
			files = append(files, ownFile{db + suffix, kind})
		}
	}
	return files
}

var (
	sqliteMagic = []byte("SQLite format 3\x00")
	walMagics   = [][]byte{{0x37, 0x7f, 0x06, 0x82}, {0x37, 0x7f, 0x06, 0x83}}
)

// probe looks at path: whether something is there, whether it is ours (a regular file, never a
// symlink or dir, and for a database or its WAL empty or with SQLite's magic), and its size.
func probe(path string, kind fileKind) (exists, ours bool, size int64) {
	fi, err := os.Lstat(path)
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist), false, 0
	}
	if !fi.Mode().IsRegular() {
		return true, false, 0
	}
	if kind == kindPlain || fi.Size() == 0 {
		return true, true, fi.Size()
	}
	f, err := os.Open(path)
	if err != nil {
		return true, false, fi.Size()
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if kind == kindSQLite {
		return true, bytes.Equal(head, sqliteMagic), fi.Size()
	}
	for _, m := range walMagics {
		if bytes.HasPrefix(head, m) {
			return true, true, fi.Size()
		}
	}
	return true, false, fi.Size()
}

// DirStatus is what Inspect found in a data dir.
type DirStatus string

// Data dir states.
const (
	DirEmpty      DirStatus = "empty"      // no account: a login may use it
	DirLoggedIn   DirStatus = "logged_in"  // an account with all its files
	DirIncomplete DirStatus = "incomplete" // part of an account, or foreign files under its names: reset it
)

// DirState is what a data dir holds.
type DirState struct {
	Dir     string
	Status  DirStatus
	Present []string // our account files in the dir
	Missing []string // account files a logged-in dir has and this one lacks ("bos.db (empty)" when empty)
	Foreign []string // entries under our names that are not ours (not a regular file, not SQLite); never deleted
	Keyring string   // the OS keyring entry of the store key ("service/account"), when the key file names one
	Wipe    []string // what a reset deletes, by path relative to Dir ("log/" is the log dir, deleted when empty)
}

// Inspect says what a data dir holds, without changing anything and without taking its lock: empty
// (a login may use it), a logged-in account, or an incomplete one (which files are missing, which are
// not ours). Front ends show Err and Recovery, and offer a reset (Reset deletes exactly Wipe).
func Inspect(dir string) (DirState, error) {
	if dir == "" {
		return DirState{}, ErrNoDataDir
	}
	st := DirState{Dir: dir, Status: DirEmpty}
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("failed to inspect data dir: %w", err)
	}
	if !fi.IsDir() {
		return st, fmt.Errorf("data dir %s is not a directory", dir)
	}
	sizes := map[string]int64{}
	for _, f := range accountFiles(dir) {
		exists, ours, size := probe(filepath.Join(dir, f.name), f.kind)
		switch {
		case !exists:
		case !ours:
			st.Foreign = append(st.Foreign, f.name)
		default:
			st.Present = append(st.Present, f.name)
			sizes[f.name] = size
		}
	}
	if service, account, ok := storekey.KeyringEntry(dir); ok {
		st.Keyring = service + "/" + account
	}
	st.Wipe = append(st.Wipe, st.Present...)
	logs := 0
	if ents, err := os.ReadDir(filepath.Join(dir, logDirName)); err == nil {
		for _, e := range ents {
			if slices.Contains(logFileNames, e.Name()) && e.Type().IsRegular() {
				st.Wipe = append(st.Wipe, logDirName+"/"+e.Name())
				logs++
			}
		}
		if logs == len(ents) {
			st.Wipe = append(st.Wipe, logDirName+"/")
		}
	}
	if exists, ours, _ := probe(filepath.Join(dir, lockFileName), kindPlain); exists && ours {
		st.Wipe = append(st.Wipe, lockFileName)
	}
	if len(st.Present) == 0 && len(st.Foreign) == 0 {
		return st, nil
	}
	for _, name := range []string{storekey.FileName, dbFileName, cryptoFileName} {
		size, ok := sizes[name]
		switch {
		case !ok && slices.Contains(st.Foreign, name):
		case !ok:
			st.Missing = append(st.Missing, name)
		case size == 0 && sizes[name+"-wal"] == 0:
			st.Missing = append(st.Missing, name+" (empty)")
		}
	}
	st.Status = DirLoggedIn
	if len(st.Missing) > 0 || len(st.Foreign) > 0 {
		st.Status = DirIncomplete
	}
	return st, nil
}

// Err is nil for a logged-in dir, wraps ErrNotLoggedIn for an empty one and ErrIncompleteDataDir for
// an incomplete one (naming what is missing and what can be recovered).
func (st DirState) Err() error {
	switch st.Status {
	case DirLoggedIn:
		return nil
	case DirEmpty:
		return fmt.Errorf("%w: no account in %s", ErrNotLoggedIn, st.Dir)
	}
	var parts []string
	if len(st.Missing) > 0 {
		parts = append(parts, "missing: "+strings.Join(st.Missing, ", "))
	}
	if len(st.Foreign) > 0 {
		parts = append(parts, fmt.Sprintf("not BOS Messenger's, move away by hand: %s", strings.Join(st.Foreign, ", ")))
	}
	if len(st.Present) > 0 {
		parts = append(parts, "present: "+strings.Join(st.Present, ", "))
	}
	return fmt.Errorf("%w in %s (%s); %s", ErrIncompleteDataDir, st.Dir, strings.Join(parts, "; "), st.Recovery())
}

// Recovery says, in one sentence, what of an incomplete account can still be recovered.
func (st DirState) Recovery() string {
	var lost string
	missing := func(name string) bool {
		return slices.ContainsFunc(st.Missing, func(m string) bool { return strings.HasPrefix(m, name) })
	}
	switch {
	case missing(storekey.FileName):
		lost = "without the store key nothing in bos.db or crypto.db can be read"
	case missing(dbFileName):
		lost = "crypto.db still holds this device's keys, but without bos.db (the account record) they cannot be used"
	case missing(cryptoFileName):
		lost = "this device's encryption keys (crypto.db) are lost, so it can no longer decrypt"
	default:
		lost = "the account cannot be opened as it is"
	}
	return lost + "; after a reset and a new login, messages are fetched again from the homeserver and room keys " +
		"come back from the server-side key backup (backup restore) if one was set up"
}

// tightenDataDir makes an account's data dir private to the user: the dir 0700, its files 0600, also
// when an older version created them readable by others. It only changes our own files.
func tightenDataDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	private := func(path string, mode fs.FileMode) {
		if fi, err := os.Lstat(path); err == nil && fi.Mode().Perm()&0o077 != 0 && (fi.IsDir() || fi.Mode().IsRegular()) {
			_ = os.Chmod(path, fi.Mode().Perm()&mode)
		}
	}
	private(dir, 0o700)
	for _, f := range accountFiles(dir) {
		if exists, ours, _ := probe(filepath.Join(dir, f.name), f.kind); exists && ours {
			private(filepath.Join(dir, f.name), 0o600)
		}
	}
	private(filepath.Join(dir, lockFileName), 0o600)
	private(filepath.Join(dir, logDirName), 0o700)
	for _, name := range logFileNames {
		private(filepath.Join(dir, logDirName, name), 0o600)
	}
}

// removeAccountFiles deletes the account files of dir that are ours (see probe): the key file with
// its OS keyring entry, leftover temporary key files, the databases and SQLite's files beside them.
// Foreign entries under our names stay, and are reported.
func removeAccountFiles(dir string, opts storekey.Options) error {
	var errs []error
	for _, f := range accountFiles(dir) {
		path := filepath.Join(dir, f.name)
		exists, ours, _ := probe(path, f.kind)
		switch {
		case !exists:
		case !ours:
			errs = append(errs, fmt.Errorf("%w: %s left in place", ErrForeignFile, path))
		case f.name == storekey.FileName:
			if err := storekey.Destroy(dir, opts); err != nil {
				errs = append(errs, err)
			}
		default:
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("failed to delete %s: %w", f.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// wipeDataDir deletes an account from its data dir: what removeAccountFiles deletes, and our log
// files in DIR/log (the log dir too when that leaves it empty). Every file is deleted by name and only
// when it is ours; nothing else in the dir is touched. The lock file stays (the caller holds it).
// There is no media cache on disk (attachments are decrypted in memory). It does all it can and
// reports what it could not delete. Logout, Reset (and a remote wipe) use it.
func wipeDataDir(dir string, opts storekey.Options) error {
	errs := []error{removeAccountFiles(dir, opts)}
	logDir := filepath.Join(dir, logDirName)
	for _, name := range logFileNames {
		path := filepath.Join(logDir, name)
		if exists, ours, _ := probe(path, kindPlain); exists && ours {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("failed to delete %s: %w", path, err))
			}
		}
	}
	if fi, err := os.Lstat(logDir); err == nil && fi.IsDir() {
		_ = os.Remove(logDir) // only when empty
	}
	return errors.Join(errs...)
}

// LogFile is a program's log file in DIR/log (the dir 0700, the file 0600).
type LogFile struct {
	*os.File
	createdFile string   // the file's path, when OpenLogFile created it
	createdDirs []string // the dirs OpenLogFile created, deepest first: the log dir, the data dir ...
}

// OpenLogFile opens (appending, creating if needed) one of the programs' log files (LogFileBosctl,
// LogFileBosmessenger) in the data dir, and makes an existing one private to the user.
func OpenLogFile(dataDir, name string) (*LogFile, error) {
	if dataDir == "" {
		return nil, ErrNoDataDir
	}
	if !slices.Contains(logFileNames, name) {
		return nil, fmt.Errorf("not a BOS Messenger log file: %q", name)
	}
	logDir := filepath.Join(dataDir, logDirName)
	path := filepath.Join(logDir, name)
	dirs := newDirs(logDir)
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create log dir: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s", ErrForeignFile, path)
	}
	created := false
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err == nil {
		created = true
	} else if errors.Is(err, fs.ErrExist) {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	}
	if err != nil {
		removeEmptyDirs(dirs)
		return nil, fmt.Errorf("failed to open log file: %w", err)
	}
	tightenLog := func(p string, mode fs.FileMode) {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
			_ = os.Chmod(p, fi.Mode().Perm()&mode)
		}
	}
	tightenLog(logDir, 0o700)
	tightenLog(path, 0o600)
	l := &LogFile{File: f, createdDirs: dirs}
	if created {
		l.createdFile = path
	}
	return l, nil
}

// Discard closes the log file and deletes what OpenLogFile created (the file, and the log and data
// dirs when it made them and they are empty now): a failed login leaves no trace of itself.
func (l *LogFile) Discard() {
	_ = l.Close()
	if l.createdFile != "" {
		_ = os.Remove(l.createdFile)
	}
	removeEmptyDirs(l.createdDirs)
}
