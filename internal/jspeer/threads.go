package jspeer

import (
	"context"
	"fmt"
	"time"
)

// SendThreadReply sends an m.text into the thread of rootID the way the SDK does it (sendEvent
// with a thread ID: rel_type m.thread, is_falling_back and m.in_reply_to its latest reply).
// Needs LoginWithThreads for the fallback to name the latest reply.
func (p *Peer) SendThreadReply(ctx context.Context, roomID, rootID, body string) (eventID string, err error) {
	var res struct {
		EventID string `json:"event_id"`
	}
	args := map[string]any{"room_id": roomID, "root_id": rootID, "body": body}
	if err := p.call(ctx, "send_thread_reply", args, &res); err != nil {
		return "", fmt.Errorf("failed to reply in thread %s: %w", rootID, err)
	}
	return res.EventID, nil
}

// Thread is a thread as the SDK's Thread model holds it.
type Thread struct {
	Length int     `json:"length"` // number of replies
	Events []Event `json:"events"` // root first, then the replies the SDK loaded
}

// Thread waits (up to timeout) until the SDK holds the thread of rootID with at least minLength
// replies and returns it. Needs LoginWithThreads.
func (p *Peer) Thread(ctx context.Context, roomID, rootID string, minLength int, timeout time.Duration) (Thread, error) {
	var th Thread
	args := map[string]any{"room_id": roomID, "root_id": rootID, "min_length": minLength, "timeout_ms": timeout.Milliseconds()}
	cctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	if err := p.call(cctx, "thread", args, &th); err != nil {
		return th, fmt.Errorf("failed to get thread %s: %w", rootID, err)
	}
	return th, nil
}
