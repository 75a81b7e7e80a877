package session

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"bosmessenger/session/fedlist"
	"bosmessenger/session/policy"
)

// Enforcer is the effective policy at work: it implements Policy for the engine (every door asks
// it), keeps the federation list (fetched, verified against the pinned keys, protected against
// rollback) and knows whether BOS mode is blocked. In BOS mode it fails closed: without a valid,
// unexpired list every action that talks to the homeserver is refused (see Blocked). Outside BOS
// mode a configured list only names organisations; the other keys apply in both modes.
type Enforcer struct {
	pol    *policy.Policy
	keys   []ed25519.PublicKey
	client *http.Client // fetches the list (never the homeserver's guarded client)
	now    func() time.Time

	// RefreshInterval is how often the list is fetched again (default one hour); BlockedRetry how
	// often while blocked (default one minute), so that a newer list recovers without a restart.
	// Set them before the enforcer is used.
	RefreshInterval, BlockedRetry time.Duration

	refreshMu sync.Mutex // one refresh at a time

	mu       sync.Mutex
	loaded   bool          // a refresh has run
	list     *fedlist.List // the accepted list (kept while a newer fetch is refused: see reason)
	jws      string        // the accepted list as signed
	floor    int64         // version of the last accepted list: older ones are rollbacks
	floorJWS string        // the accepted list of version floor, to spot a different list of the same version
	reason   string        // why the last fetched list was refused ("" when it was accepted)
	cause    BlockCause    // reason's cause
	fetched  time.Time     // time of the last refresh
	sess     *Session      // the session whose store keeps the rollback floor (nil before login)
	stop     chan struct{} // stops the refresher of sess
	wake     chan struct{} // tells the refresher that the state changed (its wait may be shorter now)
}

// NewEnforcer makes the enforcer of an effective policy. Nothing is fetched until the first
// check that needs the list, Refresh, or a session opened with it.
func NewEnforcer(p *policy.Policy) *Enforcer {
	return &Enforcer{pol: p, keys: p.PublicKeys(), client: &http.Client{Timeout: 30 * time.Second}, now: time.Now,
		RefreshInterval: time.Hour, BlockedRetry: time.Minute, wake: make(chan struct{}, 1)}
}

// Policy is the effective policy the enforcer applies.
func (e *Enforcer) Policy() *policy.Policy { return e.pol }

// SetHTTPClient sets the client that fetches the list (for tests with their own TLS roots).
func (e *Enforcer) SetHTTPClient(c *http.Client) { e.client = c }

// BlockCause names why BOS mode is blocked, so that a front end can explain it in its own
// language (see BlockCauseOf); the error text says the same in English.
type BlockCause string

// Causes of a blocked BOS mode.
const (
	BlockNoListURL  BlockCause = "no_list_url"   // bos_mode without federation_list_url
	BlockNoKeys     BlockCause = "no_keys"       // bos_mode without federation_list_public_keys
	BlockNotLoaded  BlockCause = "not_loaded"    // no list fetched yet
	BlockUnreadable BlockCause = "unreadable"    // the list could not be fetched or read
	BlockSignature  BlockCause = "bad_signature" // the signature does not verify with a pinned key
	BlockAlgorithm  BlockCause = "algorithm"     // unsupported algorithm or type
	BlockMalformed  BlockCause = "malformed"     // the payload is not a valid list
	BlockExpired    BlockCause = "expired"       // the list has expired
	BlockRollback   BlockCause = "rollback"      // older than, or different from, the accepted version
)

// blockedError says why BOS mode is blocked and what the admin must do.
type blockedError struct {
	cause  BlockCause
	reason string
}

func (e *blockedError) Error() string { return ErrPolicyBlocked.Error() + ": " + e.reason }
func (e *blockedError) Unwrap() error { return ErrPolicyBlocked }

// BlockCauseOf returns the cause of a blocked state (an error from Blocked or
// Session.BlockedReason), "" for any other error.
func BlockCauseOf(err error) BlockCause {
	var b *blockedError
	if errors.As(err, &b) {
		return b.cause
	}
	return ""
}

// Blocked returns nil unless BOS mode is on and cannot prove its rules; then the error (matching
// ErrPolicyBlocked) says what is wrong and what the admin must do.
func (e *Enforcer) Blocked() error {
	if !e.pol.BOSMode() {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.blockedLocked()
}

func (e *Enforcer) blockedLocked() error {
	switch {
	case e.pol.FederationListURL() == "":
		return &blockedError{BlockNoListURL, "bos_mode is on but federation_list_url is not set; the admin must set it in the policy"}
	case len(e.keys) == 0:
		return &blockedError{BlockNoKeys, "bos_mode is on but no federation_list_public_keys are pinned; the admin must set them in the policy"}
	case e.reason != "":
		return &blockedError{e.cause, e.reason}
	case e.list == nil:
		return &blockedError{BlockNotLoaded, "the federation list has not been loaded yet"}
	case e.list.Expired(e.now()):
		return &blockedError{BlockExpired, fmt.Sprintf("federation list version %d expired at %s; the admin must publish a newer signed list",
			e.list.Version, e.list.ExpiresAt.UTC().Format(time.RFC3339))}
	}
	return nil
}

// ListState is what is known about the federation list.
type ListState struct {
	URL       string
	List      *fedlist.List // the accepted list (nil if none)
	Floor     int64         // version of the last accepted list (rollback protection)
	FetchedAt time.Time     // last refresh (zero if none yet)
	Problem   string        // why the last fetched list was refused ("" if accepted)
	Blocked   error         // non-nil while BOS mode is blocked
}

// State reports the federation list and the blocked state.
func (e *Enforcer) State() ListState {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := ListState{URL: e.pol.FederationListURL(), List: e.list, Floor: e.floor, FetchedAt: e.fetched, Problem: e.reason}
	if e.pol.BOSMode() {
		st.Blocked = e.blockedLocked()
	}
	return st
}

// Organisation looks up a server in the federation list: its organisation, whether it is vetted
// (on the list), and whether the answer is known at all (false when no valid list is in effect,
// for example while BOS mode is blocked). It is the session's OrgLookup (set when a session opens
// with this enforcer).
func (e *Enforcer) Organisation(serverName string) (org string, vetted bool, known bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.list == nil || e.reason != "" || e.list.Expired(e.now()) {
		return "", false, false
	}
	srv, ok := e.list.Lookup(serverName)
	return srv.Organisation, ok, true
}

// vetted reports whether serverName is on the accepted list (false while blocked).
func (e *Enforcer) vetted(serverName string) bool {
	_, ok, known := e.Organisation(serverName)
	return ok && known
}

// Refresh fetches and checks the list now. It returns the blocked state afterwards (nil outside
// BOS mode, where a refused list is only reported in State).
func (e *Enforcer) Refresh(ctx context.Context) error {
	url := e.pol.FederationListURL()
	if url == "" || len(e.keys) == 0 {
		e.mu.Lock()
		e.loaded = true
		e.mu.Unlock()
		return e.Blocked()
	}
	e.refreshMu.Lock()
	defer e.refreshMu.Unlock()
	jws, err := fedlist.Fetch(ctx, e.client, url)
	e.mu.Lock()
	before := e.summaryLocked()
	prev := e.list
	if prev == nil && e.floorJWS != "" {
		prev, _ = fedlist.PeekPayload(e.floorJWS) // verified when it was accepted
	}
	e.loaded, e.fetched = true, e.now()
	accepted := false
	if err != nil {
		e.cause, e.reason = BlockUnreadable, fmt.Sprintf("federation list unreadable (%v); the admin must check federation_list_url and the list server", err)
	} else {
		accepted = e.evaluateLocked(jws)
	}
	after, sess, version, current := e.summaryLocked(), e.sess, e.floor, e.list
	e.mu.Unlock()
	if sess != nil && (accepted || before != after) {
		sess.policyChanged(ctx, version, jws, accepted, before != after)
	}
	if removed := current.Removed(prev); accepted && sess != nil && len(removed) > 0 {
		sess.discardRoomKeys(ctx, removed)
		if sess.cli != nil {
			sess.recheckInvites(ctx)
		}
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return e.Blocked()
}

// evaluateLocked accepts jws as the current list if it verifies, has not expired and is not
// older than the last accepted one; otherwise it records why not.
func (e *Enforcer) evaluateLocked(jws string) bool {
	l, err := fedlist.Verify(jws, e.keys, e.now())
	switch {
	case err != nil:
		e.cause, e.reason = verifyCause(err), fmt.Sprintf("federation list refused: %v; the admin must publish a valid list signed with a pinned key", err)
	case l.Version < e.floor:
		e.cause, e.reason = BlockRollback, fmt.Sprintf("federation list version %d is older than the accepted version %d (rollback); the admin must publish version %d or newer",
			l.Version, e.floor, e.floor)
	case l.Version == e.floor && e.floorJWS != "" && fedlist.PayloadOf(jws) != fedlist.PayloadOf(e.floorJWS):
		e.cause, e.reason = BlockRollback, fmt.Sprintf("federation list version %d differs from the accepted list of the same version; the admin must publish a new version",
			l.Version)
	default:
		e.list, e.jws, e.floor, e.floorJWS, e.reason, e.cause = l, jws, l.Version, jws, "", ""
		return true
	}
	return false
}

// verifyCause maps a fedlist.Verify error to its cause.
func verifyCause(err error) BlockCause {
	switch {
	case errors.Is(err, fedlist.ErrExpired):
		return BlockExpired
	case errors.Is(err, fedlist.ErrAlgorithm):
		return BlockAlgorithm
	case errors.Is(err, fedlist.ErrMalformed):
		return BlockMalformed
	case errors.Is(err, fedlist.ErrNoKeys):
		return BlockNoKeys
	}
	return BlockSignature
}

// summaryLocked describes the state for change detection.
func (e *Enforcer) summaryLocked() string {
	v := int64(0)
	if e.list != nil {
		v = e.list.Version
	}
	b := ""
	if err := e.blockedLocked(); err != nil && e.pol.BOSMode() {
		b = err.Error()
	}
	return fmt.Sprintf("%d|%s|%s", v, e.reason, b)
}

// ensureLoaded refreshes once if nothing was fetched yet (before a login, or in bosctl policy).
func (e *Enforcer) ensureLoaded(ctx context.Context) {
	e.mu.Lock()
	loaded := e.loaded
	e.mu.Unlock()
	if !loaded {
		_ = e.Refresh(ctx)
	}
}
