//go:build !cgo

package store

// isBusy: without cgo go-sqlite3 is a stub whose every call fails (its error types do not exist
// then), so nothing is ever busy. This file only lets the package compile with cgo off, for the
// mobile compile check (docs/MOBILE.md); real builds always have cgo.
func isBusy(error) bool { return false }
