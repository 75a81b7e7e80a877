package jspeer

import (
	"context"
	"fmt"
)

// SendEvent sends a room event of any type; the SDK encrypts it in encrypted rooms.
func (p *Peer) SendEvent(ctx context.Context, roomID, eventType string, content map[string]any) (eventID string, err error) {
	var res struct {
		EventID string `json:"event_id"`
	}
	args := map[string]any{"room_id": roomID, "type": eventType, "content": content}
	if err := p.call(ctx, "send_event", args, &res); err != nil {
		return "", fmt.Errorf("failed to send %s into %s: %w", eventType, roomID, err)
	}
	return res.EventID, nil
}

// SendText sends an m.text message.
func (p *Peer) SendText(ctx context.Context, roomID, body string) (eventID string, err error) {
	return p.SendEvent(ctx, roomID, "m.room.message", map[string]any{"msgtype": "m.text", "body": body})
}

// SendReply sends an m.text message replying to inReplyTo (m.in_reply_to, no fallback).
func (p *Peer) SendReply(ctx context.Context, roomID, inReplyTo, body string) (eventID string, err error) {
	return p.SendEvent(ctx, roomID, "m.room.message", map[string]any{
		"msgtype":      "m.text",
		"body":         body,
		"m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": inReplyTo}},
	})
}

// SendEdit replaces the text of originalEventID (m.replace with m.new_content).
func (p *Peer) SendEdit(ctx context.Context, roomID, originalEventID, newBody string) (eventID string, err error) {
	return p.SendEvent(ctx, roomID, "m.room.message", map[string]any{
		"msgtype":       "m.text",
		"body":          "* " + newBody,
		"m.new_content": map[string]any{"msgtype": "m.text", "body": newBody},
		"m.relates_to":  map[string]any{"rel_type": "m.replace", "event_id": originalEventID},
	})
}

// SendReaction annotates eventID with key (an emoji, usually). matrix-js-sdk
// sends m.reaction unencrypted even in encrypted rooms.
func (p *Peer) SendReaction(ctx context.Context, roomID, eventID, key string) (reactionID string, err error) {
	return p.SendEvent(ctx, roomID, "m.reaction", map[string]any{
		"m.relates_to": map[string]any{"rel_type": "m.annotation", "event_id": eventID, "key": key},
	})
}
