package rtc

import (
	"encoding/json"
	"strings"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// MemberEventType is the MatrixRTC membership state event (MSC3401/MSC4143).
var MemberEventType = event.Type{Type: "org.matrix.msc3401.call.member", Class: event.StateEventType}

// Membership defaults, as Element Call sends them.
const (
	ApplicationCall = "m.call"
	ScopeRoom       = "m.room"
	// DefaultExpiry is how long a membership counts without a refresh. Dendrite has no delayed
	// events (MSC4140), so a client that dies leaves its membership behind until then.
	DefaultExpiry = 4 * time.Hour
	// FocusSelectionOldest: everybody uses the focus of the oldest membership.
	FocusSelectionOldest = "oldest_membership"
)

// ActiveFocus is focus_active of a membership.
type ActiveFocus struct {
	Type           string `json:"type"`
	FocusSelection string `json:"focus_selection"`
}

// PreferredFocus is one entry of foci_preferred: a LiveKit focus and the LiveKit room (alias).
type PreferredFocus struct {
	Type       string `json:"type"`
	ServiceURL string `json:"livekit_service_url"`
	Alias      string `json:"livekit_alias"`
}

// MemberContent is the content of a call membership for one device (a session membership,
// as Element Call sends it since 2024). Empty (all zero) content means the device left.
type MemberContent struct {
	Application   string           `json:"application,omitempty"`
	CallID        string           `json:"call_id"`
	Scope         string           `json:"scope,omitempty"`
	DeviceID      id.DeviceID      `json:"device_id,omitempty"`
	Expires       int64            `json:"expires,omitempty"` // ms after created_ts (or the event's timestamp)
	CreatedTS     int64            `json:"created_ts,omitempty"`
	FocusActive   *ActiveFocus     `json:"focus_active,omitempty"`
	FociPreferred []PreferredFocus `json:"foci_preferred,omitempty"`
}

// MemberStateKey is the state key of a device's membership: "_@user:server_DEVICE", the form
// Element Call uses in rooms whose version does not let users own state keys (MSC3757/MSC3779).
func MemberStateKey(user id.UserID, device id.DeviceID) string {
	return "_" + string(user) + "_" + string(device)
}

// NewMember is the membership of a device that joins the call of a room through focus.
func NewMember(device id.DeviceID, focus Focus, roomID id.RoomID, now time.Time) MemberContent {
	return MemberContent{Application: ApplicationCall, CallID: "", Scope: ScopeRoom, DeviceID: device,
		Expires: DefaultExpiry.Milliseconds(), CreatedTS: now.UnixMilli(),
		FocusActive:   &ActiveFocus{Type: FocusTypeLiveKit, FocusSelection: FocusSelectionOldest},
		FociPreferred: []PreferredFocus{{Type: FocusTypeLiveKit, ServiceURL: focus.ServiceURL, Alias: string(roomID)}}}
}

// Member is a parsed, current membership of a room's call.
type Member struct {
	UserID    id.UserID
	DeviceID  id.DeviceID
	StateKey  string
	Focus     PreferredFocus // the first preferred LiveKit focus
	CreatedTS int64
	ExpiresAt time.Time
}

// Identity is the participant identity the JWT service gives this member in LiveKit.
func (m Member) Identity() string { return Identity(m.UserID, m.DeviceID) }

// Identity is the LiveKit participant identity of a Matrix device: "@user:server:DEVICE", as
// lk-jwt-service issues it.
func Identity(user id.UserID, device id.DeviceID) string { return string(user) + ":" + string(device) }

// ParseMember reads a membership state event; ok is false for a left (empty), expired,
// foreign-application or malformed one.
func ParseMember(sender id.UserID, stateKey string, raw json.RawMessage, originTS int64, now time.Time) (Member, bool) {
	var c MemberContent
	if len(raw) == 0 || json.Unmarshal(raw, &c) != nil || c.Application != ApplicationCall || c.DeviceID == "" {
		return Member{}, false
	}
	if c.Scope != "" && c.Scope != ScopeRoom {
		return Member{}, false
	}
	// The state key must name the sender: "_@user:server_DEVICE" or "@user:server_DEVICE".
	if !strings.HasPrefix(strings.TrimPrefix(stateKey, "_"), string(sender)+"_") {
		return Member{}, false
	}
	created := c.CreatedTS
	if created == 0 {
		created = originTS
	}
	expiry := c.Expires
	if expiry <= 0 {
		expiry = DefaultExpiry.Milliseconds()
	}
	m := Member{UserID: sender, DeviceID: c.DeviceID, StateKey: stateKey, CreatedTS: created,
		ExpiresAt: time.UnixMilli(created + expiry)}
	if !m.ExpiresAt.After(now) {
		return Member{}, false
	}
	for _, f := range c.FociPreferred {
		if f.Type == FocusTypeLiveKit {
			m.Focus = f
			break
		}
	}
	return m, true
}

// ActiveFocusOf picks the focus of the call by "oldest_membership": the first preferred focus
// of the oldest current member; ok is false when nobody is in the call.
func ActiveFocusOf(members []Member) (PreferredFocus, bool) {
	var best *Member
	for i := range members {
		m := &members[i]
		if m.Focus.ServiceURL == "" {
			continue
		}
		if best == nil || m.CreatedTS < best.CreatedTS {
			best = m
		}
	}
	if best == nil {
		return PreferredFocus{}, false
	}
	return best.Focus, true
}
