package jspeer

import (
	"strings"
	"testing"
)

func TestEventStoreNeverRegresses(t *testing.T) {
	s := newEventStore()
	failed := Event{EventID: "$1", RoomID: "!r", Type: "m.room.encrypted", Encrypted: true, DecryptionFailure: "MEGOLM_UNKNOWN_INBOUND_SESSION_ID"}
	ok := Event{EventID: "$1", RoomID: "!r", Type: "m.room.message", Encrypted: true, Content: map[string]any{"body": "hi"}}
	s.put(failed)
	_, changed := s.snapshot("!r")
	s.put(ok) // late keys
	select {
	case <-changed:
	default:
		t.Fatal("no wake-up on update")
	}
	s.put(failed) // a stale answer crossing a push
	evs, _ := s.snapshot("!r")
	if len(evs) != 1 || evs[0].Body() != "hi" {
		t.Fatalf("store %+v", evs)
	}
	if d := describeFailures([]Event{failed, ok}); !strings.Contains(d, "1 decryption failures; $1") {
		t.Fatalf("describeFailures: %s", d)
	}
}

func TestEventHelpers(t *testing.T) {
	e := Event{Content: map[string]any{
		"body":         "x",
		"m.relates_to": map[string]any{"rel_type": "m.replace", "event_id": "$a", "m.in_reply_to": map[string]any{"event_id": "$b"}},
	}}
	if rel, id := e.Relation(); rel != "m.replace" || id != "$a" || e.InReplyTo() != "$b" || e.Body() != "x" {
		t.Fatalf("helpers: %s %s %s", rel, id, e.InReplyTo())
	}
	if (Event{}).Body() != "" || (Event{}).InReplyTo() != "" {
		t.Fatal("empty event")
	}
}
