//go:build !unix

package jspeer

// lockFile is a no-op where flock is missing: parallel installs may then race.
func lockFile(string) (func(), error) { return func() {}, nil }
