package crypto

import (
	"encoding/json"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"
)

// In-room verification events are handled once, and only within the time window.
func TestRoomVerificationAdmit(t *testing.T) {
	v := &verifier{seen: map[id.EventID]time.Time{}}
	now := time.Now()
	at := func(eventID string, d time.Duration) RoomEvent {
		return RoomEvent{EventID: id.EventID(eventID), Timestamp: now.Add(d).UnixMilli()}
	}
	if !v.admit(at("$fresh", -time.Minute), now) {
		t.Fatal("fresh event refused")
	}
	if v.admit(at("$fresh", -time.Minute), now) {
		t.Fatal("event handled twice")
	}
	if v.admit(at("$old", -RoomVerificationMaxAge-time.Second), now) {
		t.Fatal("event older than the limit admitted")
	}
	if v.admit(at("$future", roomVerificationMaxSkew+time.Minute), now) {
		t.Fatal("event from the future admitted")
	}
	// The memory of seen events is pruned of those past the window, never of recent ones.
	for i := range 300 {
		v.markSeen(id.EventID("$x"+string(rune('a'+i%26))+string(rune('a'+i/26))), now.Add(-time.Hour))
	}
	v.markSeen("$recent", now)
	v.markSeen("$trigger", now)
	if _, ok := v.seen["$recent"]; !ok || len(v.seen) > 260 {
		t.Fatalf("seen after pruning: %d entries, recent kept %v", len(v.seen), ok)
	}
}

func TestIsRoomVerificationEvent(t *testing.T) {
	for _, tc := range []struct {
		typ, content string
		want         bool
	}{
		{"m.key.verification.ready", `{}`, true},
		{"m.key.verification.mac", `{}`, true},
		{"m.key.verification.request", `{}`, false}, // to-device only
		{"m.room.message", `{"msgtype":"m.key.verification.request","to":"@a:b"}`, true},
		{"m.room.message", `{"msgtype":"m.text","body":"m.key.verification.request"}`, false},
		{"m.room.message", `{"msgtype":"m.text","body":"hi"}`, false},
		{"m.reaction", `{}`, false},
	} {
		if got := IsRoomVerificationEvent(tc.typ, json.RawMessage(tc.content)); got != tc.want {
			t.Errorf("%s %s: %v", tc.typ, tc.content, got)
		}
	}
}
