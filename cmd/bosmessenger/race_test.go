//go:build race

package main

// raceEnabled is true when the tests run with the race detector; the binaries they start are then
// built with -race too.
const raceEnabled = true
