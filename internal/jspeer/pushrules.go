package jspeer

import (
	"context"
	"fmt"
)

// PushActions is what matrix-js-sdk's push processor (Element's notifications) decides for an event.
type PushActions struct {
	Notify    bool `json:"notify"`
	Highlight bool `json:"highlight"`
}

// PushActions evaluates the account's push rules on an event of the room, after its decryption.
func (p *Peer) PushActions(ctx context.Context, roomID, eventID string) (PushActions, error) {
	var res PushActions
	if err := p.call(ctx, "push_actions", map[string]any{"room_id": roomID, "event_id": eventID}, &res); err != nil {
		return PushActions{}, fmt.Errorf("failed to evaluate push rules on %s: %w", eventID, err)
	}
	return res, nil
}

// RefreshPushRules makes the SDK load the account's push rules from the server now.
func (p *Peer) RefreshPushRules(ctx context.Context) error {
	if err := p.call(ctx, "refresh_push_rules", nil, nil); err != nil {
		return fmt.Errorf("failed to refresh push rules: %w", err)
	}
	return nil
}
