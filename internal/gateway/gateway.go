// Package gateway is the REST interface for dispatch systems (bosctl gateway, issue 10): POST
// /v1/alerts, GET /v1/alerts/{event_id}?room=ROOM, POST /v1/status, behind a bearer token, a
// request size limit and a rate limit (docs/gateway.openapi.yaml). It drives the session
// engine through a small interface and never imports the GUI.
package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// Engine is what the gateway needs of a session (*session.Session implements it).
type Engine interface {
	SendAlert(ctx context.Context, roomID id.RoomID, a alert.Alert) (string, error)
	SendUnitStatus(ctx context.Context, roomID id.RoomID, st alert.UnitStatus) (string, error)
	WaitSent(ctx context.Context, txnID string) (id.EventID, error)
	AlertBoard(ctx context.Context, roomID id.RoomID, alertEvent id.EventID) (*alert.Board, error)
}

// Options configure the handler.
type Options struct {
	Token    string        // bearer token (required)
	MaxBody  int64         // request size limit (default 64 KiB)
	Rate     rate.Limit    // requests per second (default 10)
	Burst    int           // bucket size (default 20)
	SendWait time.Duration // how long a POST waits for the server to accept the event (default 30 s)
}

// MaxBodyDefault is the default request size limit.
const MaxBodyDefault = 64 << 10

// Handler serves the gateway's API.
type Handler struct {
	eng     Engine
	opts    Options
	token   [32]byte
	limiter *rate.Limiter
	mux     *http.ServeMux
}

// New makes the handler; an empty token is refused.
func New(eng Engine, opts Options) (*Handler, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("failed to start gateway: empty token")
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = MaxBodyDefault
	}
	if opts.Rate <= 0 {
		opts.Rate = 10
	}
	if opts.Burst <= 0 {
		opts.Burst = 20
	}
	if opts.SendWait <= 0 {
		opts.SendWait = 30 * time.Second
	}
	h := &Handler{eng: eng, opts: opts, token: sha256.Sum256([]byte(opts.Token)), limiter: rate.NewLimiter(opts.Rate, opts.Burst)}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("POST /v1/alerts", h.postAlert)
	h.mux.HandleFunc("GET /v1/alerts/{event_id}", h.getBoard)
	h.mux.HandleFunc("POST /v1/status", h.postStatus)
	return h, nil
}

// ServeHTTP checks the token and the rate limit, then serves the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="bosmessenger"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	if !h.limiter.Allow() {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "rate limit exceeded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBody)
	h.mux.ServeHTTP(w, r)
}

// authorized compares the bearer token in constant time (over hashes, so the length leaks nothing).
func (h *Handler) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], h.token[:]) == 1
}

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

// decode reads a JSON body strictly (unknown fields, trailing data and oversized bodies refused).
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
			return false
		}
		writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return false
	}
	return true
}

// roomParam checks a room ID.
func roomParam(room string) (id.RoomID, error) {
	if !strings.HasPrefix(room, "!") || !strings.Contains(room, ":") || len(room) > 255 {
		return "", fmt.Errorf("room must be a room ID like !abc:server, not %q", room)
	}
	return id.RoomID(room), nil
}

// AlertRequest is the body of POST /v1/alerts.
type AlertRequest struct {
	Room      string   `json:"room"`
	Keyword   string   `json:"keyword"`
	Text      string   `json:"text"`
	Address   string   `json:"address"`
	Units     []string `json:"units"`
	DeadlineS int64    `json:"deadline_s"` // seconds from now (0: none)
	Required  int      `json:"required"`
	Priority  string   `json:"priority"` // alarm (default) or info
}

func (h *Handler) postAlert(w http.ResponseWriter, r *http.Request) {
	var req AlertRequest
	if !decode(w, r, &req) {
		return
	}
	roomID, err := roomParam(req.Room)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.DeadlineS < 0 || req.DeadlineS > 7*24*3600 {
		writeError(w, http.StatusBadRequest, "deadline_s must be 0 to 604800")
		return
	}
	a := alert.Alert{Keyword: req.Keyword, Text: req.Text, Address: req.Address, Units: req.Units, Required: req.Required,
		Priority: alert.Priority(req.Priority)}
	if req.DeadlineS > 0 {
		a.DeadlineTS = time.Now().Add(time.Duration(req.DeadlineS) * time.Second).UnixMilli()
	}
	if err := a.Normalize(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.send(w, r, func(ctx context.Context) (string, error) { return h.eng.SendAlert(ctx, roomID, a) })
}

// StatusRequest is the body of POST /v1/status.
type StatusRequest struct {
	Room string `json:"room"`
	FMS  *int   `json:"fms"`
	Unit string `json:"unit"`
}

func (h *Handler) postStatus(w http.ResponseWriter, r *http.Request) {
	var req StatusRequest
	if !decode(w, r, &req) {
		return
	}
	roomID, err := roomParam(req.Room)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.FMS == nil {
		writeError(w, http.StatusBadRequest, "fms is missing")
		return
	}
	st := alert.UnitStatus{FMS: *req.FMS, Unit: req.Unit}
	if err := st.Check(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.send(w, r, func(ctx context.Context) (string, error) { return h.eng.SendUnitStatus(ctx, roomID, st) })
}

// send queues an event and answers its event ID once the homeserver accepted it; when that takes
// too long it answers 202 with the transaction ID (the event stays queued and is sent later).
func (h *Handler) send(w http.ResponseWriter, r *http.Request, queue func(context.Context) (string, error)) {
	txn, err := queue(r.Context())
	if err != nil {
		h.engineError(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.SendWait)
	defer cancel()
	eventID, err := h.eng.WaitSent(ctx, txn)
	if err != nil {
		if ctx.Err() != nil && r.Context().Err() == nil {
			writeJSON(w, http.StatusAccepted, map[string]string{"txn_id": txn, "state": "queued"})
			return
		}
		writeError(w, http.StatusBadGateway, "sending failed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"event_id": eventID.String()})
}

func (h *Handler) getBoard(w http.ResponseWriter, r *http.Request) {
	roomID, err := roomParam(r.URL.Query().Get("room"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	eventID := r.PathValue("event_id")
	if !strings.HasPrefix(eventID, "$") || len(eventID) > 255 {
		writeError(w, http.StatusBadRequest, "event_id must be an event ID like $abc")
		return
	}
	b, err := h.eng.AlertBoard(r.Context(), roomID, id.EventID(eventID))
	if err != nil {
		h.engineError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// engineError maps engine errors to status codes; details of other failures stay in no answer.
func (h *Handler) engineError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, session.ErrUnknownAlert):
		writeError(w, http.StatusNotFound, "unknown alert")
	case errors.Is(err, session.ErrUnknownRoom):
		writeError(w, http.StatusBadRequest, "unknown room (not joined)")
	case errors.Is(err, alert.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, session.ErrPolicyDenied):
		writeError(w, http.StatusForbidden, "denied by policy")
	case errors.Is(err, session.ErrCannotEncrypt):
		writeError(w, http.StatusBadGateway, "cannot encrypt")
	default:
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}
