package call

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/callmedia"
)

// Version is the call version we speak (spec VoIP v1).
const Version = event.CallVersion("1")

// DefaultLifetime is how long our invites ring (as Element and matrix-js-sdk: 60 s).
const DefaultLifetime = 60 * time.Second

// DefaultBatchDelay is how long local ICE candidates are collected before they go out in one
// m.call.candidates event (end of gathering sends at once).
const DefaultBatchDelay = 200 * time.Millisecond

// Errors of the machine, tested with errors.Is.
var (
	ErrUnknownCall = errors.New("unknown call")
	ErrState       = errors.New("the call is not in a state that allows this")
	ErrBusy        = errors.New("already in a call")
)

// Media is what a call needs of its media; callmedia.Peer implements it.
type Media interface {
	Offer(ctx context.Context) (string, error)
	Answer(ctx context.Context, offerSDP string) (string, error)
	SetAnswer(sdp string) error
	AddRemoteCandidate(c callmedia.Candidate) error
	OnLocalCandidate(f func(c *callmedia.Candidate))
	OnState(f func(callmedia.State))
	Close() error
}

// Renegotiator is implemented by media that can renegotiate an established call (m.call.negotiate).
type Renegotiator interface {
	Renegotiate(ctx context.Context) (string, error)
	HandleOffer(ctx context.Context, offerSDP string) (string, error)
}

// MediaFactory makes the media of one call (when it is placed or answered).
type MediaFactory func() (Media, error)

// Sender sends one call event into a room (content is a mautrix call event content, by value).
type Sender func(ctx context.Context, roomID id.RoomID, evType event.Type, content any) error

// State is where a call stands.
type State string

// States of a call.
const (
	StateInviteSent State = "invite_sent" // outgoing: invite sent, waiting for an answer
	StateRinging    State = "ringing"     // incoming: not answered yet
	StateConnecting State = "connecting"  // answered: media connecting
	StateConnected  State = "connected"
	StateEnded      State = "ended"
)

// Reasons a call ended (Info.EndReason): the spec's hangup reasons, and a few of ours for ends
// without a hangup event.
const (
	ReasonICEFailed         = string(event.CallHangupICEFailed)
	ReasonInviteTimeout     = string(event.CallHangupInviteTimeout)
	ReasonUserHangup        = string(event.CallHangupUserHangup)
	ReasonUserMediaFailed   = string(event.CallHangupUserMediaFailed)
	ReasonUserBusy          = "user_busy"
	ReasonUnknownError      = string(event.CallHangupUnknownError)
	ReasonRejected          = "rejected"           // m.call.reject
	ReasonAnsweredElsewhere = "answered_elsewhere" // another device of ours took (or refused) the call
	ReasonReplaced          = "replaced"           // glare: our invite gave way to theirs
)

// Info is a snapshot of a call.
type Info struct {
	CallID        string    `json:"call_id"`
	RoomID        id.RoomID `json:"room_id"`
	Peer          id.UserID `json:"peer"` // the other side (callee or caller)
	Outbound      bool      `json:"outbound"`
	State         State     `json:"state"`
	PartyID       string    `json:"party_id"`                 // ours
	OpponentParty string    `json:"opponent_party,omitempty"` // the other side's device, once known
	InviteAt      time.Time `json:"invite_at"`                // invite sent or received
	ConnectedAt   time.Time `json:"connected_at,omitzero"`
	EndedAt       time.Time `json:"ended_at,omitzero"`
	EndReason     string    `json:"end_reason,omitempty"`
	EndedByRemote bool      `json:"ended_by_remote,omitempty"`
	// Missed: an incoming call that ended without being answered here or elsewhere.
	Missed bool `json:"missed,omitempty"`
	// Replaced: glare, this outgoing call gave way to ReplacedBy (the other side's invite).
	ReplacedBy string `json:"replaced_by,omitempty"`
}

// Event is one received m.call.* event (decrypted where it was encrypted).
type Event struct {
	RoomID  id.RoomID
	Sender  id.UserID
	Type    event.Type
	Content json.RawMessage
	TS      time.Time     // origin_server_ts
	Age     time.Duration // unsigned.age when known (else now-TS is used)
}

func toMedia(c event.CallCandidate) callmedia.Candidate {
	return callmedia.Candidate{Candidate: c.Candidate, SDPMid: c.SDPMID, SDPMLineIndex: c.SDPMLineIndex}
}

func fromMedia(c callmedia.Candidate) event.CallCandidate {
	return event.CallCandidate{Candidate: c.Candidate, SDPMID: c.SDPMid, SDPMLineIndex: c.SDPMLineIndex}
}

func base(callID, party string) event.BaseCallEventContent {
	return event.BaseCallEventContent{CallID: callID, PartyID: party, Version: Version}
}
