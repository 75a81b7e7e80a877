//go:build linux

package session_test

// The cached seeded server of BenchmarkInitialSync200x50 (internal/benchseed; called from
// benchmarks only, so plain `go test` never seeds anything).

import (
	"context"
	"fmt"
	"os"
	"testing"

	"maunium.net/go/mautrix"

	"bosmessenger/internal/benchseed"
	"bosmessenger/internal/testserver"
)

// The seeded data set (internal/benchseed caches it under its key, seed-200x50-v1).
const (
	seedRooms    = 200
	seedMessages = 50 // per room
	seedPassword = benchseed.Password
)

// seededServer is the running cached server with the seeded account.
type seededServer struct {
	srv      *testserver.Server
	URL      string
	User     string // localpart
	Password string
}

// startSeededServer starts the cached seeded server, seeding it first if the cache is missing or
// incomplete (about 6 minutes on a quiet machine). It holds the cache's lock until cleanup.
func startSeededServer(b *testing.B) *seededServer {
	b.Helper()
	srv, err := benchseed.Start(context.Background(), benchseed.Spec{Rooms: seedRooms, Messages: seedMessages}, "",
		func(format string, args ...any) { seedLogf(b, format, args...) })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	return &seededServer{srv: srv.Server, URL: srv.URL, User: srv.User, Password: srv.Password}
}

// seedLogf logs with b.Logf and also writes the line to stderr at once: seeding takes minutes, and
// the parent benchmark's b.Logf output is printed only with -v, and only after all sub-benchmarks.
func seedLogf(b *testing.B, format string, args ...any) {
	b.Helper()
	b.Logf(format, args...)
	fmt.Fprintf(os.Stderr, "%s: "+format+"\n", append([]any{b.Name()}, args...)...)
}

// seedClient logs in over plain HTTP with mautrix (not through the engine under test).
func seedClient(ctx context.Context, url, user, password string) (*mautrix.Client, error) {
	return benchseed.Client(ctx, url, user, password)
}
