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
)

// Errors of attachments and the send queue.
var (
	ErrFileTooLarge      = errors.New("file too large")
	ErrNotRegularFile    = errors.New("not a regular file")
	ErrUnknownQueueEntry = errors.New("no such message in the send queue")
	ErrAlreadySent       = errors.New("message was already sent")
)
