package ui

import (
	"os"
	"testing"

	"bosmessenger/internal/testserver"
)

// TestMain stops the Dendrite the tests share (testserver.Shared) after the last test. The tests
// do not run in parallel: they swap the package's UI queue (do) and use Fyne's global test app.
func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }
