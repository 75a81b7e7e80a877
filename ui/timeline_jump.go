package ui

import "maunium.net/go/mautrix/id"

// ScrollToEvent scrolls the timeline to the message eventID and selects it (as a click would); it
// reports whether the message is loaded.
func (t *Timeline) ScrollToEvent(eventID id.EventID) bool {
	for i, m := range t.msgs {
		if m.EventID == eventID && eventID != "" {
			t.list.ScrollTo(i)
			t.list.Select(i)
			return true
		}
	}
	return false
}
