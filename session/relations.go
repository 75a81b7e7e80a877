package session

import (
	"context"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// sendReply queues a text reply to another event of the room.
func (s *Session) sendReply(ctx context.Context, roomID id.RoomID, inReplyTo id.EventID, body string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.room.message", &event.MessageEventContent{
		MsgType:   event.MsgText,
		Body:      body,
		RelatesTo: (&event.RelatesTo{}).SetReplyTo(inReplyTo),
	})
}

// sendEdit queues a new text for one of our earlier messages (m.replace); clients without edit
// support show the fallback body "* text".
func (s *Session) sendEdit(ctx context.Context, roomID id.RoomID, original id.EventID, body string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.room.message", &event.MessageEventContent{
		MsgType:    event.MsgText,
		Body:       "* " + body,
		NewContent: &event.MessageEventContent{MsgType: event.MsgText, Body: body},
		RelatesTo:  (&event.RelatesTo{}).SetReplace(original),
	})
}

// SendReaction queues a reaction (an emoji or short text) to an event. Reactions stay unencrypted
// even in encrypted rooms, as in other clients, so that servers can count them.
func (s *Session) SendReaction(ctx context.Context, roomID id.RoomID, target id.EventID, key string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.reaction", &event.ReactionEventContent{
		RelatesTo: event.RelatesTo{Type: event.RelAnnotation, EventID: target, Key: key},
	})
}
