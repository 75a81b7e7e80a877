package jspeer

import (
	"fmt"
	"strings"
	"sync"
)

// eventStore keeps the events the peer pushed, per room in arrival order,
// and wakes waiters on every change.
type eventStore struct {
	mu      sync.Mutex
	rooms   map[string][]string // room ID -> event IDs in arrival order
	events  map[string]Event    // event ID -> latest state
	changed chan struct{}
}

func newEventStore() *eventStore {
	return &eventStore{rooms: map[string][]string{}, events: map[string]Event{}, changed: make(chan struct{})}
}

// put adds or updates e. A decrypted event is never replaced by an older,
// undecrypted state of itself (answers and pushes may cross).
func (s *eventStore) put(e Event) {
	if e.EventID == "" || e.RoomID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.events[e.EventID]
	if !ok {
		s.rooms[e.RoomID] = append(s.rooms[e.RoomID], e.EventID)
	} else if old.settled() && !e.settled() {
		return
	}
	s.events[e.EventID] = e
	close(s.changed)
	s.changed = make(chan struct{})
}

// snapshot returns the room's events and a channel closed at the next change.
func (s *eventStore) snapshot(roomID string) ([]Event, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.rooms[roomID]
	out := make([]Event, len(ids))
	for i, id := range ids {
		out[i] = s.events[id]
	}
	return out, s.changed
}

// describeFailures summarises the undecryptable events among evs.
func describeFailures(evs []Event) string {
	var b strings.Builder
	n := 0
	for _, e := range evs {
		if e.DecryptionFailure == "" {
			continue
		}
		n++
		if n <= 5 {
			fmt.Fprintf(&b, "; %s from %s: %s", e.EventID, e.Sender, e.DecryptionFailure)
		}
	}
	if n == 0 {
		return "no decryption failures"
	}
	return fmt.Sprintf("%d decryption failures%s", n, b.String())
}
