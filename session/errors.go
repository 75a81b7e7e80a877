package session

import (
	"errors"
	"fmt"

	"bosmessenger/session/call"
)

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
	// ErrDeviceNotVerified: policy requires this device to be verified (with another device of
	// ours, or with the recovery key) before it sends or reads encrypted messages.
	ErrDeviceNotVerified = errors.New("this device is not verified yet (verify it with another device of yours or with the recovery key)")
	// ErrRemoteWiped: the server said this device is gone (deleted, or its token revoked without
	// soft logout) and the account's local data was deleted. It matches ErrSessionTerminated.
	ErrRemoteWiped = fmt.Errorf("signed out remotely, local data deleted (%w)", ErrSessionTerminated)
	ErrForbidden   = errors.New("forbidden by the homeserver")    // M_FORBIDDEN
	ErrNotFound    = errors.New("not found on the homeserver")    // M_NOT_FOUND or HTTP 404
	ErrRateLimited = errors.New("rate limited by the homeserver") // M_LIMIT_EXCEEDED or HTTP 429
)

// Errors of data dir safety and login input (issue 11).
var (
	ErrIncompleteDataDir = errors.New("data dir holds an incomplete account")
	ErrForeignFile       = errors.New("data dir holds a file that is not BOS Messenger's under one of its names")
	ErrNoDataDir         = errors.New("no data dir given")
	ErrUnsupportedScheme = errors.New("unsupported scheme (use https://, or http:// on loopback)")
	ErrCredentialsInURL  = errors.New("homeserver URL must not contain a user name or password")
)

// Errors of attachments and the send queue.
var (
	ErrFileTooLarge      = errors.New("file too large")
	ErrNotRegularFile    = errors.New("not a regular file")
	ErrUnknownQueueEntry = errors.New("no such message in the send queue")
	ErrAlreadySent       = errors.New("message was already sent")
)

// ErrPolicyBlocked is returned for every action that talks to the homeserver while BOS mode is
// blocked (no valid federation list, see Enforcer.Blocked). It matches ErrPolicyDenied too.
var ErrPolicyBlocked = fmt.Errorf("%w: BOS mode is blocked", ErrPolicyDenied)

// Errors of alerting.
var (
	ErrUnknownAlert = errors.New("unknown alert")
	// ErrUnknownTemplate: no incident template has the ID asked for.
	ErrUnknownTemplate = errors.New("unknown incident template")
)

// ErrChatExportDisabled: the policy key disable_chat_export forbids exporting conversations
// (the incident export). It matches ErrPolicyDenied.
var ErrChatExportDisabled = fmt.Errorf("%w: exporting conversations is disabled by the administrator (disable_chat_export)", ErrPolicyDenied)

// Errors of polls.
var (
	ErrUnknownPoll    = errors.New("unknown poll")
	ErrPollEnded      = errors.New("poll has ended")
	ErrPollNotAllowed = errors.New("only the poll's creator or a moderator may end it")
)

// Errors of threads and locations.
var (
	ErrUnknownEvent    = errors.New("unknown event")
	ErrInvalidLocation = errors.New("invalid location")
	// ErrLocationDisabled: the policy key disable_location forbids sharing locations.
	ErrLocationDisabled = fmt.Errorf("%w: sharing locations is disabled (disable_location)", ErrPolicyDenied)
)

// ErrSessionClosed is returned by WipeLocal for a session that was closed before: nothing is
// deleted behind the back of a process that may have opened the data dir since.
var ErrSessionClosed = errors.New("session is closed")

// ErrMediaMetadata: an image's metadata (EXIF with GPS, XMP) cannot be removed (HEIC, AVIF,
// TIFF/RAW, or a damaged JPEG/PNG/WebP) while removal is on; nothing was sent.
var ErrMediaMetadata = errors.New("the image's metadata (location, camera) cannot be removed")

// ErrMediaMetadataEnforced: the policy (strip_media_metadata, BOS mode) does not let the user
// keep image metadata.
var ErrMediaMetadataEnforced = fmt.Errorf("%w: image metadata is always removed (strip_media_metadata)", ErrPolicyDenied)

// ErrEmptySearch: the search text has no words to look for.
var ErrEmptySearch = errors.New("search text has no words")

// ErrInvalidNotificationLevel: a room notification level other than all, mentions or off.
var ErrInvalidNotificationLevel = errors.New("invalid notification level")

// ErrTransferCancelled: an upload or download was cancelled (its context, see WithProgress); an
// upload sent no message, a download wrote no file.
var ErrTransferCancelled = errors.New("the transfer was cancelled")

// ErrInvalidKeyword: a notification keyword that is empty, too long or has a character push
// rule IDs cannot hold (/, \, control characters).
var ErrInvalidKeyword = errors.New("invalid notification keyword")

// Errors of calls.
var (
	// ErrCallsDisabled: the policy key disable_calls forbids calls. It matches ErrPolicyDenied.
	ErrCallsDisabled = fmt.Errorf("%w: calls are disabled by the administrator (disable_calls)", ErrPolicyDenied)
	ErrUnknownCall   = call.ErrUnknownCall // no call with this ID
	ErrCallState     = call.ErrState       // the call is not ringing, already ended, ...
	ErrCallBusy      = call.ErrBusy        // another call is going on
	// ErrNotOneToOne: 1:1 calls need a room with exactly one other joined member.
	ErrNotOneToOne = errors.New("calls need a room with exactly one other member")
	// ErrNoMicrophone: no audio device to record from (or no permission to use it).
	ErrNoMicrophone = errors.New("no microphone available")
	// ErrNoTURNServer: a relay-only call (CallMediaOptions.RelayOnly) but the homeserver offers
	// no TURN server (/voip/turnServer).
	ErrNoTURNServer = errors.New("the homeserver offers no TURN server")
)
