//go:build cgo

package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// isBusy reports SQLITE_BUSY and SQLITE_LOCKED (another connection holds the lock).
func isBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}
