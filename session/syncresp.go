package session

import (
	"encoding/json"
	"errors"
	"fmt"
)

// The /sync response is decoded in two steps: the envelope here, then every room and event on its
// own, so one malformed room or event is reported and skipped instead of stalling the whole sync.

type syncResponse struct {
	NextBatch string `json:"next_batch"`
	Rooms     struct {
		Join   map[string]json.RawMessage `json:"join"`
		Invite map[string]json.RawMessage `json:"invite"`
		Leave  map[string]json.RawMessage `json:"leave"`
	} `json:"rooms"`
	AccountData eventList       `json:"account_data"`
	ToDevice    eventList       `json:"to_device"`
	DeviceLists json.RawMessage `json:"device_lists,omitempty"`
	OTKCounts   json.RawMessage `json:"device_one_time_keys_count,omitempty"`
}

type eventList struct {
	Events []json.RawMessage `json:"events"`
}

type timelineList struct {
	Events    []json.RawMessage `json:"events"`
	Limited   bool              `json:"limited"`
	PrevBatch string            `json:"prev_batch"`
}

type joinedRoom struct {
	Summary struct {
		Heroes  []string `json:"m.heroes"`
		Joined  *int     `json:"m.joined_member_count"`
		Invited *int     `json:"m.invited_member_count"`
	} `json:"summary"`
	State       eventList    `json:"state"`
	Timeline    timelineList `json:"timeline"`
	Ephemeral   eventList    `json:"ephemeral"`
	AccountData eventList    `json:"account_data"`
	Unread      struct {
		Highlight    int `json:"highlight_count"`
		Notification int `json:"notification_count"`
	} `json:"unread_notifications"`
}

type invitedRoom struct {
	InviteState eventList `json:"invite_state"`
}

type leftRoom struct {
	State    eventList    `json:"state"`
	Timeline timelineList `json:"timeline"`
}

// rawEvent is a room event as the client-server API delivers it.
type rawEvent struct {
	EventID  string          `json:"event_id"`
	Sender   string          `json:"sender"`
	Type     string          `json:"type"`
	StateKey *string         `json:"state_key,omitempty"`
	TS       int64           `json:"origin_server_ts"`
	Content  json.RawMessage `json:"content"`
	Unsigned json.RawMessage `json:"unsigned,omitempty"`
	Redacts  string          `json:"redacts,omitempty"`
}

var errMalformedEvent = errors.New("malformed event")

// parseRoomEvent decodes and validates a room event (timeline or state).
func parseRoomEvent(raw json.RawMessage) (*rawEvent, error) {
	var ev rawEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformedEvent, err)
	}
	switch {
	case ev.EventID == "" || ev.EventID[0] != '$':
		return nil, fmt.Errorf("%w: bad event_id %q", errMalformedEvent, truncate(ev.EventID, 80))
	case ev.Sender == "" || ev.Sender[0] != '@':
		return nil, fmt.Errorf("%w: bad sender in %s", errMalformedEvent, ev.EventID)
	case ev.Type == "":
		return nil, fmt.Errorf("%w: no type in %s", errMalformedEvent, ev.EventID)
	}
	if err := checkObject(ev.Content); err != nil {
		return nil, fmt.Errorf("%w: content of %s: %v", errMalformedEvent, ev.EventID, err)
	}
	if len(ev.Unsigned) > 0 && string(ev.Unsigned) != "null" {
		if err := checkObject(ev.Unsigned); err != nil {
			return nil, fmt.Errorf("%w: unsigned of %s: %v", errMalformedEvent, ev.EventID, err)
		}
	} else {
		ev.Unsigned = nil
	}
	return &ev, nil
}

// basicEvent is an event without room context (account data, ephemeral, stripped state, to-device).
type basicEvent struct {
	Type     string          `json:"type"`
	Sender   string          `json:"sender,omitempty"`
	StateKey *string         `json:"state_key,omitempty"`
	Content  json.RawMessage `json:"content"`
}

func parseBasicEvent(raw json.RawMessage) (*basicEvent, error) {
	var ev basicEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformedEvent, err)
	}
	if ev.Type == "" {
		return nil, fmt.Errorf("%w: no type", errMalformedEvent)
	}
	if err := checkObject(ev.Content); err != nil {
		return nil, fmt.Errorf("%w: content of %s: %v", errMalformedEvent, ev.Type, err)
	}
	return &ev, nil
}

func checkObject(raw json.RawMessage) error {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return nil
		default:
			return errors.New("not a JSON object")
		}
	}
	return errors.New("missing")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
