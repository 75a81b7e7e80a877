package session

import (
	"net/http"
)

// guardTransport is the one door to the homeserver in BOS mode: while BOS mode is blocked it
// refuses every request before it leaves the machine, whichever part of the engine (sync, send
// queue, crypto, verification, media) makes it.
type guardTransport struct {
	base http.RoundTripper
	e    *Enforcer
}

func (g guardTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := g.e.Blocked(); err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	return g.base.RoundTrip(r)
}

// guardHTTP returns cfg's HTTP client behind the enforcer's door (unchanged without an enforcer).
func guardHTTP(cfg *Config) {
	e, ok := cfg.Policy.(*Enforcer)
	if !ok {
		return
	}
	c := *cfg.HTTPClient
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if _, done := base.(guardTransport); done {
		return
	}
	c.Transport = guardTransport{base: base, e: e}
	cfg.HTTPClient = &c
}
