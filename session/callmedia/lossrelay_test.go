package callmedia

import (
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// lossRelay stands between two peers on loopback and drops a share of their media packets, for
// packet loss figures where the kernel has no netem (tc qdisc ... netem: "unknown qdisc" here).
// Each peer is told that the other's candidate is one of the relay's two sockets: what B sends to
// sockB goes out of sockA to A, what A sends to sockA goes out of sockB to B, so each side sees
// one consistent address for the other.
// Only SRTP/SRTCP packets (first byte 128 to 191, RFC 7983) are dropped, at random with a fixed
// seed; STUN and DTLS pass, so the call still connects.
type lossRelay struct {
	sockA, sockB net.PacketConn // A talks to sockA, B to sockB
	loss         float64
	mu           sync.Mutex
	rng          *rand.Rand
	addrA, addrB atomic.Pointer[net.UDPAddr] // the peers' real addresses, from their candidates

	media, dropped atomic.Uint64
	wg             sync.WaitGroup
}

func newLossRelay(t testing.TB, loss float64, seed uint64) *lossRelay {
	t.Helper()
	r := &lossRelay{loss: loss, rng: rand.New(rand.NewPCG(seed, seed))}
	var err error
	if r.sockA, err = net.ListenPacket("udp4", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if r.sockB, err = net.ListenPacket("udp4", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	r.wg.Add(2)
	go r.forward(r.sockA, r.sockB, &r.addrB) // from A, on to B
	go r.forward(r.sockB, r.sockA, &r.addrA) // from B, on to A
	t.Cleanup(func() {
		_ = r.sockA.Close()
		_ = r.sockB.Close()
		r.wg.Wait()
	})
	return r
}

func (r *lossRelay) forward(in, out net.PacketConn, to *atomic.Pointer[net.UDPAddr]) {
	defer r.wg.Done()
	buf := make([]byte, 1600)
	for {
		n, _, err := in.ReadFrom(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		dst := to.Load()
		if err != nil || n == 0 || dst == nil {
			continue
		}
		if buf[0] >= 128 && buf[0] <= 191 {
			r.media.Add(1)
			r.mu.Lock()
			drop := r.rng.Float64() < r.loss
			r.mu.Unlock()
			if drop {
				r.dropped.Add(1)
				continue
			}
		}
		_, _ = out.WriteTo(buf[:n], dst)
	}
}

// rewrite takes a local candidate of peer A (fromA) or B, remembers its address and returns the
// candidate the other side gets: the same line with the relay's socket as address. ok is false
// for candidates other than the first host candidate (they are not passed on).
func (r *lossRelay) rewrite(c Candidate, fromA bool) (Candidate, bool) {
	f := strings.Fields(c.Candidate)
	if len(f) < 8 || f[7] != "host" {
		return c, false
	}
	port, err := strconv.Atoi(f[5])
	if err != nil {
		return c, false
	}
	real := &net.UDPAddr{IP: net.ParseIP(f[4]), Port: port}
	own, sock := &r.addrA, r.sockB // B gets A's candidate: it talks to sockB
	if !fromA {
		own, sock = &r.addrB, r.sockA
	}
	if !own.CompareAndSwap(nil, real) {
		return c, false
	}
	ra := sock.LocalAddr().(*net.UDPAddr)
	f[4], f[5] = ra.IP.String(), strconv.Itoa(ra.Port)
	c.Candidate = strings.Join(f, " ")
	return c, true
}
