// Package winetest runs Windows builds under wine in tests: the registry policy channel
// (HKLM/HKCU\SOFTWARE\Policies\BOSMessenger) read by the real golang.org/x/sys/windows/registry
// code. Wine 8.0 (Debian 12) lacks bcryptprimitives.dll, whose ProcessPrng Go programs need; the
// test builds a stand-in from testdata/bcryptprimitives.c with mingw into its own wine prefix. Test only:
// nothing here ships.
package winetest
