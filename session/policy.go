package session

import "context"

// Action is something the engine asks the policy about before doing it.
type Action string

// The actions the policy hook is asked about.
const (
	ActionLogin     Action = "login"
	ActionJoin      Action = "join"
	ActionInvite    Action = "invite"
	ActionSend      Action = "send"
	ActionShareKeys Action = "share_keys"
)

// PolicyRequest describes one action; fields that do not apply are empty.
type PolicyRequest struct {
	Action     Action
	Homeserver string // base URL of the homeserver (login)
	UserID     string // our user, or the user to log in as
	RoomID     string // room acted on, or the room ID or alias to join
	Target     string // invited user, or device receiving keys
}

// Policy decides whether an action is allowed. BOS mode plugs in here; a non-nil error denies
// the action and is returned to the caller wrapped in ErrPolicyDenied.
type Policy interface {
	Check(ctx context.Context, req PolicyRequest) error
}

// AllowAll permits everything (the default outside BOS mode).
type AllowAll struct{}

// Check allows every action.
func (AllowAll) Check(context.Context, PolicyRequest) error { return nil }
