package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Cipher seals and opens values bound to their place in the store (the associated data).
// *seal.Sealer implements it.
type Cipher interface {
	Seal(plaintext, ad []byte) []byte
	Open(sealed, ad []byte) ([]byte, error)
}

// DB is an open account store.
type DB struct {
	sql    *sql.DB // writer: one connection, immediate transactions
	ro     *sql.DB // readers
	cipher Cipher
	path   string
}

// Open opens (creating if needed) the database at path and migrates it to the newest schema. The
// database and the files SQLite keeps beside it are private to the user (see PrivateFile).
func Open(ctx context.Context, path string, cipher Cipher) (*DB, error) {
	return openVersion(ctx, path, cipher, len(migrations))
}

// SQLiteSuffixes are the names SQLite gives the files it keeps beside a database (appended to its
// name), the database itself first.
var SQLiteSuffixes = []string{"", "-wal", "-shm", "-journal"}

// PrivateFile makes the SQLite database at path private to the user: when there is none, an empty
// database file is created with mode 0600 (SQLite gives its -wal, -shm and -journal files the mode of
// the database file); the database and those files, where they exist, are set to 0600. Anything but
// a regular file at path is refused, so a symlink never leads the store elsewhere.
func PrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("failed to create %s: %w", path, err)
	}
	for _, suffix := range SQLiteSuffixes {
		fi, err := os.Lstat(path + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("failed to check %s: %w", path+suffix, err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("failed to open %s: not a regular file", path+suffix)
		}
		if fi.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
			if err := os.Chmod(path+suffix, 0o600); err != nil {
				return fmt.Errorf("failed to make %s private: %w", path+suffix, err)
			}
		}
	}
	return nil
}

func openVersion(ctx context.Context, path string, cipher Cipher, version int) (*DB, error) {
	if err := PrivateFile(path); err != nil {
		return nil, err
	}
	writer, err := openPool(ctx, path, "immediate", 1)
	if err != nil {
		return nil, err
	}
	db := &DB{sql: writer, cipher: cipher, path: path}
	if err := db.migrate(ctx, version); err != nil {
		writer.Close()
		return nil, err
	}
	db.ro, err = openPool(ctx, path, "deferred", 4)
	if err != nil {
		writer.Close()
		return nil, err
	}
	return db, nil
}

// openPool opens a connection pool. Writes go through one connection with immediate transactions;
// reads use a separate query-only pool with deferred transactions, so they never wait for the writer.
func openPool(ctx context.Context, path, txlock string, conns int) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", txlock)
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	q.Set("_secure_delete", "on")
	q.Set("_stmt_cache_size", "64") // reuse prepared statements: ingest is about 45 % faster
	if txlock == "deferred" {
		q.Set("_query_only", "1")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	pool, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("failed to open store: %w", err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("failed to open store %s: %w", path, err)
	}
	return pool, nil
}

// Close closes the database, checkpointing the WAL.
func (db *DB) Close() error {
	err := db.ro.Close()
	_, _ = db.sql.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return errors.Join(err, db.sql.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Tx runs fn in one immediate write transaction. When SQLite reports busy or locked, the whole
// transaction is retried (fn must therefore be safe to run again).
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.retry(ctx, db.sql, fn)
}

// Read runs fn in a read-only transaction: a consistent snapshot that does not block the writer.
func (db *DB) Read(ctx context.Context, fn func(r *Tx) error) error {
	return db.retry(ctx, db.ro, fn)
}

func (db *DB) retry(ctx context.Context, pool *sql.DB, fn func(tx *Tx) error) error {
	delay := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := db.tryTx(ctx, pool, fn)
		if err == nil || !isBusy(err) || attempt >= 20 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		if delay < time.Second {
			delay *= 2
		}
	}
}

func (db *DB) tryTx(ctx context.Context, pool *sql.DB, fn func(tx *Tx) error) error {
	sqlTx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("failed to begin transaction: %w", err)
	}
	tx := &Tx{tx: sqlTx, c: db.cipher}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("failed to commit transaction: %w", err)
	}
	return nil
}

func isBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}

// Tx is one transaction on the store. Its methods seal and open values transparently.
type Tx struct {
	tx *sql.Tx
	c  Cipher
}

func (tx *Tx) seal(v []byte, ad string) []byte {
	if v == nil {
		return nil
	}
	return tx.c.Seal(v, []byte(ad))
}

func (tx *Tx) sealString(v, ad string) []byte {
	if v == "" {
		return nil
	}
	return tx.c.Seal([]byte(v), []byte(ad))
}

func (tx *Tx) open(v []byte, ad string) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	out, err := tx.c.Open(v, []byte(ad))
	if err != nil {
		return nil, fmt.Errorf("failed to open sealed %s: %w", adKind(ad), err)
	}
	return out, nil
}

func (tx *Tx) openString(v []byte, ad string) (string, error) {
	out, err := tx.open(v, ad)
	return string(out), err
}

// adKind strips the identifier from associated data so errors don't repeat it.
func adKind(ad string) string {
	for i := 0; i < len(ad); i++ {
		if ad[i] == '|' {
			return ad[:i]
		}
	}
	return ad
}
