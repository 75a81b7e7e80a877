//go:build !race

package main

// raceEnabled is true when the tests run with the race detector; the bosctl binary they start is
// then built with -race too.
const raceEnabled = false
