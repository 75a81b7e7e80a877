package main

import (
	"testing"
	"time"

	"bosmessenger/session"
	"bosmessenger/session/rtc"
)

// TestGroupResult: --json of a group call names every other participant by user and device,
// sums their packets and reports the tone that matched --expect-tone, not just the first one.
func TestGroupResult(t *testing.T) {
	start := time.Now()
	info := session.GroupCallInfo{ConnectedAt: start.Add(1500 * time.Millisecond), Participants: []rtc.ParticipantStats{
		{Identity: "@a:127.0.0.1:8448:DEVA", RTPPacketsIn: 10, DetectedHz: 440.04},
		{Identity: "@b:127.0.0.1:8448:DEVB", RTPPacketsIn: 20, DetectedHz: 880},
	}}
	res := groupResult(info, start, 880, "user_hangup")
	if res.ConnectedMS != 1500 || res.RTPPacketsIn != 30 || res.DetectedHz != 880 || res.HangupReason != "user_hangup" {
		t.Fatalf("result %+v", res)
	}
	if len(res.Participants) != 2 || res.Participants[0].UserID != "@a:127.0.0.1:8448" || res.Participants[0].DeviceID != "DEVA" ||
		res.Participants[0].DetectedHz != 440 {
		t.Fatalf("participants %+v", res.Participants)
	}
	if res := groupResult(session.GroupCallInfo{}, start, 0, "ice_failed"); res.ConnectedMS != -1 || res.Participants == nil {
		t.Fatalf("never connected: %+v", res)
	}
}
