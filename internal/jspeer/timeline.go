package jspeer

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// unknownRoom starts the js error for a room missing from the client.
const unknownRoom = "unknown room"

// Events returns the room's live timeline as the SDK holds it, each event
// after its decryption settled (failures are reported in DecryptionFailure).
func (p *Peer) Events(ctx context.Context, roomID string) ([]Event, error) {
	var res struct {
		Events []Event `json:"events"`
	}
	if err := p.call(ctx, "events", map[string]any{"room_id": roomID}, &res); err != nil {
		return nil, fmt.Errorf("failed to get the events of %s: %w", roomID, err)
	}
	for _, e := range res.Events {
		p.events.put(e)
	}
	return res.Events, nil
}

// WaitForEvent waits until an event of the room satisfies match, checking
// every event the peer has seen (including earlier ones) and each later
// update (an event that failed to decrypt is offered again when keys arrive
// late). When ctx ends first, the error names the decryption failures seen.
// Without a ctx deadline it waits defaultTimeout.
func (p *Peer) WaitForEvent(ctx context.Context, roomID string, match func(Event) bool) (Event, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	// Seed the store from the timeline; a room the peer has not synced yet
	// is no error: its events arrive as pushes.
	if _, err := p.Events(ctx, roomID); err != nil {
		var re *RemoteError
		if !errors.As(err, &re) || !strings.HasPrefix(re.Message, unknownRoom) {
			return Event{}, fmt.Errorf("failed to wait for an event: %w", err)
		}
	}
	for {
		evs, changed := p.events.snapshot(roomID)
		for _, e := range evs {
			if match(e) {
				return e, nil
			}
		}
		select {
		case <-changed:
		case <-p.proc.Done():
			return Event{}, fmt.Errorf("failed to wait for an event in %s: node exited (%v)", roomID, p.proc.WaitErr())
		case <-ctx.Done():
			return Event{}, fmt.Errorf("failed to wait for an event in %s (%d events seen, %s): %w",
				roomID, len(evs), describeFailures(evs), ctx.Err())
		}
	}
}

// WaitForText waits for an m.room.message with the given body (decrypted if encrypted).
func (p *Peer) WaitForText(ctx context.Context, roomID, body string) (Event, error) {
	return p.WaitForEvent(ctx, roomID, func(e Event) bool {
		return e.Type == "m.room.message" && e.Body() == body
	})
}
