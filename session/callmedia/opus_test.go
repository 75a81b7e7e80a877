//go:build unix

package callmedia

// Quality and CPU of gopus against libopus (opusenc/opusdec of Debian's opus-tools): tones are
// encoded by one and decoded by the other, through Ogg files written and read with pion's
// oggwriter/oggreader. Reproduce the figures of docs/PERFORMANCE.md with
//
//	go test -tags goolm -count=1 -v -run 'TestOpus' -bench 'Opus' -benchtime 20x ./session/callmedia

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
	"github.com/thesyncim/gopus"
)

// requireTool finds a command; missing, the test skips, or fails under CI=true.
func requireTool(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s missing (apt opus-tools, scripts/deps.sh)", name)
		}
		tb.Skipf("%s missing (apt opus-tools)", name)
	}
	return path
}

// toneSamples is seconds of a sine of hz at half of full scale.
func toneSamples(hz float64, seconds float64) []int16 {
	pcm := make([]int16, int(seconds*SampleRate))
	src := NewTone(hz)
	for i := 0; i < len(pcm); i += FrameSamples {
		_ = src.ReadFrame(pcm[i:min(i+FrameSamples, len(pcm))])
	}
	return pcm
}

// audioEncoder is a gopus encoder set up as opusencArgs set up libopus: application audio,
// hard CBR at the bitrate and complexity of a Peer's encoder.
func audioEncoder(tb testing.TB) *gopus.Encoder {
	tb.Helper()
	peer, err := NewOpusEncoder()
	if err != nil {
		tb.Fatal(err)
	}
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: SampleRate, Channels: 1, Application: gopus.ApplicationAudio})
	if err != nil {
		tb.Fatal(err)
	}
	if err := enc.SetBitrate(peer.Bitrate()); err != nil {
		tb.Fatal(err)
	}
	if err := enc.SetComplexity(peer.Complexity()); err != nil {
		tb.Fatal(err)
	}
	enc.SetVBR(false)
	return enc
}

// gopusToOgg encodes pcm with enc into an Ogg Opus file.
func gopusToOgg(tb testing.TB, enc *gopus.Encoder, pcm []int16, path string) {
	tb.Helper()
	var buf bytes.Buffer
	w, err := oggwriter.NewWith(&buf, SampleRate, 1)
	if err != nil {
		tb.Fatal(err)
	}
	pkt := make([]byte, maxOpusPacket)
	for i := 0; i+FrameSamples <= len(pcm); i += FrameSamples {
		n, err := enc.EncodeInt16(pcm[i:i+FrameSamples], pkt)
		if err != nil {
			tb.Fatal(err)
		}
		p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(i / FrameSamples),
			Timestamp: uint32(i)}, Payload: pkt[:n]}
		if err := w.WriteRTP(p); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// oggToGopus decodes an Ogg Opus file with the decoder of a Peer. pion's oggreader reads the
// pages (and checks their CRC); their packets are split by the lacing values of each page,
// which the reader does not expose, from the bytes it consumed.
func oggToGopus(tb testing.TB, path string) []int16 {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var seen bytes.Buffer
	r, head, err := oggreader.NewWith(io.TeeReader(bytes.NewReader(data), &seen))
	if err != nil {
		tb.Fatal(err)
	}
	if head.Channels != 1 {
		tb.Fatalf("%d channels", head.Channels)
	}
	dec, err := NewOpusDecoder()
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]int16, maxFrameDecode)
	var pcm []int16
	var partial []byte // a packet continued on the next page
	for {
		seen.Reset()
		payload, _, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		page := seen.Bytes()
		lacing := page[27 : 27+int(page[26])]
		if bytes.HasPrefix(payload, []byte("OpusTags")) {
			continue
		}
		for _, l := range lacing {
			partial = append(partial, payload[:l]...)
			payload = payload[l:]
			if l == 255 {
				continue
			}
			n, err := dec.DecodeInt16(partial, out)
			if err != nil {
				tb.Fatal(err)
			}
			pcm = append(pcm, out[:n]...)
			partial = partial[:0]
		}
	}
	return pcm[min(int(head.PreSkip), len(pcm)):]
}

// libopus runs opusenc/opusdec; it returns the CPU time the process used.
func libopus(tb testing.TB, args ...string) time.Duration {
	tb.Helper()
	cmd := exec.Command(requireTool(tb, args[0]), args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%v: %v\n%s", args, err, stderr.String())
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func writeRaw(tb testing.TB, path string, pcm []int16) {
	tb.Helper()
	b := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func readRaw(tb testing.TB, path string) []int16 {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// opusencArgs encode raw 48 kHz mono at the bitrate and complexity of a Peer's encoder, hard
// CBR: with VBR, opusenc spends about twice the bitrate on a steady tone.
func opusencArgs(in, out string) []string {
	enc, _ := NewOpusEncoder()
	return []string{"opusenc", "--quiet", "--raw", "--raw-rate", "48000", "--raw-chan", "1",
		"--bitrate", strconv.Itoa(opusBitrate / 1000), "--comp", strconv.Itoa(enc.Complexity()),
		"--hard-cbr", "--framesize", "20", in, out}
}

func opusdecArgs(in, out string) []string {
	return []string{"opusdec", "--quiet", "--rate", "48000", "--no-dither", in, out}
}

// toneSNR fits a sine of hz to the steady part of pcm (skipping 500 ms at the start, where the
// encoders settle on a mode, and 200 ms at the end) and returns the ratio of its power to the
// rest's in dB, and the detected dominant frequency.
func toneSNR(pcm []int16, hz float64) (snr, detected float64) {
	head, tail := SampleRate/2, SampleRate/5
	if len(pcm) < head+tail+SampleRate {
		return math.Inf(-1), 0
	}
	x := make([]float64, len(pcm)-head-tail)
	for i := range x {
		x[i] = float64(pcm[head+i]) / 32768
	}
	var ss, cc, sc, xs, xc float64
	for i, v := range x {
		ph := 2 * math.Pi * hz * float64(i) / SampleRate
		s, c := math.Sin(ph), math.Cos(ph)
		ss, cc, sc, xs, xc = ss+s*s, cc+c*c, sc+s*c, xs+v*s, xc+v*c
	}
	det := ss*cc - sc*sc
	a, b := (xs*cc-xc*sc)/det, (xc*ss-xs*sc)/det
	var sig, noise float64
	for i, v := range x {
		ph := 2 * math.Pi * hz * float64(i) / SampleRate
		fit := a*math.Sin(ph) + b*math.Cos(ph)
		sig += fit * fit
		noise += (v - fit) * (v - fit)
	}
	last := x[max(0, len(x)-SampleRate/2):]
	return 10 * math.Log10(sig/math.Max(noise, 1e-12)), DominantHz(last, SampleRate)
}

// opusRoundTrips codes hz with three encoders (gopus set up as a Peer's, gopus and libopus set
// up as opusenc's) and two decoders (gopus, libopus); it returns the SNR and detected frequency
// of each way, named "encoder->decoder".
func opusRoundTrips(t *testing.T, hz float64) map[string][2]float64 {
	dir := t.TempDir()
	pcm := toneSamples(hz, 3)
	raw := filepath.Join(dir, "in.raw")
	writeRaw(t, raw, pcm)
	peerEnc, err := NewOpusEncoder()
	if err != nil {
		t.Fatal(err)
	}
	oggs := map[string]string{}
	for name, enc := range map[string]*gopus.Encoder{"gopus-voip": peerEnc, "gopus-audio": audioEncoder(t)} {
		oggs[name] = filepath.Join(dir, name+".opus")
		gopusToOgg(t, enc, pcm, oggs[name])
	}
	oggs["libopus-audio"] = filepath.Join(dir, "libopus.opus")
	libopus(t, opusencArgs(raw, oggs["libopus-audio"])...)
	out := map[string][2]float64{}
	measure := func(name string, got []int16) {
		if d := len(pcm) - len(got); d < -FrameSamples || d > 5*FrameSamples {
			t.Errorf("%s: %d samples decoded of %d", name, len(got), len(pcm))
		}
		snr, f := toneSNR(got, hz)
		out[name] = [2]float64{snr, f}
	}
	for enc, ogg := range oggs {
		measure(enc+"->gopus", oggToGopus(t, ogg))
		dec := filepath.Join(dir, enc+".raw")
		libopus(t, opusdecArgs(ogg, dec)...)
		measure(enc+"->libopus", readRaw(t, dec))
	}
	return out
}

// gopus and libopus interoperate both ways on Ogg files and code tones comparably, measured on
// the steady part (gopus's automatic mode choice codes the first 400 ms of a tone in hybrid
// mode, libopus 1.3.1 in CELT at once). Every way keeps 25 dB and the frequency within 2 Hz;
// set up alike (application audio, hard CBR), gopus encodes within 8 dB of libopus (it is
// about 6 dB behind at 3 kHz, level at 1 kHz and below); the gopus decoder is within 1 dB of
// libopus's on every stream.
func TestOpusAgainstLibopus(t *testing.T) {
	requireTool(t, "opusenc")
	requireTool(t, "opusdec")
	for _, hz := range []float64{440, 1000, 3000} {
		res := opusRoundTrips(t, hz)
		for _, enc := range []string{"gopus-voip", "gopus-audio", "libopus-audio"} {
			for _, dec := range []string{"gopus", "libopus"} {
				snr, f := res[enc+"->"+dec][0], res[enc+"->"+dec][1]
				t.Logf("%4.0f Hz %13s -> %-7s SNR %5.1f dB, detected %6.1f Hz", hz, enc, dec, snr, f)
				if math.Abs(f-hz) > 2 {
					t.Errorf("%.0f Hz %s->%s: detected %.1f Hz", hz, enc, dec, f)
				}
				if snr < 25 {
					t.Errorf("%.0f Hz %s->%s: SNR %.1f dB", hz, enc, dec, snr)
				}
			}
			if g, l := res[enc+"->gopus"][0], res[enc+"->libopus"][0]; math.Abs(g-l) > 1 {
				t.Errorf("%.0f Hz %s: gopus decodes at %.1f dB, libopus at %.1f dB", hz, enc, g, l)
			}
		}
		for _, dec := range []string{"gopus", "libopus"} {
			if g, l := res["gopus-audio->"+dec][0], res["libopus-audio->"+dec][0]; g < l-8 {
				t.Errorf("%.0f Hz: gopus encodes at %.1f dB, libopus at %.1f dB", hz, g, l)
			}
		}
	}
}

// cpuTime is the CPU time (user+system) this process used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOpusGopus is the CPU of gopus encoding and decoding (as a Peer does) per second of
// audio.
func BenchmarkOpusGopus(b *testing.B) {
	pcm := toneSamples(440, 10)
	enc, err := NewOpusEncoder()
	if err != nil {
		b.Fatal(err)
	}
	dec, err := NewOpusDecoder()
	if err != nil {
		b.Fatal(err)
	}
	pkt := make([]byte, maxOpusPacket)
	out := make([]int16, maxFrameDecode)
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for range b.N {
		for i := 0; i+FrameSamples <= len(pcm); i += FrameSamples {
			n, err := enc.EncodeInt16(pcm[i:i+FrameSamples], pkt)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := dec.DecodeInt16(pkt[:n], out); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu := cpuTime(b) - cpu0
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/10/1e6, "ms-cpu/s-audio")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10/1e6, "ms-wall/s-audio")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkOpusLibopus is the CPU time (user+system) of opusenc and opusdec for the same work,
// per second of audio (the processes' start included, amortised over 10 s of audio).
func BenchmarkOpusLibopus(b *testing.B) {
	requireTool(b, "opusenc")
	requireTool(b, "opusdec")
	dir := b.TempDir()
	raw, ogg, dec := filepath.Join(dir, "in.raw"), filepath.Join(dir, "x.opus"), filepath.Join(dir, "x.raw")
	writeRaw(b, raw, toneSamples(440, 10))
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		cpu += libopus(b, opusencArgs(raw, ogg)...)
		cpu += libopus(b, opusdecArgs(ogg, dec)...)
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/10/1e6, "ms-cpu/s-audio")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10/1e6, "ms-wall/s-audio")
	b.ReportMetric(0, "ns/op")
}
