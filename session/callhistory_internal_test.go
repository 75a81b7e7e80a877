package session

import (
	"testing"
	"time"
)

// TestSummariseCalls: an answered and hung up call is "Anruf, m:ss" (from the answer), an
// unanswered one "Verpasster Anruf" (hung up, or expired), a rejected one its own line; the
// other call events are no lines of their own.
func TestSummariseCalls(t *testing.T) {
	now := time.UnixMilli(10_000_000)
	inv := func(id string, ts int64) callEv {
		return callEv{"m.call.invite", []byte(`{"call_id":"` + id + `","party_id":"A","version":"1","lifetime":60000,"offer":{"type":"offer","sdp":"x"}}`), ts}
	}
	ev := func(t, id string, ts int64, extra string) callEv {
		return callEv{t, []byte(`{"call_id":"` + id + `","party_id":"B","version":"1"` + extra + `}`), ts}
	}
	list := []callEv{
		inv("ended", 1000),
		ev("m.call.candidates", "ended", 1100, `,"candidates":[]`),
		ev("m.call.answer", "ended", 2000, ""),
		ev("m.call.hangup", "ended", 2000+192_000, `,"reason":"user_hangup"`),
		inv("missed", 300_000),
		ev("m.call.hangup", "missed", 310_000, `,"reason":"invite_timeout"`),
		inv("expired", 400_000),
		inv("rejected", 500_000),
		ev("m.call.reject", "rejected", 501_000, ""),
		inv("ringing", now.UnixMilli()-1000),
		inv("ongoing", 600_000),
		ev("m.call.answer", "ongoing", 601_000, ""),
		{"m.room.message", []byte(`{"msgtype":"m.text","body":"hi"}`), 700_000},
	}
	got := summariseCalls(list, now)
	want := map[int]string{0: "Anruf, 3:12", 4: "Verpasster Anruf", 6: "Verpasster Anruf", 7: "Abgelehnter Anruf",
		9: "Anruf klingelt", 10: "Anruf läuft"}
	if len(got) != len(want) {
		t.Fatalf("got %d calls, want %d: %+v", len(got), len(want), got)
	}
	for i, text := range want {
		if got[i].Text() != text {
			t.Errorf("event %d: %q (%+v), want %q", i, got[i].Text(), got[i], text)
		}
	}
	if got[0].DurationMS != 192_000 || got[0].HangupReason != "user_hangup" || got[4].HangupReason != "invite_timeout" {
		t.Errorf("details: %+v %+v", got[0], got[4])
	}
	if formatCallDuration(3*time.Hour+4*time.Minute+5*time.Second) != "3:04:05" {
		t.Error("hours")
	}
}
