package session

import "errors"

// Errors callers can test with errors.Is; the wrapped message carries the details.
var (
	ErrUnreachable       = errors.New("homeserver not reachable")
	ErrNotMatrixServer   = errors.New("not a Matrix homeserver")
	ErrLoginRefused      = errors.New("login refused")
	ErrNotLoggedIn       = errors.New("not logged in")
	ErrAlreadyLoggedIn   = errors.New("data dir already holds an account")
	ErrDataDirInUse      = errors.New("data dir is in use by another BOS Messenger process")
	ErrPolicyDenied      = errors.New("denied by policy")
	ErrCannotEncrypt     = errors.New("cannot encrypt")
	ErrNoStoreSecret     = errors.New("no way to unlock the store")
	ErrUnknownRoom       = errors.New("unknown room")
	ErrSessionTerminated = errors.New("session was signed out on the server")
	ErrForbidden         = errors.New("forbidden by the homeserver")    // M_FORBIDDEN
	ErrNotFound          = errors.New("not found on the homeserver")    // M_NOT_FOUND or HTTP 404
	ErrRateLimited       = errors.New("rate limited by the homeserver") // M_LIMIT_EXCEEDED or HTTP 429
)

// Errors of data dir safety and login input (issue 11).
var (
	ErrIncompleteDataDir = errors.New("data dir holds an incomplete account")
	ErrForeignFile       = errors.New("data dir holds a file that is not BOS Messenger's under one of its names")
	ErrNoDataDir         = errors.New("no data dir given")
	ErrUnsupportedScheme = errors.New("unsupported scheme (use https://, or http:// on loopback)")
	ErrCredentialsInURL  = errors.New("homeserver URL must not contain a user name or password")
)
