package faultproxy

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// Fault is what the proxy does with a matching request.
type Fault int

const (
	// Pass forwards the request (useful to let the next n requests through before a later rule).
	Pass Fault = iota
	// Status500 answers 500 with a Matrix error body (M_UNKNOWN) without forwarding.
	Status500
	// Status502 answers 502 with an HTML body, like a reverse proxy whose backend is down.
	Status502
	// Status503 answers 503 with an HTML body, like a homeserver in maintenance.
	Status503
	// Status429 answers 429 M_LIMIT_EXCEEDED with retry_after_ms 100 and Retry-After: 1.
	Status429
	// MalformedJSON answers 200 with Content-Type application/json and a
	// truncated body (`{"next_batch": `).
	MalformedJSON
	// Drop closes the connection without any answer; the request is not forwarded.
	// Note that Go's http.Transport transparently retries an idempotent request
	// (GET) once when a reused keep-alive connection is closed without an
	// answer, so inject at least 2 (or -1) to make a Go client see the failure.
	Drop
	// Delay waits (InjectDelay's duration, default DefaultDelay) and then forwards.
	Delay
	// DropResponse forwards the request, lets the homeserver act on it, then
	// closes the connection without an answer (a lost response: the client
	// must retry idempotently, e.g. with the same transaction ID).
	DropResponse
	// Status401UnknownToken answers 401 M_UNKNOWN_TOKEN (soft_logout false), as for a deleted device.
	Status401UnknownToken
	// Status401SoftLogout answers 401 M_UNKNOWN_TOKEN with soft_logout true (an expired token).
	Status401SoftLogout
)

// DefaultDelay is the wait of Delay rules set with Inject.
const DefaultDelay = time.Second

var faultNames = [...]string{"Pass", "Status500", "Status502", "Status503", "Status429", "MalformedJSON", "Drop", "Delay", "DropResponse", "Status401UnknownToken", "Status401SoftLogout"}

func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// MalformedBody is the body served by MalformedJSON.
const MalformedBody = `{"next_batch": `

// serveStatic writes the answer of the faults that never reach the backend.
func serveStatic(w http.ResponseWriter, f Fault) {
	h := w.Header()
	switch f {
	case Status500:
		writeBody(w, http.StatusInternalServerError, "application/json",
			`{"errcode":"M_UNKNOWN","error":"faultproxy: injected internal server error"}`)
	case Status502:
		writeBody(w, http.StatusBadGateway, "text/html",
			"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	case Status503:
		writeBody(w, http.StatusServiceUnavailable, "text/html",
			"<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n")
	case Status429:
		h.Set("Retry-After", "1")
		writeBody(w, http.StatusTooManyRequests, "application/json",
			`{"errcode":"M_LIMIT_EXCEEDED","error":"faultproxy: injected rate limit","retry_after_ms":100}`)
	case MalformedJSON:
		writeBody(w, http.StatusOK, "application/json", MalformedBody)
	case Status401UnknownToken:
		writeBody(w, http.StatusUnauthorized, "application/json",
			`{"errcode":"M_UNKNOWN_TOKEN","error":"faultproxy: injected unknown token","soft_logout":false}`)
	case Status401SoftLogout:
		writeBody(w, http.StatusUnauthorized, "application/json",
			`{"errcode":"M_UNKNOWN_TOKEN","error":"faultproxy: injected soft logout","soft_logout":true}`)
	default:
		writeBody(w, http.StatusInternalServerError, "text/plain", "faultproxy: unknown fault "+f.String())
	}
}

func writeBody(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// dropConn closes the client connection without writing an answer.
func dropConn(w http.ResponseWriter) {
	if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = c.Close()
		return
	}
	panic(http.ErrAbortHandler) // the server closes the connection without an answer
}

// discardWriter is a ResponseWriter that throws the answer away (for DropResponse).
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}
