package session

import (
	"errors"
	"fmt"
	"net/http"

	"maunium.net/go/mautrix"
)

// classify wraps the error of a homeserver request made to do what. Matrix error codes become the
// session sentinel errors (ErrSessionTerminated, ErrForbidden, ErrNotFound, ErrRateLimited) that
// front ends test with errors.Is; the original error stays in the chain (scrubbed of URLs with
// tokens), so mautrix's codes and the HTTP status remain reachable too. Every request path the
// front ends call goes through here, so no caller has to read an error's text.
func (s *Session) classify(what string, err error) error { return requestError(what, err) }

// requestError is classify for code without a Session.
func requestError(what string, err error) error {
	if err == nil {
		return nil
	}
	var blocked *blockedError // BOS mode blocked the request before it left: say only that
	if errors.As(err, &blocked) {
		return fmt.Errorf("failed to %s: %w", what, blocked)
	}
	if errors.Is(err, mautrix.MUnknownToken) && softLogout(err) {
		return fmt.Errorf("failed to %s: %w: %w: %w", what, ErrSessionTerminated, errSoftLogout, scrub(err))
	}
	if sentinel := matrixSentinel(err); sentinel != nil {
		return fmt.Errorf("failed to %s: %w: %w", what, sentinel, scrub(err))
	}
	return fmt.Errorf("failed to %s: %w", what, scrub(err))
}

// matrixSentinel is the session sentinel error for a homeserver's answer, nil if none fits.
func matrixSentinel(err error) error {
	switch {
	case errors.Is(err, ErrSessionTerminated), errors.Is(err, ErrForbidden), errors.Is(err, ErrNotFound),
		errors.Is(err, ErrRateLimited):
		return nil // already classified
	case errors.Is(err, mautrix.MUnknownToken):
		return ErrSessionTerminated
	case errors.Is(err, mautrix.MForbidden):
		return ErrForbidden
	case errors.Is(err, mautrix.MLimitExceeded):
		return ErrRateLimited
	case errors.Is(err, mautrix.MNotFound):
		return ErrNotFound
	}
	var httpErr mautrix.HTTPError
	if errors.As(err, &httpErr) && httpErr.Response != nil {
		switch httpErr.Response.StatusCode {
		case http.StatusNotFound:
			return ErrNotFound
		case http.StatusTooManyRequests:
			return ErrRateLimited
		}
	}
	return nil
}
