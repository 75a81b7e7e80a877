package session

import (
	"encoding/json"
	"fmt"
	"time"

	"maunium.net/go/mautrix/event"

	"bosmessenger/session/call"
	"bosmessenger/store"
)

// Call history lines: the timeline shows a call as one line at its invite ("Anruf, 3:12",
// "Verpasster Anruf"); its other m.call.* events (candidates, answer, hangup...) are folded in.

// KindCall is a call as one timeline line (Message.Call).
const KindCall = "call"

// Outcomes of a call in the timeline (CallSummary.Outcome).
const (
	CallOutcomeEnded    = "ended"    // answered and hung up: DurationMS is set
	CallOutcomeMissed   = "missed"   // nobody answered: hung up by the caller, or the invite expired
	CallOutcomeRejected = "rejected" // the callee refused it
	CallOutcomeOngoing  = "ongoing"  // answered, not hung up yet
	CallOutcomeRinging  = "ringing"  // not answered yet, within the invite's lifetime
)

// CallSummary is a call as the timeline shows it.
type CallSummary struct {
	CallID       string `json:"call_id"`
	Outcome      string `json:"outcome"` // CallOutcome* constants
	DurationMS   int64  `json:"duration_ms,omitempty"`
	HangupReason string `json:"hangup_reason,omitempty"`
}

// Text is the call's history line.
func (c CallSummary) Text() string {
	switch c.Outcome {
	case CallOutcomeEnded:
		return "Anruf, " + formatCallDuration(time.Duration(c.DurationMS)*time.Millisecond)
	case CallOutcomeMissed:
		return "Verpasster Anruf"
	case CallOutcomeRejected:
		return "Abgelehnter Anruf"
	case CallOutcomeOngoing:
		return "Anruf läuft"
	}
	return "Anruf klingelt"
}

// formatCallDuration writes m:ss (h:mm:ss from an hour on).
func formatCallDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// callEv is one event for summarising calls.
type callEv struct {
	evType  string
	content json.RawMessage
	ts      int64
}

// summariseCalls summarises the calls of a window of events (oldest first) by the index of their
// invite. A call's later events are after its invite, so a window that holds the invite holds them.
func summariseCalls(events []callEv, now time.Time) map[int]CallSummary {
	type acc struct {
		idx                int
		inviteTS, lifetime int64
		answerTS, endTS    int64
		rejected           bool
		reason             string
	}
	calls := map[string]*acc{}
	for i, e := range events {
		if !isCallEvent(e.evType) {
			continue
		}
		var c struct {
			event.BaseCallEventContent
			Lifetime int64                  `json:"lifetime"`
			Reason   event.CallHangupReason `json:"reason"`
		}
		if json.Unmarshal(e.content, &c) != nil || c.CallID == "" {
			continue
		}
		a := calls[c.CallID]
		if e.evType == event.CallInvite.Type {
			if a == nil {
				if c.Lifetime <= 0 {
					c.Lifetime = call.DefaultLifetime.Milliseconds()
				}
				calls[c.CallID] = &acc{idx: i, inviteTS: e.ts, lifetime: c.Lifetime}
			}
			continue
		}
		if a == nil || a.endTS != 0 {
			continue
		}
		switch e.evType {
		case event.CallAnswer.Type:
			if a.answerTS == 0 {
				a.answerTS = e.ts
			}
		case event.CallReject.Type:
			if a.answerTS == 0 {
				a.endTS, a.rejected = e.ts, true
			}
		case event.CallHangup.Type:
			a.endTS, a.reason = e.ts, string(c.Reason)
		}
	}
	out := make(map[int]CallSummary, len(calls))
	for callID, a := range calls {
		s := CallSummary{CallID: callID, HangupReason: a.reason}
		switch {
		case a.rejected:
			s.Outcome = CallOutcomeRejected
		case a.answerTS != 0 && a.endTS != 0:
			s.Outcome, s.DurationMS = CallOutcomeEnded, max(a.endTS-a.answerTS, 0)
		case a.answerTS != 0:
			s.Outcome = CallOutcomeOngoing
		case a.endTS != 0 || now.UnixMilli() > a.inviteTS+a.lifetime:
			s.Outcome = CallOutcomeMissed
		default:
			s.Outcome = CallOutcomeRinging
		}
		out[a.idx] = s
	}
	return out
}

// foldCalls turns the stored messages of a timeline window (out[:stored], from events) that are
// call invites into call lines and drops the other call events.
func foldCalls(out []Message, events []*store.Event, stored int, now time.Time) []Message {
	list := make([]callEv, stored)
	found := false
	for i := range stored {
		t, c := effective(events[i])
		list[i] = callEv{evType: t, content: c, ts: events[i].TS}
		found = found || isCallEvent(t)
	}
	if !found {
		return out
	}
	sums := summariseCalls(list, now)
	kept := out[:0]
	for i, m := range out {
		if i < stored && isCallEvent(list[i].evType) && !m.Redacted {
			s, ok := sums[i]
			if !ok {
				continue
			}
			m.Kind, m.Call, m.Body = KindCall, &s, s.Text()
		}
		kept = append(kept, m)
	}
	return kept
}

// summariseHistoryCalls gives the call invites of a history window their line and summary.
func summariseHistoryCalls(events []TimelineEvent, now time.Time) {
	list := make([]callEv, len(events))
	for i, e := range events {
		list[i] = callEv{evType: e.Type, content: e.Content, ts: e.TS}
	}
	for i, s := range summariseCalls(list, now) {
		events[i].Call, events[i].Body = &s, s.Text()
	}
}
