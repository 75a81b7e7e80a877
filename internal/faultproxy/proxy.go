package faultproxy

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Proxy is a reverse proxy on 127.0.0.1 in front of one target.
type Proxy struct {
	URL    string // base URL to give the client under test, http://127.0.0.1:PORT
	Target string // the homeserver behind the proxy

	srv       *httptest.Server
	rp        *httputil.ReverseProxy
	transport *http.Transport
	closeOnce sync.Once

	mu      sync.Mutex
	rules   []*rule
	seen    []string
	faulted int
}

// New starts a proxy to target (a base URL such as testserver's Server.URL)
// and closes it when the test ends.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		t.Fatalf("faultproxy: failed to parse target %q: %v", target, err)
	}
	p := &Proxy{Target: target}
	p.transport = http.DefaultTransport.(*http.Transport).Clone()
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.SetXForwarded()
		},
		Transport:     p.transport,
		FlushInterval: -1, // stream every write (long-polling /sync, chunked bodies)
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeBody(w, http.StatusBadGateway, "text/plain", "faultproxy: failed to reach the target: "+err.Error())
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	t.Cleanup(p.Close)
	return p
}

// Close stops the proxy, cutting open connections (such as long-polls).
// It is called at the end of the test; calling it earlier simulates an unreachable server.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() {
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.transport.CloseIdleConnections()
	})
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	rl := p.take(r.URL.Path)
	if rl == nil {
		p.rp.ServeHTTP(w, r)
		return
	}
	switch rl.fault {
	case Pass:
		p.rp.ServeHTTP(w, r)
	case Drop:
		dropConn(w)
	case Delay:
		select {
		case <-time.After(rl.delay):
		case <-r.Context().Done():
			return
		}
		p.rp.ServeHTTP(w, r)
	case DropResponse:
		p.rp.ServeHTTP(&discardWriter{}, r)
		dropConn(w)
	default:
		serveStatic(w, rl.fault)
	}
}
