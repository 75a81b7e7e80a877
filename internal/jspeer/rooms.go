package jspeer

import (
	"context"
	"fmt"
)

// CreateRoom creates a private room (m.megolm.v1.aes-sha2 encrypted if asked)
// inviting the given users, and waits until the room (and its encryption) is
// in the peer's sync.
func (p *Peer) CreateRoom(ctx context.Context, name string, encrypted bool, invite []string) (roomID string, err error) {
	if invite == nil {
		invite = []string{}
	}
	var res struct {
		RoomID string `json:"room_id"`
	}
	args := map[string]any{"name": name, "encrypted": encrypted, "invite": invite}
	if err := p.call(ctx, "create_room", args, &res); err != nil {
		return "", fmt.Errorf("failed to create room %q: %w", name, err)
	}
	return res.RoomID, nil
}

// Join joins a room by ID or alias (via servers are optional) and waits until
// the join (and the room's encryption, if any) is in the peer's sync.
func (p *Peer) Join(ctx context.Context, roomIDOrAlias string, via ...string) (roomID string, err error) {
	if via == nil {
		via = []string{}
	}
	var res struct {
		RoomID string `json:"room_id"`
	}
	if err := p.call(ctx, "join", map[string]any{"room": roomIDOrAlias, "via": via}, &res); err != nil {
		return "", fmt.Errorf("failed to join %s: %w", roomIDOrAlias, err)
	}
	return res.RoomID, nil
}

// WaitForInvite waits until the peer's sync shows an invite, to roomID or
// (with roomID "") to any room, and returns the room ID.
func (p *Peer) WaitForInvite(ctx context.Context, roomID string) (string, error) {
	var res struct {
		RoomID string `json:"room_id"`
	}
	if err := p.call(ctx, "wait_invite", map[string]any{"room_id": roomID}, &res); err != nil {
		return "", fmt.Errorf("failed to wait for an invite: %w", err)
	}
	return res.RoomID, nil
}

// Invite invites userID into roomID.
func (p *Peer) Invite(ctx context.Context, roomID, userID string) error {
	if err := p.call(ctx, "invite", map[string]any{"room_id": roomID, "user_id": userID}, nil); err != nil {
		return fmt.Errorf("failed to invite %s into %s: %w", userID, roomID, err)
	}
	return nil
}
