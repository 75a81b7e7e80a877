package callmedia

import (
	"bufio"
	"context"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Figures of the call media for docs/PERFORMANCE.md (make bench-calls): two peers in this
// process on loopback, as in a call but without the signalling (which the homeserver
// benchmarks measure) and without audio devices (no device buffers in the figures).
//
//	go test -tags goolm -run '^$' -bench 'Call(Latency|CPU|Loss)' -benchtime 20x ./session/callmedia

// benchPair connects a (offer) and b (answer) on loopback, directly or through relay.
func benchPair(b *testing.B, cfgA, cfgB Config, relay *lossRelay) (pa, pb *Peer) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfgA.LoopbackOnly, cfgB.LoopbackOnly = true, true
	var err error
	if pa, err = NewPeer(cfgA); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = pa.Close() })
	if pb, err = NewPeer(cfgB); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = pb.Close() })
	pass := func(from, to *Peer, fromA bool) {
		from.OnLocalCandidate(func(c *Candidate) {
			if c == nil {
				return
			}
			cand, ok := *c, true
			if relay != nil {
				cand, ok = relay.rewrite(cand, fromA)
			}
			if ok {
				_ = to.AddRemoteCandidate(cand)
			}
		})
	}
	pass(pa, pb, true)
	pass(pb, pa, false)
	offer, err := pa.Offer(ctx)
	if err != nil {
		b.Fatal(err)
	}
	answer, err := pb.Answer(ctx, offer)
	if err != nil {
		b.Fatal(err)
	}
	if err := pa.SetAnswer(answer); err != nil {
		b.Fatal(err)
	}
	for _, p := range []*Peer{pa, pb} {
		if err := p.WaitConnected(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return pa, pb
}

// BenchmarkCallLatency: mouth-to-ear delay over loopback, one 100 ms burst of a 1 kHz tone per
// 500 ms (b.N bursts): from the source handing out the burst's first frame to the first loud
// frame after silence reaching the other side's sink, on the one clock of this process
// (encoding, pacing, SRTP over UDP, decoding). Reported: median, min and max in ms.
func BenchmarkCallLatency(b *testing.B) {
	src := &burstSource{tone: NewTone(1000)}
	sink := &onsetSink{}
	benchPair(b, Config{Source: src}, Config{Sink: sink}, nil)
	b.ResetTimer()
	waitUntil(b, time.Duration(b.N+10)*time.Second, func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return len(sink.heard) >= b.N+2
	})
	b.StopTimer()
	src.mu.Lock()
	sink.mu.Lock()
	defer src.mu.Unlock()
	defer sink.mu.Unlock()
	var delays []float64
	for _, h := range sink.heard[2:] { // the first two: start-up
		i, _ := slices.BinarySearchFunc(src.sent, h, func(a, b time.Time) int { return a.Compare(b) })
		if i > 0 {
			delays = append(delays, float64(h.Sub(src.sent[i-1]).Microseconds())/1000)
		}
	}
	if len(delays) == 0 {
		b.Fatal("no burst heard")
	}
	slices.Sort(delays)
	b.ReportMetric(delays[len(delays)/2], "ms-median")
	b.ReportMetric(delays[0], "ms-min")
	b.ReportMetric(delays[len(delays)-1], "ms-max")
}

// BenchmarkCallCPU: CPU and memory of a call, b.N seconds of a call with a tone each way (both
// ends in this process) against as long idle before it. cpu-%/end is the CPU time of the call
// above idle per second of call and per end (one end: encode, send, receive, decode), in % of
// one core; rss-MB is this process's resident set during the call, rss-idle-MB before it.
func BenchmarkCallCPU(b *testing.B) {
	window := time.Duration(b.N) * time.Second
	idleRSS := rssMB()
	idle := cpuDuring(b, window)
	detA, detB := NewToneDetector(), NewToneDetector()
	benchPair(b, Config{Source: NewTone(440), Sink: detA}, Config{Source: NewTone(880), Sink: detB}, nil)
	time.Sleep(time.Second) // settle: connection, first packets
	b.ResetTimer()
	busy := cpuDuring(b, window)
	b.StopTimer()
	callRSS := rssMB()
	if math.Abs(detB.DominantHz()-440) > 10 || math.Abs(detA.DominantHz()-880) > 10 {
		b.Fatalf("tones not heard: %.1f and %.1f Hz", detB.DominantHz(), detA.DominantHz())
	}
	b.ReportMetric(100*(busy-idle).Seconds()/window.Seconds()/2, "cpu-%/end")
	b.ReportMetric(100*idle.Seconds()/window.Seconds(), "idle-cpu-%")
	b.ReportMetric(callRSS, "rss-MB")
	b.ReportMetric(idleRSS, "rss-idle-MB")
}

// BenchmarkCallLoss: b.N seconds of a 440 Hz tone from a to b through lossRelay, which drops
// 0, 5, 10, 20 or 40 % of the media packets (both ways, at random, fixed seed). Reported for a to
// b: dropped-% (at the relay), lost-% (gaps b found in the sequence numbers; each gap of up to
// six packets is filled, the last packet from the next one's in-band FEC, the others by the
// decoder's concealment), quiet-% (received 20 ms frames below 5 % of full scale after the
// first loud one: holes the concealment did not fill) and detected-Hz (the tone b heard over
// the last half second).
func BenchmarkCallLoss(b *testing.B) {
	for _, loss := range []int{0, 5, 10, 20, 40} {
		b.Run("loss="+strconv.Itoa(loss)+"%", func(b *testing.B) {
			relay := newLossRelay(b, float64(loss)/100, 12)
			det := NewToneDetector()
			sink := &quietSink{next: det}
			_, pb := benchPair(b, Config{Source: NewTone(440)}, Config{Sink: sink}, relay)
			b.ResetTimer()
			time.Sleep(time.Duration(b.N) * time.Second)
			b.StopTimer()
			st := pb.Stats()
			hz := det.DominantHz()
			media, dropped := relay.media.Load(), relay.dropped.Load()
			b.ReportMetric(100*float64(dropped)/float64(max(media, 1)), "dropped-%")
			b.ReportMetric(100*float64(st.PacketsLost)/float64(max(st.RTPPacketsIn+st.PacketsLost, 1)), "lost-%")
			b.ReportMetric(sink.quietShare()*100, "quiet-%")
			b.ReportMetric(hz, "detected-Hz")
			if math.Abs(hz-440) > 10 {
				b.Errorf("at %d%% loss the tone was not detected: %.1f Hz", loss, hz)
			}
		})
	}
}

// quietSink counts received frames and the quiet ones after the first loud frame.
type quietSink struct {
	next         AudioSink
	mu           sync.Mutex
	heard        bool
	frames, calm int
}

func (s *quietSink) WriteFrame(pcm []int16) {
	loud := frameLevel(pcm) > 0.05
	s.mu.Lock()
	if loud {
		s.heard = true
	}
	if s.heard {
		s.frames++
		if !loud {
			s.calm++
		}
	}
	s.mu.Unlock()
	s.next.WriteFrame(pcm)
}

func (s *quietSink) quietShare() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(s.calm) / float64(max(s.frames, 1))
}

// cpuDuring is the CPU time (user and system) this process spent during the next d.
func cpuDuring(b *testing.B, d time.Duration) time.Duration {
	before := cpuTime(b)
	time.Sleep(d)
	return cpuTime(b) - before
}

// rssMB is VmRSS of this process in MB (0 when /proc is not readable).
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// waitUntil polls ok until it holds or d has passed.
func waitUntil(b *testing.B, d time.Duration, ok func() bool) {
	b.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			b.Fatalf("not within %v", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
