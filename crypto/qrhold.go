package crypto

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// doneHold is the HTTP transport of the verification helper's client. After we scanned the other
// device's QR code it holds back our m.key.verification.done until the other device sent its own.
// mautrix sends m.reciprocate.v1 and done right after the scan; the Rust crypto (matrix-js-sdk,
// Element) ignores a done that arrives before its user confirmed the scan, then waits for one
// forever and never marks us verified. Sending ours after theirs works with both (mautrix, as the
// showing side, sends its done on confirmation without waiting for ours).
//
// Its state is owned by the verifier's actor: holdFor, forget and release are called there, and
// RoundTrip looks at the state there (inline for the helper's requests, which it makes on act).
type doneHold struct {
	base  http.RoundTripper
	token func() string // the access token, read per request (it is the main client's)
	act   *actor

	txns map[string]bool          // verification transactions whose done is held back
	held map[string]*http.Request // the held requests, by verification transaction
}

func newDoneHold(base http.RoundTripper, token func() string, act *actor) *doneHold {
	if base == nil {
		base = http.DefaultTransport
	}
	return &doneHold{base: base, token: token, act: act, txns: map[string]bool{}, held: map[string]*http.Request{}}
}

// holdFor makes the transport hold back our done of verification txn.
func (h *doneHold) holdFor(txn string) {
	h.txns[txn] = true
}

// forget drops a held done (the verification was cancelled).
func (h *doneHold) forget(txn string) {
	delete(h.txns, txn)
	delete(h.held, txn)
}

// release sends the held done of txn, if any (the other device's done arrived).
func (h *doneHold) release(ctx context.Context, txn string) error {
	req := h.held[txn]
	delete(h.held, txn)
	delete(h.txns, txn)
	if req == nil {
		return nil
	}
	req = req.WithContext(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return fmt.Errorf("failed to send the verification done event: %w", err)
		}
		req.Body = body
	}
	resp, err := h.base.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("failed to send the verification done event: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("failed to send the verification done event: HTTP %d", resp.StatusCode)
	}
	return nil
}

// RoundTrip adds the access token and holds back the done events of held transactions, answering
// them as the server would.
func (h *doneHold) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	if tok := h.token(); tok != "" {
		out.Header.Set("Authorization", "Bearer "+tok)
	}
	if req.Method != http.MethodPut || !strings.Contains(req.URL.Path, "/sendToDevice/m.key.verification.done/") || req.Body == nil {
		return h.base.RoundTrip(out)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("failed to read the request body: %w", err)
	}
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	txn := doneTransaction(body)
	hold := false
	if err := h.act.do(req.Context(), func(context.Context) {
		if hold = txn != "" && h.txns[txn]; hold {
			h.held[txn] = out
		}
	}); err != nil {
		return nil, fmt.Errorf("failed to send the verification done event: %w", err)
	}
	if !hold {
		return h.base.RoundTrip(out)
	}
	return &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader("{}")),
		ContentLength: 2, Request: req}, nil
}

// doneTransaction is the verification transaction of a sendToDevice body with one done event.
func doneTransaction(body []byte) string {
	var req struct {
		Messages map[string]map[string]struct {
			TransactionID string `json:"transaction_id"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	for _, devs := range req.Messages {
		for _, c := range devs {
			return c.TransactionID
		}
	}
	return ""
}
