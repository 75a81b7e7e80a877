package testserver

import (
	"context"
	"sync"
	"testing"
)

// StartFederated starts two servers, a on 127.0.0.1 and b on 127.0.0.2,
// that federate with each other (in parallel; both are ready on return).
func StartFederated(t testing.TB) (a, b *Server) {
	t.Helper()
	BinDir(t)
	ips := [2]string{"127.0.0.1", "127.0.0.2"}
	var (
		servers [2]*Server
		errs    [2]error
		wg      sync.WaitGroup
	)
	for i, ip := range ips {
		dir := t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = StartE(context.Background(), Options{IP: ip, Federation: true, Dir: dir})
		}()
	}
	wg.Wait()
	for _, s := range servers {
		if s != nil {
			s.cleanupWith(t)
		}
	}
	for _, err := range errs {
		if err != nil {
			t.Fatalf("testserver: %v", err)
		}
	}
	return servers[0], servers[1]
}
