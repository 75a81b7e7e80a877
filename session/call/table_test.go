package call

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// TestCallEventSequences feeds sequences of received events to a ringing device (bob's device
// BDEV) and checks where the call ends up.
func TestCallEventSequences(t *testing.T) {
	type step struct {
		from    id.UserID
		party   string
		evType  event.Type
		extra   string // more content keys, with a leading comma
		callID  string // "" : "c1"
		ageSecs int
	}
	inv := step{from: alice, party: "ADEV", evType: event.CallInvite,
		extra: `,"lifetime":60000,"offer":{"type":"offer","sdp":"v=0"}`}
	cases := []struct {
		name     string
		steps    []step
		want     State // "" : no call at all
		reason   string
		missed   bool
		byRemote bool
	}{
		{"invite rings", []step{inv}, StateRinging, "", false, false},
		{"caller hangs up: missed", []step{inv, {from: alice, party: "ADEV", evType: event.CallHangup, extra: `,"reason":"user_hangup"`}},
			StateEnded, ReasonUserHangup, true, true},
		{"other device answers", []step{inv, {from: bob, party: "BOTHER", evType: event.CallAnswer, extra: `,"answer":{"type":"answer","sdp":"x"}`}},
			StateEnded, ReasonAnsweredElsewhere, false, false},
		{"other device rejects", []step{inv, {from: bob, party: "BOTHER", evType: event.CallReject}},
			StateEnded, ReasonAnsweredElsewhere, false, false},
		{"select_answer names another device", []step{inv, {from: alice, party: "ADEV", evType: event.CallSelectAnswer, extra: `,"selected_party_id":"BOTHER"`}},
			StateEnded, ReasonAnsweredElsewhere, false, false},
		{"select_answer names us", []step{inv, {from: alice, party: "ADEV", evType: event.CallSelectAnswer, extra: `,"selected_party_id":"BDEV"`}},
			StateRinging, "", false, false},
		{"hangup of a stranger is ignored", []step{inv, {from: "@mallory:m", party: "M", evType: event.CallHangup}},
			StateRinging, "", false, false},
		{"candidates before the answer wait", []step{inv, {from: alice, party: "ADEV", evType: event.CallCandidates, extra: `,"candidates":[{"candidate":"c","sdpMid":"0","sdpMLineIndex":0}]`}},
			StateRinging, "", false, false},
		{"stale invite", []step{{from: alice, party: "ADEV", evType: event.CallInvite, ageSecs: 61,
			extra: `,"lifetime":60000,"offer":{"type":"offer","sdp":"v=0"}`}}, "", "", false, false},
		{"invite of our own other device", []step{{from: bob, party: "BOTHER", evType: event.CallInvite,
			extra: `,"lifetime":60000,"offer":{"type":"offer","sdp":"v=0"}`}}, "", "", false, false},
		{"invite without offer", []step{{from: alice, party: "ADEV", evType: event.CallInvite, extra: `,"lifetime":60000`}},
			"", "", false, false},
		{"events of an unknown call", []step{{from: alice, party: "ADEV", evType: event.CallHangup}}, "", "", false, false},
		{"invite twice", []step{inv, inv}, StateRinging, "", false, false},
		{"reject after hangup is nothing", []step{inv, {from: alice, party: "ADEV", evType: event.CallHangup},
			{from: bob, party: "BOTHER", evType: event.CallReject}}, StateEnded, ReasonUserHangup, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sent []event.Type
			changes := make(chan Info, 64)
			m := NewManager(Options{Me: bob, PartyID: "BDEV",
				Send: func(ctx context.Context, room id.RoomID, t event.Type, content any) error {
					sent = append(sent, t)
					return nil
				},
				OnChange: func(info Info, incoming bool) { changes <- info }})
			defer m.Close()
			for _, s := range tc.steps {
				callID := s.callID
				if callID == "" {
					callID = "c1"
				}
				content := json.RawMessage(`{"call_id":"` + callID + `","party_id":"` + s.party + `","version":"1"` + s.extra + `}`)
				m.Handle(Event{RoomID: room, Sender: s.from, Type: s.evType, Content: content,
					TS: time.Now().Add(-time.Duration(s.ageSecs) * time.Second)})
			}
			// Wait until the call's loop has handled everything: a no-op round trip.
			c, err := m.Call("c1")
			if tc.want == "" {
				if err == nil {
					t.Fatalf("a call exists: %+v", c.Info())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_ = c.do(context.Background(), func() error { return nil })
			info := c.Info()
			if info.State != tc.want || info.EndReason != tc.reason || info.Missed != tc.missed || info.EndedByRemote != tc.byRemote {
				t.Fatalf("got %s/%q missed=%v remote=%v, want %s/%q missed=%v remote=%v", info.State, info.EndReason,
					info.Missed, info.EndedByRemote, tc.want, tc.reason, tc.missed, tc.byRemote)
			}
			if len(sent) != 0 {
				t.Fatalf("the ringing device sent %v", sent)
			}
		})
	}
}
