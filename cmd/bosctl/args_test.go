package main

import (
	"slices"
	"testing"
)

// TestAnswerFlagPerCommand: --answer is a switch for call but takes a value for poll create/vote
// (it once was a switch for every command, and poll create lost its answers).
func TestAnswerFlagPerCommand(t *testing.T) {
	a, err := parseArgs([]string{"call", "--answer", "--tone", "440"})
	if err != nil || !a.bool("answer") || a.str("tone") != "440" || len(a.pos) != 0 {
		t.Fatalf("call --answer: %+v, %v", a, err)
	}
	a, err = parseArgs([]string{"poll", "create", "!r:x", "--answer", "Ja", "--answer", "Nein"})
	if err != nil || !slices.Equal(a.list("answer"), []string{"Ja", "Nein"}) || !slices.Equal(a.pos, []string{"create", "!r:x"}) {
		t.Fatalf("poll create --answer: %+v, %v", a, err)
	}
}
