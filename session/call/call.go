package call

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"maunium.net/go/mautrix/event"

	"bosmessenger/session/callmedia"
)

// Call is one call. All its state changes run on its own goroutine (loop), in order: received
// events, media callbacks, timers and the caller's actions.
type Call struct {
	m       *Manager
	ctx     context.Context
	cancel  context.CancelFunc
	inbox   chan func()
	stopped chan struct{} // closed when loop returns
	factory MediaFactory

	mu   sync.Mutex // guards info for readers on other goroutines
	info Info

	// Owned by the loop:
	media    Media
	offer    string                           // incoming: the invite's SDP
	remote   map[string][]event.CallCandidate // candidates waiting for the media or the answer, by party
	local    []event.CallCandidate            // our candidates waiting to be sent
	canSend  bool                             // the invite or answer is out: candidates may follow
	batch    *time.Timer
	expiry   *time.Timer
	ended    chan struct{}
	endedSet bool
}

// Info returns a snapshot of the call.
func (c *Call) Info() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// Media returns the call's media (nil before it was placed or answered).
func (c *Call) Media() Media {
	res := make(chan Media, 1)
	if !c.post(func() { res <- c.media }) {
		return nil
	}
	select {
	case m := <-res:
		return m
	case <-c.ctx.Done():
		return nil
	}
}

func (c *Call) loop() {
	defer close(c.stopped)
	for {
		select {
		case f := <-c.inbox:
			f()
		case <-c.ctx.Done():
			return
		}
	}
}

// post runs f on the call's goroutine; false when the call is gone.
func (c *Call) post(f func()) bool {
	select {
	case c.inbox <- f:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// do runs f on the call's goroutine and waits for its result.
func (c *Call) do(ctx context.Context, f func() error) error {
	res := make(chan error, 1)
	if !c.post(func() { res <- f() }) {
		return fmt.Errorf("%w: the call has ended", ErrState)
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stopped:
		// The loop has stopped: f ran to its end before, or never will.
		select {
		case err := <-res:
			return err
		default:
			return fmt.Errorf("%w: the call has ended", ErrState)
		}
	}
}

func (c *Call) setState(s State) {
	c.mu.Lock()
	c.info.State = s
	c.mu.Unlock()
}

func (c *Call) notify(incoming bool) {
	if c.m.opt.OnChange != nil {
		c.m.opt.OnChange(c.Info(), incoming)
	}
}

func (c *Call) base() event.BaseCallEventContent { return base(c.info.CallID, c.info.PartyID) }

func (c *Call) sendEvent(t event.Type, content any) error {
	ctx, cancel := context.WithTimeout(c.m.ctx, 30*time.Second)
	defer cancel()
	if err := c.m.opt.Send(ctx, c.info.RoomID, t, content); err != nil {
		return fmt.Errorf("failed to send %s: %w", t.Type, err)
	}
	return nil
}

// startMedia makes the media and hooks its callbacks to the loop.
func (c *Call) startMedia() error {
	if c.factory == nil {
		return fmt.Errorf("%w: no media for the call", ErrState)
	}
	media, err := c.factory()
	if err != nil {
		return err
	}
	c.media = media
	media.OnLocalCandidate(func(cand *callmedia.Candidate) {
		var ec *event.CallCandidate
		if cand != nil {
			v := fromMedia(*cand)
			ec = &v
		}
		c.post(func() { c.localCandidate(ec) })
	})
	media.OnState(func(s callmedia.State) { c.post(func() { c.mediaState(s) }) })
	return nil
}

// invite (outgoing) makes the offer and sends the invite.
func (c *Call) invite(ctx context.Context) error {
	if err := c.startMedia(); err != nil {
		c.end(ReasonUserMediaFailed, false)
		return err
	}
	sdp, err := c.media.Offer(ctx)
	if err != nil {
		c.end(ReasonUserMediaFailed, false)
		return fmt.Errorf("failed to make the offer: %w", err)
	}
	lifetime := c.m.opt.Lifetime
	err = c.sendEvent(event.CallInvite, event.CallInviteEventContent{BaseCallEventContent: c.base(),
		Lifetime: int(lifetime.Milliseconds()), Offer: event.CallData{SDP: sdp, Type: event.CallDataTypeOffer}})
	if err != nil {
		c.end(ReasonUnknownError, false)
		return err
	}
	c.mu.Lock()
	c.info.InviteAt = c.m.opt.Now()
	c.mu.Unlock()
	c.canSend = true
	c.flushLater()
	c.expiry = time.AfterFunc(lifetime, func() {
		c.post(func() {
			if c.info.State == StateInviteSent {
				c.hangup(ReasonInviteTimeout)
			}
		})
	})
	return nil
}

// Answer answers a ringing incoming call with media from factory.
func (c *Call) Answer(ctx context.Context, factory MediaFactory) error {
	if c.m.disabled() {
		return c.m.opt.ErrDisabled
	}
	return c.do(ctx, func() error {
		if c.info.State != StateRinging {
			return fmt.Errorf("%w: %s is %s", ErrState, c.info.CallID, c.info.State)
		}
		c.factory = factory
		return c.answer(ctx)
	})
}

func (c *Call) answer(ctx context.Context) error {
	if c.expiry != nil {
		c.expiry.Stop()
	}
	if err := c.startMedia(); err != nil {
		c.reject(ReasonUserMediaFailed)
		return err
	}
	sdp, err := c.media.Answer(ctx, c.offer)
	if err != nil {
		c.hangup(ReasonUserMediaFailed)
		return fmt.Errorf("failed to answer the offer: %w", err)
	}
	err = c.sendEvent(event.CallAnswer, event.CallAnswerEventContent{BaseCallEventContent: c.base(),
		Answer: event.CallData{SDP: sdp, Type: event.CallDataTypeAnswer}})
	if err != nil {
		c.end(ReasonUnknownError, false)
		return err
	}
	c.setState(StateConnecting)
	c.notify(false)
	c.canSend = true
	c.flushLater()
	c.applyRemote(c.info.OpponentParty)
	return nil
}

// Reject refuses a ringing incoming call (m.call.reject: the caller's other invitees stop too).
func (c *Call) Reject() error {
	return c.do(c.m.ctx, func() error {
		if c.info.State != StateRinging {
			return fmt.Errorf("%w: %s is %s", ErrState, c.info.CallID, c.info.State)
		}
		c.reject(ReasonRejected)
		return nil
	})
}

func (c *Call) reject(reason string) {
	_ = c.sendEvent(event.CallReject, event.CallRejectEventContent{BaseCallEventContent: c.base()})
	c.end(reason, false)
}

// Hangup ends the call with a spec reason (ReasonUserHangup normally); a ringing incoming call is
// rejected instead.
func (c *Call) Hangup(reason string) error {
	if c.Info().State == StateEnded {
		return nil
	}
	err := c.do(c.m.ctx, func() error {
		switch c.info.State {
		case StateEnded:
			return nil
		case StateRinging:
			c.reject(ReasonRejected)
		default:
			c.hangup(reason)
		}
		return nil
	})
	if err != nil && c.Info().State == StateEnded {
		return nil // it ended meanwhile
	}
	return err
}

func (c *Call) hangup(reason string) {
	_ = c.sendEvent(event.CallHangup, event.CallHangupEventContent{BaseCallEventContent: c.base(),
		Reason: event.CallHangupReason(reason)})
	c.end(reason, false)
}

// Renegotiate sends a new offer on an established call (media that cannot renegotiate: ErrState).
func (c *Call) Renegotiate(ctx context.Context) error {
	return c.do(ctx, func() error {
		r, ok := c.media.(Renegotiator)
		if !ok || (c.info.State != StateConnected && c.info.State != StateConnecting) {
			return fmt.Errorf("%w: cannot renegotiate", ErrState)
		}
		sdp, err := r.Renegotiate(ctx)
		if err != nil {
			return fmt.Errorf("failed to renegotiate: %w", err)
		}
		return c.sendEvent(event.CallNegotiate, event.CallNegotiateEventContent{BaseCallEventContent: c.base(),
			Lifetime: int(c.m.opt.Lifetime.Milliseconds()), Description: event.CallData{SDP: sdp, Type: event.CallDataTypeOffer}})
	})
}

// Ended is closed when the call has ended.
func (c *Call) Ended() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended == nil {
		c.ended = make(chan struct{})
		if c.endedSet {
			close(c.ended)
		}
	}
	return c.ended
}

// end finishes the call (no event is sent here).
func (c *Call) end(reason string, remote bool) {
	if c.info.State == StateEnded {
		return
	}
	for _, t := range []*time.Timer{c.batch, c.expiry} {
		if t != nil {
			t.Stop()
		}
	}
	if c.media != nil {
		_ = c.media.Close()
	}
	c.mu.Lock()
	c.info.Missed = !c.info.Outbound && c.info.State == StateRinging && reason != ReasonAnsweredElsewhere && reason != ReasonRejected
	c.info.State, c.info.EndReason, c.info.EndedByRemote, c.info.EndedAt = StateEnded, reason, remote, c.m.opt.Now()
	c.endedSet = true
	if c.ended != nil {
		close(c.ended)
	}
	c.mu.Unlock()
	c.notify(false)
	// The loop stops after this function: later posts are dropped.
	go c.cancel()
}

func (c *Call) fail(err error) {
	_ = err
	if c.info.State != StateEnded {
		c.hangup(ReasonUserMediaFailed)
	}
}

// replaced ends an outgoing call that lost glare, without an event.
func (c *Call) replaced(by string) {
	c.mu.Lock()
	c.info.ReplacedBy = by
	c.mu.Unlock()
	c.end(ReasonReplaced, false)
}

func (c *Call) mediaState(s callmedia.State) {
	switch s {
	case callmedia.StateConnected:
		if c.info.State == StateConnecting {
			c.mu.Lock()
			c.info.State, c.info.ConnectedAt = StateConnected, c.m.opt.Now()
			c.mu.Unlock()
			c.notify(false)
		}
	case callmedia.StateFailed:
		if c.info.State != StateEnded {
			c.hangup(ReasonICEFailed)
		}
	}
}

// localCandidate collects our candidates (nil: gathering ended) for one m.call.candidates event.
func (c *Call) localCandidate(cand *event.CallCandidate) {
	if c.info.State == StateEnded {
		return
	}
	if cand == nil {
		// End of candidates, as the spec and matrix-js-sdk write it: an empty candidate.
		c.local = append(c.local, event.CallCandidate{Candidate: ""})
		c.flush()
		return
	}
	c.local = append(c.local, *cand)
	c.flushLater()
}

func (c *Call) flushLater() {
	if c.batch != nil || len(c.local) == 0 {
		return
	}
	c.batch = time.AfterFunc(c.m.opt.BatchDelay, func() { c.post(c.flush) })
}

func (c *Call) flush() {
	if c.batch != nil {
		c.batch.Stop()
		c.batch = nil
	}
	if !c.canSend || len(c.local) == 0 || c.info.State == StateEnded {
		return
	}
	list := c.local
	c.local = nil
	_ = c.sendEvent(event.CallCandidates, event.CallCandidatesEventContent{BaseCallEventContent: c.base(), Candidates: list})
}

// applyRemote hands the buffered candidates of party to the media.
func (c *Call) applyRemote(party string) {
	list := c.remote[party]
	c.remote = map[string][]event.CallCandidate{}
	for _, cand := range list {
		c.addRemote(cand)
	}
}

func (c *Call) addRemote(cand event.CallCandidate) {
	if cand.Candidate == "" || c.media == nil {
		return // end of candidates: nothing to add
	}
	_ = c.media.AddRemoteCandidate(toMedia(cand))
}

// handle takes one event of this call (not an invite; not our own echo).
func (c *Call) handle(ev Event, head event.BaseCallEventContent) {
	if c.info.State == StateEnded {
		return
	}
	fromMe := ev.Sender == c.m.opt.Me
	switch ev.Type {
	case event.CallCandidates:
		var cc event.CallCandidatesEventContent
		if json.Unmarshal(ev.Content, &cc) != nil || fromMe {
			return
		}
		known := c.info.OpponentParty != "" && !(c.info.Outbound && c.info.State == StateInviteSent)
		if !known || c.media == nil || c.info.State == StateRinging {
			c.remote[head.PartyID] = append(c.remote[head.PartyID], cc.Candidates...)
			return
		}
		if head.PartyID != c.info.OpponentParty {
			return
		}
		for _, cand := range cc.Candidates {
			c.addRemote(cand)
		}
	case event.CallAnswer:
		var a event.CallAnswerEventContent
		if json.Unmarshal(ev.Content, &a) != nil {
			return
		}
		if !c.info.Outbound {
			if fromMe && c.info.State == StateRinging {
				c.end(ReasonAnsweredElsewhere, false) // another device of ours answered
			}
			return
		}
		if c.info.State != StateInviteSent || fromMe {
			return // a later answer of another device: our select_answer tells it
		}
		if c.expiry != nil {
			c.expiry.Stop()
		}
		if err := c.media.SetAnswer(a.Answer.SDP); err != nil {
			c.hangup(ReasonUserMediaFailed)
			return
		}
		c.mu.Lock()
		c.info.OpponentParty, c.info.State = head.PartyID, StateConnecting
		c.mu.Unlock()
		c.applyRemote(head.PartyID)
		_ = c.sendEvent(event.CallSelectAnswer, event.CallSelectAnswerEventContent{BaseCallEventContent: c.base(),
			SelectedPartyID: head.PartyID})
		c.notify(false)
	case event.CallSelectAnswer:
		var sa event.CallSelectAnswerEventContent
		if json.Unmarshal(ev.Content, &sa) != nil || c.info.Outbound || fromMe {
			return
		}
		if sa.SelectedPartyID != c.info.PartyID {
			c.end(ReasonAnsweredElsewhere, false) // the caller took another device's answer
		}
	case event.CallReject:
		if c.info.Outbound && c.info.State == StateInviteSent && !fromMe {
			c.end(ReasonRejected, true)
		} else if !c.info.Outbound && c.info.State == StateRinging && fromMe {
			c.end(ReasonAnsweredElsewhere, false) // another device of ours refused it
		}
	case event.CallHangup:
		var h event.CallHangupEventContent
		_ = json.Unmarshal(ev.Content, &h)
		reason := string(h.Reason)
		if reason == "" {
			reason = ReasonUserHangup
		}
		switch {
		case !c.info.Outbound && !fromMe && head.PartyID == c.info.OpponentParty:
			c.end(reason, true) // the caller hung up (while ringing: a missed call)
		case c.info.Outbound && !fromMe && (c.info.OpponentParty == "" || head.PartyID == c.info.OpponentParty ||
			c.info.State == StateInviteSent):
			c.end(reason, true)
		}
	case event.CallNegotiate:
		var n event.CallNegotiateEventContent
		if json.Unmarshal(ev.Content, &n) != nil || fromMe || head.PartyID != c.info.OpponentParty {
			return
		}
		r, ok := c.media.(Renegotiator)
		switch {
		case n.Description.Type == event.CallDataTypeOffer && ok:
			sdp, err := r.HandleOffer(c.ctx, n.Description.SDP)
			if err != nil {
				return
			}
			_ = c.sendEvent(event.CallNegotiate, event.CallNegotiateEventContent{BaseCallEventContent: c.base(),
				Lifetime: n.Lifetime, Description: event.CallData{SDP: sdp, Type: event.CallDataTypeAnswer}})
		case n.Description.Type == event.CallDataTypeAnswer && c.media != nil:
			_ = c.media.SetAnswer(n.Description.SDP)
		}
	}
}
