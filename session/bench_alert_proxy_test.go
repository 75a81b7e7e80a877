package session_test

// The request counter of BenchmarkAlert200: a reverse proxy in front of Dendrite that counts what
// reaches the server, by client group and kind of request, in 100 ms buckets.

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Kinds of requests the counter tells apart.
const (
	reqSync          = "sync"
	reqSend          = "send" // PUT /rooms/{room}/send/{type}/{txn}
	reqJoinedMembers = "joined_members"
	reqOther         = "other"
)

const bucketWidth = 100 * time.Millisecond

// reqCounter counts the requests arriving at the server since Reset.
type reqCounter struct {
	mu          sync.Mutex
	start       time.Time
	buckets     []int // arrivals per bucketWidth since start (all groups)
	sendBuckets []int // sends per bucketWidth since start
	counts      map[string]int
	inflight    int // requests other than /sync under way
	maxInflight int
	sends       int // PUT /send under way
	maxSends    int
	syncs       int // /sync requests under way
	maxSyncs    int
}

func newReqCounter() *reqCounter {
	c := &reqCounter{}
	c.Reset()
	return c
}

// Reset starts counting afresh (requests under way stay counted as in flight).
func (c *reqCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.start = time.Now()
	c.buckets, c.sendBuckets = nil, nil
	c.counts = map[string]int{}
	c.maxInflight, c.maxSyncs, c.maxSends = c.inflight, c.syncs, c.sends
}

func requestKind(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/sync"):
		return reqSync
	case r.Method == http.MethodPut && strings.Contains(p, "/send/"):
		return reqSend
	case strings.HasSuffix(p, "/joined_members"):
		return reqJoinedMembers
	}
	return reqOther
}

// begin counts an arriving request of group and returns the function that ends it.
func (c *reqCounter) begin(group string, r *http.Request) func() {
	kind := requestKind(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	i := int(time.Since(c.start) / bucketWidth)
	for len(c.buckets) <= i {
		c.buckets = append(c.buckets, 0)
		c.sendBuckets = append(c.sendBuckets, 0)
	}
	c.buckets[i]++
	if kind == reqSend {
		c.sendBuckets[i]++
	}
	c.counts[group+"/"+kind]++
	c.counts[kind]++
	c.counts["all"]++
	if kind == reqSync {
		c.syncs++
		c.maxSyncs = max(c.maxSyncs, c.syncs)
		return func() { c.mu.Lock(); c.syncs--; c.mu.Unlock() }
	}
	c.inflight++
	c.maxInflight = max(c.maxInflight, c.inflight)
	if kind == reqSend {
		c.sends++
		c.maxSends = max(c.maxSends, c.sends)
		return func() { c.mu.Lock(); c.inflight--; c.sends--; c.mu.Unlock() }
	}
	return func() { c.mu.Lock(); c.inflight--; c.mu.Unlock() }
}

// reqStats is what the counter saw since Reset.
type reqStats struct {
	Counts       map[string]int // by kind, by group/kind, and "all"
	PeakPerSec   int            // most requests arriving within any one second (sliding, 100 ms steps)
	PeakSendsSec int            // most sends (PUT /send) within any one second
	MaxInflight  int            // most requests other than /sync under way at once
	MaxSends     int            // most sends under way at once (queued in the server)
	MaxSyncs     int            // most /sync long-polls under way at once
}

func (c *reqCounter) Stats() reqStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := reqStats{Counts: map[string]int{}, PeakPerSec: slidingMax(c.buckets), PeakSendsSec: slidingMax(c.sendBuckets),
		MaxInflight: c.maxInflight, MaxSyncs: c.maxSyncs, MaxSends: c.maxSends}
	for k, v := range c.counts {
		st.Counts[k] = v
	}
	return st
}

// slidingMax is the largest sum of one second's worth of consecutive buckets.
func slidingMax(b []int) int {
	n := int(time.Second / bucketWidth)
	best, sum := 0, 0
	for i, v := range b {
		sum += v
		if i >= n {
			sum -= b[i-n]
		}
		best = max(best, sum)
	}
	return best
}

// countingProxy starts a reverse proxy on loopback to target whose requests count as group.
func countingProxy(tb testing.TB, c *reqCounter, group, target string) string {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 512
	rp := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(u) },
		Transport:     transport,
		FlushInterval: -1,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		end := c.begin(group, r)
		defer end()
		rp.ServeHTTP(w, r)
	}))
	tb.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		transport.CloseIdleConnections()
	})
	return srv.URL
}
