package session

import (
	"context"
	"errors"
	"fmt"
)

// Action is something the engine asks the policy about before doing it.
type Action string

// The actions the policy hook is asked about.
const (
	ActionLogin         Action = "login"
	ActionJoin          Action = "join"
	ActionInvite        Action = "invite"         // we invite Target into RoomID
	ActionReceiveInvite Action = "receive_invite" // Target invited us into RoomID; a denied invite is rejected unseen
	ActionCreateRoom    Action = "create_room"
	ActionSend          Action = "send"
	ActionShareKeys     Action = "share_keys"
)

// PolicyRequest describes one action; fields that do not apply are empty.
type PolicyRequest struct {
	Action     Action
	Homeserver string // base URL of the homeserver (login)
	ServerName string // server name of the account to log in, when known before login (login)
	UserID     string // our user, or the user to log in as
	RoomID     string // room acted on, or the room ID or alias to join
	Target     string // invited user or inviter, or the user whose devices would receive keys
	Encrypted  bool   // the room to create is encrypted (create_room)

	session *Session // the asking session (nil at login): room facts for the Enforcer
	queued  bool     // send: the queue is about to send (the room's members must be known for sure)
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

// checkPolicy asks the policy about req on behalf of s and wraps a denial: what names the action
// in the error ("send to !room:server"). The result always matches ErrPolicyDenied, and
// ErrPolicyBlocked when BOS mode is blocked.
func (s *Session) checkPolicy(ctx context.Context, what string, req PolicyRequest) error {
	req.session = s
	if req.UserID == "" {
		req.UserID = s.account.UserID.String()
	}
	return policyDenied(what, s.cfg.Policy.Check(ctx, req))
}

func policyDenied(what string, err error) error {
	if err == nil {
		return nil
	}
	var unavailable *errPolicyUnavailable
	if errors.As(err, &unavailable) {
		return fmt.Errorf("failed to check the policy for %s: %w", what, unavailable.err)
	}
	if errors.Is(err, ErrPolicyDenied) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrPolicyDenied, what, err)
}
