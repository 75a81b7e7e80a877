package capture

import (
	"errors"
	"runtime"
	"testing"
)

func TestExcludeWindowUnsupportedOutsideWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has SetWindowDisplayAffinity")
	}
	if err := ExcludeWindow(1); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("ExcludeWindow: %v", err)
	}
}
