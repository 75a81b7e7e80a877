package jspeer_test

import (
	"testing"
	"time"

	"bosmessenger/internal/testserver"
)

// BenchMegolm works on a peer's own encrypted room and reports plausible rates (the figures are
// compared with ours in crypto's BenchmarkMegolmVsJS).
func TestBenchMegolm(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	p := loggedIn(t, srv, "bencher")
	ctx := ctxT(t, 60*time.Second)
	roomID, err := p.CreateRoom(ctx, "bench", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	enc, dec, err := p.BenchMegolm(ctx, roomID, 20)
	if err != nil {
		t.Fatal(err)
	}
	if enc <= 0 || dec <= 0 {
		t.Fatalf("encrypt %.0f/s, decrypt %.0f/s", enc, dec)
	}
	t.Logf("matrix-js-sdk %s: encrypt %.0f events/s, decrypt %.0f events/s (20 events)", p.SDKVersion(), enc, dec)
	plain, err := p.CreateRoom(ctx, "plain", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.BenchMegolm(ctx, plain, 5); err == nil {
		t.Fatal("BenchMegolm in an unencrypted room did not fail")
	}
}
