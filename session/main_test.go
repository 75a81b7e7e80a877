package session_test

import (
	"os"
	"testing"

	"bosmessenger/internal/testserver"
)

// TestMain stops the Dendrite the tests share (testserver.Shared) after the last test.
func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }
