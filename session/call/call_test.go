package call

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/callmedia"
)

const (
	alice = id.UserID("@alice:a")
	bob   = id.UserID("@bob:b")
	room  = id.RoomID("!dm:a")
)

// TestCallAnswerHangup: a call rings, is answered and connects; each side sends its candidates in
// one m.call.candidates event; the hangup reaches the other side with its reason.
func TestCallAnswerHangup(t *testing.T) {
	for _, hangupBy := range []string{"caller", "callee"} {
		t.Run(hangupBy, func(t *testing.T) {
			n := newNet(t)
			a, b := n.add(alice, "ADEV", nil), n.add(bob, "BDEV", nil)
			c, err := a.m.Place(context.Background(), room, bob, a.factory("a"))
			if err != nil {
				t.Fatal(err)
			}
			in := waitIncoming(t, b)
			if in.CallID != c.Info().CallID || in.Peer != alice || in.OpponentParty != "ADEV" || in.State != StateRinging {
				t.Fatalf("incoming %+v", in)
			}
			bc, _ := b.m.Call(in.CallID)
			if err := bc.Answer(context.Background(), b.factory("b")); err != nil {
				t.Fatal(err)
			}
			waitState(t, a.m, in.CallID, StateConnected)
			waitState(t, b.m, in.CallID, StateConnected)
			if got := n.count(alice, event.CallCandidates); got != 1 {
				t.Errorf("caller sent %d candidates events, want 1 batch", got)
			}
			if got := n.count(bob, event.CallCandidates); got != 1 {
				t.Errorf("callee sent %d candidates events, want 1 batch", got)
			}
			if got := len(b.media[0].remoteCands()); got != 3 {
				t.Errorf("callee media got %d candidates (sent before the answer, buffered), want 3", got)
			}
			if n.count(alice, event.CallSelectAnswer) != 1 {
				t.Error("no select_answer")
			}
			from, to := a, b
			if hangupBy == "callee" {
				from, to = b, a
			}
			fc, _ := from.m.Call(in.CallID)
			if err := fc.Hangup(ReasonUserHangup); err != nil {
				t.Fatal(err)
			}
			got := waitState(t, to.m, in.CallID, StateEnded)
			if got.EndReason != ReasonUserHangup || !got.EndedByRemote || got.Missed {
				t.Fatalf("other side ended %+v", got)
			}
			if !to.media[0].closed {
				t.Error("media not closed")
			}
		})
	}
}

// TestCallWireForm: invites carry version "1" (a string), party_id, lifetime and the offer.
func TestCallWireForm(t *testing.T) {
	n := newNet(t)
	a := n.add(alice, "ADEV", nil)
	n.add(bob, "BDEV", nil)
	if _, err := a.m.Place(context.Background(), room, bob, a.factory("a")); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(n.find(alice, event.CallInvite), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["version"] != "1" || raw["party_id"] != "ADEV" || raw["lifetime"] != float64(60000) || raw["call_id"] == "" {
		t.Fatalf("invite %v", raw)
	}
	offer, _ := raw["offer"].(map[string]any)
	if offer["type"] != "offer" || offer["sdp"] != "offer-a" {
		t.Fatalf("offer %v", offer)
	}
}

// TestCallReject: the callee rejects; the caller ends with "rejected", nobody missed a call.
func TestCallReject(t *testing.T) {
	n := newNet(t)
	a, b := n.add(alice, "ADEV", nil), n.add(bob, "BDEV", nil)
	c, err := a.m.Place(context.Background(), room, bob, a.factory("a"))
	if err != nil {
		t.Fatal(err)
	}
	in := waitIncoming(t, b)
	bc, _ := b.m.Call(in.CallID)
	if err := bc.Reject(); err != nil {
		t.Fatal(err)
	}
	got := waitState(t, a.m, c.Info().CallID, StateEnded)
	if got.EndReason != ReasonRejected || !got.EndedByRemote {
		t.Fatalf("caller %+v", got)
	}
	if bi := bc.Info(); bi.Missed || bi.EndReason != ReasonRejected {
		t.Fatalf("callee %+v", bi)
	}
	if n.count(bob, event.CallReject) != 1 || n.count(bob, event.CallHangup) != 0 {
		t.Fatal("reject not sent as m.call.reject")
	}
}

// TestCallInviteTimeout: nobody answers; the caller hangs up with invite_timeout after the
// lifetime and the callee's ringing ends as a missed call.
func TestCallInviteTimeout(t *testing.T) {
	n := newNet(t)
	a := n.add(alice, "ADEV", func(o *Options) { o.Lifetime = 300 * time.Millisecond })
	b := n.add(bob, "BDEV", nil)
	c, err := a.m.Place(context.Background(), room, bob, a.factory("a"))
	if err != nil {
		t.Fatal(err)
	}
	waitIncoming(t, b)
	got := waitState(t, a.m, c.Info().CallID, StateEnded)
	if got.EndReason != ReasonInviteTimeout || got.EndedByRemote {
		t.Fatalf("caller %+v", got)
	}
	bi := waitState(t, b.m, c.Info().CallID, StateEnded)
	if !bi.Missed {
		t.Fatalf("callee %+v, want missed", bi)
	}
	var h event.CallHangupEventContent
	_ = json.Unmarshal(n.find(alice, event.CallHangup), &h)
	if h.Reason != event.CallHangupInviteTimeout {
		t.Fatalf("hangup reason %q", h.Reason)
	}
}

// TestCallRingingExpires: the callee stops ringing when the lifetime ends even without a hangup
// (the caller went away); an invite older than its lifetime on arrival does not ring at all.
func TestCallRingingExpires(t *testing.T) {
	n := newNet(t)
	b := n.add(bob, "BDEV", nil)
	inv := func(callID string, lifetime int) json.RawMessage {
		raw, _ := json.Marshal(event.CallInviteEventContent{BaseCallEventContent: base(callID, "X"), Lifetime: lifetime,
			Offer: event.CallData{SDP: "v=0", Type: event.CallDataTypeOffer}})
		return raw
	}
	b.m.Handle(Event{RoomID: room, Sender: alice, Type: event.CallInvite, Content: inv("stale", 60000), TS: time.Now().Add(-61 * time.Second)})
	b.m.Handle(Event{RoomID: room, Sender: alice, Type: event.CallInvite, Content: inv("fresh", 300), TS: time.Now()})
	in := waitIncoming(t, b)
	if in.CallID != "fresh" {
		t.Fatalf("rang for %s", in.CallID)
	}
	if got := waitState(t, b.m, "fresh", StateEnded); !got.Missed || got.EndReason != ReasonInviteTimeout {
		t.Fatalf("expired %+v", got)
	}
	if _, err := b.m.Call("stale"); !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("stale invite: %v", err)
	}
}

// TestCallSelectAnswer: two devices of the callee ring; both answer; the caller selects the first
// answer and the other device stops (answered elsewhere) without hanging up the call.
func TestCallSelectAnswer(t *testing.T) {
	n := newNet(t)
	a := n.add(alice, "ADEV", nil)
	b1, b2 := n.add(bob, "B1", nil), n.add(bob, "B2", nil)
	c, err := a.m.Place(context.Background(), room, bob, a.factory("a"))
	if err != nil {
		t.Fatal(err)
	}
	callID := c.Info().CallID
	waitIncoming(t, b1)
	waitIncoming(t, b2)
	// Both answer before either sees the other's answer.
	n.hold()
	c1, _ := b1.m.Call(callID)
	c2, _ := b2.m.Call(callID)
	if err := c1.Answer(context.Background(), b1.factory("b1")); err != nil {
		t.Fatal(err)
	}
	if err := c2.Answer(context.Background(), b2.factory("b2")); err != nil {
		t.Fatal(err)
	}
	n.release()
	waitState(t, a.m, callID, StateConnected)
	waitState(t, b1.m, callID, StateConnected)
	got := waitState(t, b2.m, callID, StateEnded)
	if got.EndReason != ReasonAnsweredElsewhere || got.Missed {
		t.Fatalf("second device %+v", got)
	}
	if a.m.calls[callID].Info().OpponentParty != "B1" {
		t.Fatal("caller did not select the first answer")
	}
	var sa event.CallSelectAnswerEventContent
	_ = json.Unmarshal(n.find(alice, event.CallSelectAnswer), &sa)
	if sa.SelectedPartyID != "B1" {
		t.Fatalf("select_answer %+v", sa)
	}
	if n.count(bob, event.CallHangup) != 0 {
		t.Fatal("the unselected device hung up the call")
	}
}

// TestCallAnsweredElsewhere: one device answers, the other (still ringing) stops at once.
func TestCallAnsweredElsewhere(t *testing.T) {
	n := newNet(t)
	a := n.add(alice, "ADEV", nil)
	b1, b2 := n.add(bob, "B1", nil), n.add(bob, "B2", nil)
	c, err := a.m.Place(context.Background(), room, bob, a.factory("a"))
	if err != nil {
		t.Fatal(err)
	}
	callID := c.Info().CallID
	waitIncoming(t, b1)
	waitIncoming(t, b2)
	c1, _ := b1.m.Call(callID)
	if err := c1.Answer(context.Background(), b1.factory("b1")); err != nil {
		t.Fatal(err)
	}
	if got := waitState(t, b2.m, callID, StateEnded); got.EndReason != ReasonAnsweredElsewhere || got.Missed {
		t.Fatalf("other device %+v", got)
	}
	waitState(t, a.m, callID, StateConnected)
}

// TestCallGlare: both place a call at once; the invite with the lower call ID survives, the other
// side answers it, and exactly one connected call remains on each side.
func TestCallGlare(t *testing.T) {
	n := newNet(t)
	a, b := n.add(alice, "ADEV", nil), n.add(bob, "BDEV", nil)
	n.hold()
	ca, err := a.m.Place(context.Background(), room, bob, a.factory("a"))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.m.Place(context.Background(), room, alice, b.factory("b"))
	if err != nil {
		t.Fatal(err)
	}
	n.release()
	win, lose := ca.Info().CallID, cb.Info().CallID
	loser, winner := b, a
	if lose < win {
		win, lose = lose, win
		loser, winner = a, b
	}
	waitState(t, a.m, win, StateConnected)
	waitState(t, b.m, win, StateConnected)
	got := waitState(t, loser.m, lose, StateEnded)
	if got.EndReason != ReasonReplaced || got.ReplacedBy != win {
		t.Fatalf("losing call %+v", got)
	}
	if _, err := winner.m.Call(lose); !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("the winner rang for the losing invite: %v", err)
	}
	if n.count(alice, event.CallHangup)+n.count(bob, event.CallHangup) != 0 {
		t.Fatal("glare sent a hangup")
	}
}

// TestCallDisabled: with calls disabled, placing and answering fail and invites do not ring.
func TestCallDisabled(t *testing.T) {
	errOff := errors.New("off")
	n := newNet(t)
	off := func(o *Options) { o.Disabled = func() bool { return true }; o.ErrDisabled = errOff }
	a := n.add(alice, "ADEV", off)
	b := n.add(bob, "BDEV", off)
	if _, err := a.m.Place(context.Background(), room, bob, a.factory("a")); !errors.Is(err, errOff) {
		t.Fatalf("place: %v", err)
	}
	b.m.Handle(Event{RoomID: room, Sender: alice, Type: event.CallInvite, TS: time.Now(),
		Content: json.RawMessage(`{"call_id":"x","party_id":"P","version":"1","lifetime":60000,"offer":{"type":"offer","sdp":"v=0"}}`)})
	time.Sleep(50 * time.Millisecond)
	if len(b.m.Calls()) != 0 {
		t.Fatal("an invite rang with calls disabled")
	}
}

// TestCallMediaFailure: the media's ICE failure hangs up with ice_failed.
func TestCallMediaFailure(t *testing.T) {
	n := newNet(t)
	a, b := n.add(alice, "ADEV", nil), n.add(bob, "BDEV", nil)
	c, err := a.m.Place(context.Background(), room, bob, a.factory("a"))
	if err != nil {
		t.Fatal(err)
	}
	in := waitIncoming(t, b)
	bc, _ := b.m.Call(in.CallID)
	if err := bc.Answer(context.Background(), b.factory("b")); err != nil {
		t.Fatal(err)
	}
	waitState(t, a.m, in.CallID, StateConnected)
	a.media[0].onState(callmedia.StateFailed)
	if got := waitState(t, b.m, c.Info().CallID, StateEnded); got.EndReason != ReasonICEFailed {
		t.Fatalf("callee %+v", got)
	}
	if !strings.Contains(string(n.find(alice, event.CallHangup)), `"ice_failed"`) {
		t.Fatal("no ice_failed hangup")
	}
}

// renegMedia is a fakeMedia that renegotiates.
type renegMedia struct {
	*fakeMedia
	offers, answers int
}

func (r *renegMedia) Renegotiate(ctx context.Context) (string, error) {
	r.offers++
	return "reoffer", nil
}
func (r *renegMedia) HandleOffer(ctx context.Context, offer string) (string, error) {
	r.answers++
	return "reanswer", nil
}

// TestCallRenegotiate: a new offer on a connected call goes out as m.call.negotiate, the other
// side answers it with a negotiate of type answer, which the first side applies.
func TestCallRenegotiate(t *testing.T) {
	n := newNet(t)
	a, b := n.add(alice, "ADEV", nil), n.add(bob, "BDEV", nil)
	var ra, rb *renegMedia
	fa := func() (Media, error) { ra = &renegMedia{fakeMedia: &fakeMedia{name: "a"}}; return ra, nil }
	fb := func() (Media, error) { rb = &renegMedia{fakeMedia: &fakeMedia{name: "b"}}; return rb, nil }
	c, err := a.m.Place(context.Background(), room, bob, fa)
	if err != nil {
		t.Fatal(err)
	}
	in := waitIncoming(t, b)
	bc, _ := b.m.Call(in.CallID)
	if err := bc.Answer(context.Background(), fb); err != nil {
		t.Fatal(err)
	}
	waitState(t, a.m, in.CallID, StateConnected)
	if err := c.Renegotiate(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for n.count(bob, event.CallNegotiate) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var neg event.CallNegotiateEventContent
	_ = json.Unmarshal(n.find(bob, event.CallNegotiate), &neg)
	if neg.Description.Type != event.CallDataTypeAnswer || neg.Description.SDP != "reanswer" {
		t.Fatalf("negotiate answer %+v", neg)
	}
	for time.Now().Before(deadline) {
		ra.mu.Lock()
		sdp := ra.remoteSDP
		ra.mu.Unlock()
		if sdp == "reanswer" {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the renegotiation answer was not applied")
}
