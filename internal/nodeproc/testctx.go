package nodeproc

import (
	"context"
	"testing"
	"time"
)

// TestContext returns a context that ends after d or with the test.
func TestContext(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
