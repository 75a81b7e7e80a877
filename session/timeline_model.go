package session

import (
	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/session/alert"
	"bosmessenger/session/poll"
)

// Kinds of timeline messages (Message.Kind).
const (
	KindText          = "text"
	KindNotice        = "notice"
	KindEmote         = "emote"
	KindImage         = "image"
	KindFile          = "file"
	KindVideo         = "video"
	KindAudio         = "audio"
	KindState         = "state"
	KindUndecryptable = "undecryptable"
	KindRedacted      = "redacted"
	KindUnknown       = "unknown"
	KindVerification  = "verification" // an in-room verification request (m.key.verification.request)
	KindLocation      = "location"     // m.location (Message.Location)
)

// Kinds of state changes (Message.StateKind).
const (
	StateJoined     = "joined"
	StateLeft       = "left"
	StateInvited    = "invited"
	StateKicked     = "kicked"
	StateBanned     = "banned"
	StateName       = "name"
	StateTopic      = "topic"
	StateEncryption = "encryption"
	StateCreate     = "create"
	StateOther      = "other"
)

// Stable reasons why an event could not be decrypted (Message.DecryptionReason, history's
// decryption_reason): the codes crypto classifies and the store keeps (crypto.Reason).
const (
	ReasonMissingSession   = string(e2ee.ReasonMissingKey)       // the room key has not arrived (yet)
	ReasonWithheld         = string(e2ee.ReasonWithheld)         // the sender refused to share the key
	ReasonUnverifiedDevice = string(e2ee.ReasonUnverifiedDevice) // withheld: this device is not verified (m.unverified)
	ReasonUnknownDevice    = string(e2ee.ReasonUnknownDevice)    // withheld: the sender has no channel to this device (m.no_olm)
	ReasonTampered         = string(e2ee.ReasonTampered)         // replayed, corrupted, wrong room or mismatching device keys
	ReasonUnknownAlgorithm = string(e2ee.ReasonUnknownAlgorithm) // encrypted with an algorithm other than megolm v1
	ReasonDeviceLocked     = string(e2ee.ReasonDeviceLocked)     // not decrypted: policy requires this device to be verified first
	ReasonOther            = string(e2ee.ReasonOther)
)

// Send states of local echoes (Message.SendState); "" for events the server has.
const (
	SendStateQueued = "queued"
	SendStateFailed = "failed"
)

// Message is one entry of a room timeline as a GUI shows it: the event with its edits, reactions,
// read receipts and reply quote folded in.
type Message struct {
	// Row is the message's place in the room's timeline (store row ID; larger is newer, backfilled
	// rows may be negative); 0 for local echoes and thread windows. Pages are asked for by row
	// (TimelineBefore, TimelineAfter).
	Row        int64      `json:"-"`
	EventID    id.EventID `json:"event_id,omitempty"`
	TxnID      string     `json:"txn_id,omitempty"` // local echo: the transaction ID of the outgoing event
	Sender     id.UserID  `json:"sender"`
	SenderName string     `json:"sender_name"` // the name to show: cleaned, disambiguated (names.go)
	AvatarURL  string     `json:"avatar_url,omitempty"`
	TS         int64      `json:"ts"`
	Kind       string     `json:"kind"` // Kind* constants
	// SenderOrganisation runs the sender's homeserver, SenderVetted tells it is on the vetted list
	// (BOS mode, see OrgLookup; empty without it).
	SenderOrganisation string `json:"sender_organisation,omitempty"`
	SenderVetted       bool   `json:"sender_vetted,omitempty"`
	// SenderUnvetted: a valid list is in effect and the sender's server is not on it.
	SenderUnvetted bool `json:"-"`

	Body          string       `json:"body,omitempty"`           // plain text, without a reply fallback
	FormattedBody string       `json:"formatted_body,omitempty"` // org.matrix.custom.html without <mx-reply>, unsanitised
	Reply         *Quote       `json:"reply,omitempty"`
	Edited        bool         `json:"edited,omitempty"` // Body and FormattedBody are the latest edit's
	Redacted      bool         `json:"redacted,omitempty"`
	Damaged       bool         `json:"damaged,omitempty"`   // the stored event could not be read (Kind unknown, no content)
	Mentioned     bool         `json:"mentioned,omitempty"` // mentions us (user ID, display name or m.mentions)
	File          *MessageFile `json:"file,omitempty"`      // media messages
	Location      *Location    `json:"location,omitempty"`  // Kind location
	Voice         *VoiceInfo   `json:"voice,omitempty"`     // Kind audio marked as a voice message (MSC3245)

	// Thread: the summary of the thread this message is the root of (nil without replies);
	// ThreadRoot: the root of the thread this message is a reply in.
	Thread     *ThreadSummary `json:"thread,omitempty"`
	ThreadRoot id.EventID     `json:"thread_root,omitempty"`

	StateKind string `json:"state_kind,omitempty"` // Kind "state": State* constants
	StateArg  string `json:"state_arg,omitempty"`  // new name or topic, or the affected user's name

	Reactions []Reaction  `json:"reactions,omitempty"`
	ReadBy    []id.UserID `json:"read_by,omitempty"` // users (not us) whose m.read receipt is at this event

	Encrypted        bool   `json:"encrypted,omitempty"`
	DecryptionError  string `json:"decryption_error,omitempty"`
	DecryptionReason string `json:"decryption_reason,omitempty"` // Reason* constants
	SenderTrust      string `json:"sender_trust,omitempty"`      // mautrix trust state of the sender's device
	SenderVerified   bool   `json:"sender_verified,omitempty"`

	SendState string `json:"send_state,omitempty"` // SendState* constants
	SendError string `json:"send_error,omitempty"`

	// Alert is set when the message is an alert (de.bos.alert, docs/PROTOCOL.md): the board of
	// its responses is Session.AlertBoard(room, EventID).
	Alert *alert.Alert `json:"alert,omitempty"`
	// Status is set when the message is a unit's FMS status (de.bos.status).
	Status *alert.UnitStatus `json:"status,omitempty"`
	Poll   *poll.Results     `json:"poll,omitempty"` // Kind "poll": the poll with its results (polls.go)
	Call   *CallSummary      `json:"call,omitempty"` // Kind "call": a call's history line (callhistory.go)
}

// Quote is the event a message replies to. Sender and Body are empty when it is not stored.
type Quote struct {
	EventID    id.EventID `json:"event_id"`
	Sender     id.UserID  `json:"sender,omitempty"`
	SenderName string     `json:"sender_name,omitempty"`
	Body       string     `json:"body,omitempty"`
}

// Reaction is one reaction key on a message with the users who reacted with it.
type Reaction struct {
	Key     string      `json:"key"`
	Count   int         `json:"count"`
	Mine    bool        `json:"mine,omitempty"`
	Senders []id.UserID `json:"senders"`
}

// MessageFile describes the attachment of a media message; DownloadFile(EventID) fetches it.
type MessageFile struct {
	Name      string `json:"name"`
	MimeType  string `json:"mimetype,omitempty"`
	Size      int64  `json:"size,omitempty"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	MXC       string `json:"mxc,omitempty"`
	Encrypted bool   `json:"encrypted,omitempty"` // the file is encrypted (key in the event)
	// DurationMS is a video's or audio's length from its info, in milliseconds (0: unknown).
	DurationMS int64 `json:"duration_ms,omitempty"`
	// Blurhash is an image's placeholder from its info (session.BlurhashImage decodes it).
	Blurhash string `json:"blurhash,omitempty"`
}
