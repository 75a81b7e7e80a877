package incident

import (
	"errors"
	"testing"
	"time"

	"bosmessenger/session/alert"
)

// The parser never panics, and every template it accepts can be planned (with a keyword) into a
// room name and an alert within the limits, or fails with a matching error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(example))
	f.Add([]byte(`[{"id": "a", "room_name": "{{{keyword}}} {iso_date}"}]`))
	f.Add([]byte(`{"templates": [{"id": "x", "alert": {"deadline": "1h", "units": ["a"]}}]}`))
	f.Add([]byte(`[{"id": "a", "topic": "}{"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := Parse("fuzz", data)
		if err != nil {
			if !errors.Is(err, ErrInvalidTemplate) {
				t.Fatalf("error does not match ErrInvalidTemplate: %v", err)
			}
			return
		}
		for _, tpl := range ts {
			p, err := tpl.Plan(Input{Keyword: "K", Address: "A"}, time.Unix(1700000000, 0))
			if err != nil {
				if !errors.Is(err, alert.ErrInvalid) && !errors.Is(err, ErrInvalidTemplate) {
					t.Fatalf("plan of %q: %v", tpl.ID, err)
				}
				continue
			}
			if len(p.RoomName) > MaxRoomName || p.RoomName == "" || len(p.Topic) > MaxTopic {
				t.Fatalf("plan of %q: room name %q topic %q", tpl.ID, p.RoomName, p.Topic)
			}
			if _, err := alert.AlertContent(p.Alert, time.Now()); err != nil {
				t.Fatalf("alert of %q: %v", tpl.ID, err)
			}
		}
	})
}
