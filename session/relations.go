package session

import (
	"context"

	"maunium.net/go/mautrix/id"
)

// SendReply queues a text reply to another event of the room.
func (s *Session) SendReply(ctx context.Context, roomID id.RoomID, inReplyTo id.EventID, body string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.room.message", map[string]any{
		"msgtype": "m.text",
		"body":    body,
		"m.relates_to": map[string]any{
			"m.in_reply_to": map[string]any{"event_id": inReplyTo},
		},
	})
}

// SendEdit queues a new text for one of our earlier messages (m.replace); clients without edit
// support show the fallback body "* text".
func (s *Session) SendEdit(ctx context.Context, roomID id.RoomID, original id.EventID, body string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.room.message", map[string]any{
		"msgtype":       "m.text",
		"body":          "* " + body,
		"m.new_content": map[string]any{"msgtype": "m.text", "body": body},
		"m.relates_to":  map[string]any{"rel_type": "m.replace", "event_id": original},
	})
}

// SendReaction queues a reaction (an emoji or short text) to an event. Reactions stay unencrypted
// even in encrypted rooms, as in other clients, so that servers can count them.
func (s *Session) SendReaction(ctx context.Context, roomID id.RoomID, target id.EventID, key string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.reaction", map[string]any{
		"m.relates_to": map[string]any{"rel_type": "m.annotation", "event_id": target, "key": key},
	})
}
