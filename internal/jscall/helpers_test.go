package jscall_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"bosmessenger/internal/jscall"
	"bosmessenger/internal/nodeproc"
	"bosmessenger/internal/testserver"
)

const password = "correct-horse-battery"

// ctxT returns a context that ends after d or with the test.
var ctxT = nodeproc.TestContext

// account is a user to start a browser peer for.
type account struct {
	srv       *testserver.Server
	localpart string
	toneHz    float64
}

// startPeers registers the accounts and starts their browser peers in parallel (browser start
// and crypto initialisation dominate).
func startPeers(t *testing.T, accounts ...account) []*jscall.Peer {
	t.Helper()
	inst := jscall.Install(t)
	peers := make([]*jscall.Peer, len(accounts))
	errs := make([]error, len(accounts))
	var wg sync.WaitGroup
	for i, a := range accounts {
		a.srv.Register(t, a.localpart, password)
		tone := t.TempDir() + "/tone.wav"
		if err := jscall.WriteToneWAV(tone, a.toneHz, 2); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			p, err := jscall.StartE(ctx, inst, tone)
			if err != nil {
				errs[i] = err
				return
			}
			peers[i] = p
			errs[i] = p.Login(ctx, a.srv.URL, a.localpart, password, true)
		}()
	}
	wg.Wait()
	for i, p := range peers {
		if p == nil {
			continue
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("browser %s log tail:\n%s", accounts[i].localpart, tailString(p.Logs(), 32<<10))
			}
			p.Close()
		})
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("browser peer %s: %v", accounts[i].localpart, err)
		}
	}
	return peers
}

// sharedRoom has caller create a room (encrypted or not) with callee, callee join it over
// the caller's server, and both see each other joined.
func sharedRoom(t *testing.T, caller, callee *jscall.Peer, callerServer string, encrypted bool) string {
	t.Helper()
	ctx := ctxT(t, 90*time.Second)
	roomID, err := caller.CreateRoom(ctx, "call", encrypted, callee.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if err := callee.WaitInvite(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if err := callee.Join(ctx, roomID, callerServer); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*jscall.Peer{caller, callee} {
		if err := p.WaitRoom(ctx, roomID, encrypted, caller.UserID, callee.UserID); err != nil {
			t.Fatalf("%s: %v", p.UserID, err)
		}
	}
	return roomID
}

// expectAudio waits until p receives audio with energy whose dominant frequency is within
// 3 % of wantHz, and returns the stats.
func expectAudio(t *testing.T, p *jscall.Peer, wantHz float64) jscall.Stats {
	t.Helper()
	s, err := p.WaitStats(ctxT(t, 30*time.Second), "the remote tone", func(s jscall.Stats) bool {
		return s.BytesReceived > 0 && s.TotalAudioEnergy > 0 && math.Abs(s.DominantHz-wantHz) < 0.03*wantHz
	})
	if err != nil {
		t.Fatalf("%s: %v", p.UserID, err)
	}
	return s
}

func tailString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
