package callmedia

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

// pair is two peers of one call, wired to each other directly (offer, answer and candidates),
// with a tone each way and a detector on each side.
type pair struct {
	a, b       *Peer
	detA, detB *ToneDetector // what a and b received
	statesA    *stateLog
	statesB    *stateLog
}

type stateLog struct {
	mu     sync.Mutex
	states []State
}

func (l *stateLog) add(s State) {
	l.mu.Lock()
	l.states = append(l.states, s)
	l.mu.Unlock()
}

func (l *stateLog) last() State {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.states) == 0 {
		return StateNew
	}
	return l.states[len(l.states)-1]
}

func newPeer(t *testing.T, cfg Config) (*Peer, *stateLog) {
	t.Helper()
	cfg.LoopbackOnly = true
	p, err := NewPeer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	log := &stateLog{}
	p.OnState(log.add)
	return p, log
}

// trickle sends every local candidate of from to to, checking that all are on loopback.
func trickle(t *testing.T, from, to *Peer, gathered chan<- struct{}) {
	from.OnLocalCandidate(func(c *Candidate) {
		if c == nil {
			close(gathered)
			return
		}
		if !loopbackCandidate(c.Candidate) {
			t.Errorf("non-loopback candidate %q", c.Candidate)
		}
		if err := to.AddRemoteCandidate(*c); err != nil {
			t.Errorf("add candidate: %v", err)
		}
	})
}

func connectPair(t *testing.T, cfgA, cfgB Config) *pair {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr := &pair{detA: NewToneDetector(), detB: NewToneDetector()}
	if cfgA.Sink == nil {
		cfgA.Sink = pr.detA
	}
	if cfgB.Sink == nil {
		cfgB.Sink = pr.detB
	}
	pr.a, pr.statesA = newPeer(t, cfgA)
	pr.b, pr.statesB = newPeer(t, cfgB)
	gA, gB := make(chan struct{}), make(chan struct{})
	trickle(t, pr.a, pr.b, gA)
	trickle(t, pr.b, pr.a, gB)
	offer, err := pr.a.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := pr.b.Answer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := pr.a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Peer{pr.a, pr.b} {
		if err := p.WaitConnected(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []chan struct{}{gA, gB} {
		select {
		case <-g:
		case <-ctx.Done():
			t.Fatal("gathering did not end")
		}
	}
	return pr
}

// waitTone waits until d hears hz (±10 Hz).
func waitTone(t *testing.T, d *ToneDetector, hz float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var got float64
	for time.Now().Before(deadline) {
		if got = d.DominantHz(); math.Abs(got-hz) <= 10 && d.Frames() >= 50 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("expected %.0f Hz, detected %.1f Hz after %d frames", hz, got, d.Frames())
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for " + what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two peers on loopback: 440 Hz one way, 660 Hz the other, each detector finds its tone,
// packets are counted both ways, and closing one side ends both.
func TestPeerToneBothWays(t *testing.T) {
	pr := connectPair(t, Config{Source: NewTone(440)}, Config{Source: NewTone(660)})
	waitTone(t, pr.detB, 440)
	waitTone(t, pr.detA, 660)
	for name, p := range map[string]*Peer{"a": pr.a, "b": pr.b} {
		st := p.Stats()
		if st.RTPPacketsIn < 50 || st.RTPPacketsOut < 50 || st.BytesIn == 0 || st.ConnectedAt.IsZero() {
			t.Fatalf("%s: stats %+v", name, st)
		}
		if st.AudioLevel < 0.2 || st.AudioLevel > 1 {
			t.Fatalf("%s: level %.2f of a half-scale tone", name, st.AudioLevel)
		}
		if p.State() != StateConnected {
			t.Fatalf("%s: state %s", name, p.State())
		}
	}
	// Closing a ends b too (DTLS close_notify), without b's Close.
	if err := pr.a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pr.a.Close(); err != nil {
		t.Fatal("second close:", err)
	}
	waitFor(t, "closed states", func() bool {
		return pr.statesA.last() == StateClosed && pr.statesB.last() == StateClosed
	})
	if err := pr.b.WaitConnected(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("b after a closed: %v", err)
	}
	waitFor(t, "b's goroutines", func() bool {
		select {
		case <-pr.b.ev.done:
			return true
		default:
			return false
		}
	})
	if err := pr.b.Close(); err != nil {
		t.Fatal(err)
	}
	outB := pr.b.Stats().RTPPacketsOut
	in, out := pr.a.Stats().RTPPacketsIn, pr.a.Stats().RTPPacketsOut
	time.Sleep(200 * time.Millisecond)
	if st := pr.a.Stats(); st.RTPPacketsIn != in || st.RTPPacketsOut != out || pr.b.Stats().RTPPacketsOut != outB {
		t.Fatalf("media still flowing after Close: %+v, %+v", st, pr.b.Stats())
	}
	if _, err := pr.a.Offer(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("offer after close: %v", err)
	}
	if err := pr.a.WaitConnected(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("wait after close: %v", err)
	}
}

// Muting sends silence: the other side's level falls to nothing and its detector to 0 Hz;
// SetSource and SetSink switch devices on the running call.
func TestPeerMute(t *testing.T) {
	pr := connectPair(t, Config{Source: NewTone(440)}, Config{})
	waitTone(t, pr.detB, 440)
	pr.a.SetMuted(true)
	waitFor(t, "silence", func() bool { return pr.detB.DominantHz() == 0 && pr.b.Stats().AudioLevel < 0.01 })
	pr.a.SetMuted(false)
	waitTone(t, pr.detB, 440)
	// Another source and sink on the running call (a device change).
	det := NewToneDetector()
	pr.a.SetSource(NewTone(880))
	pr.b.SetSink(det)
	waitTone(t, det, 880)
}

// Lost packets (every 7th, and a burst of 3 every 50) are counted and concealed (FEC for the
// last of a gap, loss concealment before it): the tone still comes through at its level.
func TestPeerPacketLoss(t *testing.T) {
	testHookDropIn = func(seq uint16) bool { return seq%7 == 0 || seq%50 < 3 }
	t.Cleanup(func() { testHookDropIn = nil })
	pr := connectPair(t, Config{Source: NewTone(440)}, Config{})
	waitTone(t, pr.detB, 440)
	waitFor(t, "losses", func() bool { return pr.b.Stats().PacketsLost >= 20 })
	st := pr.b.Stats()
	if st.PacketsLost > st.RTPPacketsIn/3 || st.AudioLevel < 0.2 {
		t.Fatalf("stats %+v", st)
	}
	frames := pr.detB.Frames()
	waitFor(t, "frames", func() bool { return pr.detB.Frames() >= frames+50 })
	// Every 20 ms of the sender reached the sink, concealed or not.
	in, det := pr.b.Stats().RTPPacketsIn, pr.detB.Frames()
	if d := int(in) - det; d < -5 || d > 5 {
		t.Fatalf("%d packets in, %d frames out", in, det)
	}
}
