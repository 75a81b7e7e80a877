package callmedia

import (
	"context"
	"errors"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// A renegotiation (m.call.negotiate) on a running call keeps the audio flowing; with glare (both
// sides offer) the crossing offers fail with ErrGlare and the media keeps flowing.
func TestPeerRenegotiate(t *testing.T) {
	ctx := context.Background()
	pr := connectPair(t, Config{Source: NewTone(440)}, Config{Source: NewTone(660)})
	waitTone(t, pr.detB, 440)
	offer, err := pr.a.Renegotiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := pr.b.HandleOffer(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := pr.a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	// Glare: both offer; the crossing offers are refused.
	offerA, err := pr.a.Renegotiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	offerB, err := pr.b.Renegotiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.b.HandleOffer(ctx, offerA); !errors.Is(err, ErrGlare) {
		t.Fatalf("crossing offer: %v", err)
	}
	if _, err := pr.a.HandleOffer(ctx, offerB); !errors.Is(err, ErrGlare) {
		t.Fatalf("crossing offer: %v", err)
	}
	in := pr.b.Stats().RTPPacketsIn
	waitFor(t, "more packets", func() bool {
		return pr.b.Stats().RTPPacketsIn > in+50 && pr.a.State() == StateConnected
	})
	waitTone(t, pr.detB, 440)
	waitTone(t, pr.detA, 660)
}

// Candidates that arrive before the remote description wait for it, and the empty
// end-of-candidates marker is ignored.
func TestPeerEarlyCandidates(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, _ := newPeer(t, Config{Source: NewTone(440)})
	det := NewToneDetector()
	b, _ := newPeer(t, Config{Sink: det})
	candsA := make(chan *Candidate, 100)
	a.OnLocalCandidate(func(c *Candidate) { candsA <- c })
	b.OnLocalCandidate(func(c *Candidate) {
		if c != nil {
			if err := a.AddRemoteCandidate(*c); err != nil {
				t.Error(err)
			}
		}
	})
	offer, err := a.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// All of a's candidates reach b before the offer does (as when the callee still rings).
	for c := range candsA {
		if c == nil {
			break
		}
		if err := b.AddRemoteCandidate(*c); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.AddRemoteCandidate(Candidate{}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddRemoteCandidate(Candidate{Candidate: "candidate:1 1 udp 2130706431 192.0.2.1 9 typ host", SDPMid: "0"}); err != nil {
		t.Fatal("a foreign candidate in loopback mode must be ignored:", err)
	}
	answer, err := b.Answer(ctx, stripCandidates(offer))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	waitTone(t, det, 440)
}

var candidateLine = regexp.MustCompile(`(?m)^a=(candidate|end-of-candidates).*\r?\n`)

func stripCandidates(sdp string) string { return candidateLine.ReplaceAllString(sdp, "") }

// Without any candidates ICE cannot connect: both sides fail with ErrICEFailed.
func TestPeerICEFailed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := Config{ICEFailTimeout: 3 * time.Second}
	a, logA := newPeer(t, cfg)
	b, _ := newPeer(t, cfg)
	offer, err := a.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := b.Answer(ctx, stripCandidates(offer))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetAnswer(stripCandidates(answer)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Peer{a, b} {
		if err := p.WaitConnected(ctx); !errors.Is(err, ErrICEFailed) {
			t.Fatalf("expected ErrICEFailed, got %v", err)
		}
	}
	waitFor(t, "failed state callback", func() bool { return logA.last() == StateFailed })
	if st := a.Stats(); !st.ConnectedAt.IsZero() || st.RTPPacketsOut != 0 {
		t.Fatalf("stats of a failed call: %+v", st)
	}
}

// Broken or misplaced descriptions fail with typed errors.
func TestPeerBadSDP(t *testing.T) {
	ctx := context.Background()
	p, _ := newPeer(t, Config{})
	if _, err := p.Answer(ctx, "not sdp"); !errors.Is(err, ErrBadSDP) {
		t.Fatalf("answer to garbage: %v", err)
	}
	if err := p.SetAnswer("v=0"); !errors.Is(err, ErrState) {
		t.Fatalf("answer without offer: %v", err)
	}
	if _, err := p.Offer(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.SetAnswer(""); !errors.Is(err, ErrBadSDP) {
		t.Fatalf("empty answer: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Renegotiate(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("offer with a cancelled context: %v", err)
	}
}

// A video track of the other side is received and counted (a sender as Element's video call
// has it), whether or not the own side asked for video.
func TestPeerReceivesVideo(t *testing.T) {
	for _, askVideo := range []bool{false, true} {
		pr := connectPairVideo(t, Config{Source: NewTone(440)}, Config{ReceiveVideo: askVideo})
		waitFor(t, "video packets", func() bool { return pr.b.Stats().VideoPacketsIn >= 20 })
		waitTone(t, pr.detB, 440)
		_ = pr.a.Close()
		_ = pr.b.Close()
	}
}

// connectPairVideo connects like connectPair, a sending dummy VP8 frames besides its audio.
func connectPairVideo(t *testing.T, cfgA, cfgB Config) *pair {
	t.Helper()
	return connectPairVideoFrame(t, cfgA, cfgB, make([]byte, 800), nil)
}

// connectPairVideoFrame connects like connectPair, a sending frame 30 times a second besides
// its audio and counting the PLIs it receives in plis (when not nil).
func connectPairVideoFrame(t *testing.T, cfgA, cfgB Config, frame []byte, plis *atomic.Int64) *pair {
	t.Helper()
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "test")
	if err != nil {
		t.Fatal(err)
	}
	testHookNewPeer = func(p *Peer) {
		testHookNewPeer = nil
		sender, err := p.pc.AddTrack(track)
		if err != nil {
			t.Error(err)
			return
		}
		go countPLIs(sender, plis)
	}
	defer func() { testHookNewPeer = nil }()
	pr := connectPair(t, cfgA, cfgB)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		tick := time.NewTicker(33 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				_ = track.WriteSample(media.Sample{Data: frame, Duration: 33 * time.Millisecond})
			}
		}
	}()
	return pr
}
