package jspeer

import (
	"context"
	"fmt"
)

// PollVote is one vote as matrix-js-sdk parses it (PollResponseEvent, validated against the poll).
type PollVote struct {
	Sender  string   `json:"sender"`
	Answers []string `json:"answers"`
	Spoiled bool     `json:"spoiled"`
	TS      int64    `json:"ts"`
}

// PollAnswer is an answer of a poll as matrix-js-sdk reads it.
type PollAnswer struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Poll is a poll as matrix-js-sdk's Poll model holds it: the parsed start, whether a valid end
// arrived, and the votes in the live timeline.
type Poll struct {
	Question      string       `json:"question"`
	Kind          string       `json:"kind"`
	MaxSelections int          `json:"max_selections"`
	Answers       []PollAnswer `json:"answers"`
	Ended         bool         `json:"ended"`
	Responses     []PollVote   `json:"responses"`
}

// Poll returns the poll pollID of the room as the SDK understands it (an error while the SDK has
// no Poll model for it).
func (p *Peer) Poll(ctx context.Context, roomID, pollID string) (Poll, error) {
	var res Poll
	if err := p.call(ctx, "poll", map[string]any{"room_id": roomID, "poll_id": pollID}, &res); err != nil {
		return Poll{}, fmt.Errorf("failed to read poll %s: %w", pollID, err)
	}
	return res, nil
}
