package session

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// Draft is a text message for Send. Text is markdown (plain text stays plain; user IDs become
// mention pills and are listed in m.mentions) unless Plain is set. At most one of ReplyTo, Edit
// and Thread is set; none is a new message in the room's main timeline.
type Draft struct {
	Text  string
	Plain bool // send Text as it is: no formatted body, no mentions
	// ReplyTo makes the message a reply (m.in_reply_to, without a fallback quote) to an event of
	// the room; a markdown reply mentions the sender of that event.
	ReplyTo id.EventID
	// Edit makes the message a new text for one of our earlier messages (m.replace with
	// m.new_content); clients without edit support show the fallback "* text".
	Edit id.EventID
	// Thread puts the message into the thread of this stored event of the room (a thread reply
	// stands for its own thread's root).
	Thread id.EventID
}

// errDraftRelations is returned for a draft that is more than one of a reply, an edit and a
// thread reply.
var errDraftRelations = errors.New("a message is at most one of a reply, an edit and a thread reply")

// Send queues a text message and returns its transaction ID. The message (the local echo) is in
// the store before anything goes to the server; FlushQueue or Run send it.
func (s *Session) Send(ctx context.Context, roomID id.RoomID, d Draft) (string, error) {
	relations := 0
	for _, ev := range []id.EventID{d.ReplyTo, d.Edit, d.Thread} {
		if ev != "" {
			relations++
		}
	}
	switch {
	case relations > 1:
		return "", fmt.Errorf("failed to send: %w", errDraftRelations)
	case d.Thread != "":
		return s.sendThreadReply(ctx, roomID, d.Thread, d.Text, d.Plain)
	case d.Edit != "" && d.Plain:
		return s.sendEdit(ctx, roomID, d.Edit, d.Text)
	case d.Edit != "":
		return s.sendEditMarkdown(ctx, roomID, d.Edit, d.Text)
	case d.ReplyTo != "" && d.Plain:
		return s.sendReply(ctx, roomID, d.ReplyTo, d.Text)
	case d.ReplyTo != "":
		return s.sendReplyMarkdown(ctx, roomID, d.ReplyTo, d.Text)
	case d.Plain:
		return s.sendText(ctx, roomID, d.Text)
	default:
		return s.sendMarkdown(ctx, roomID, d.Text)
	}
}
