package alert

import (
	"slices"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/related"
)

// Related is an event that refers to an alert (response, plain reply or receipt); the type is shared with the
// other BOS features (package related).
type Related = related.Event

// Entry is a user's latest response on the board.
type Entry struct {
	UserID     id.UserID  `json:"user_id"`
	Status     Status     `json:"status"`
	ETAMinutes int        `json:"eta_minutes"`
	Comment    string     `json:"comment"`
	TS         int64      `json:"ts"`
	EventID    id.EventID `json:"event_id"`
}

// Counts adds up the board. Received: acknowledged without an answer; None: joined members with
// neither (the alert's sender left out).
type Counts struct {
	Coming    int `json:"coming"`
	NotComing int `json:"not_coming"`
	Later     int `json:"later"`
	Received  int `json:"received"`
	None      int `json:"none"`
}

// Board is who answered an alert what (Rückmeldungen against the required strength).
type Board struct {
	Alert     Info        `json:"alert"`
	Responses []Entry     `json:"responses"`
	Counts    Counts      `json:"counts"`
	Required  int         `json:"required"`
	Received  []id.UserID `json:"received_users"` // who acknowledged without answering
	None      []id.UserID `json:"none_users"`     // joined members who did neither
}

// BuildBoard computes the board of an alert from the events that refer to it (any order) and the
// room's joined members. A user's latest response counts (by server timestamp, then order).
func BuildBoard(info Info, related []Related, joined []id.UserID) Board {
	events := slices.Clone(related)
	slices.SortStableFunc(events, func(a, b Related) int { return int(min(max(a.TS-b.TS, -1), 1)) })
	latest := map[id.UserID]Entry{}
	acked := map[id.UserID]bool{}
	for _, ev := range events {
		if ev.Sender == "" {
			continue
		}
		if target, r, ok := ParseResponse(ev.Type, ev.Content); ok && target == info.EventID {
			latest[ev.Sender] = Entry{UserID: ev.Sender, Status: r.Status, ETAMinutes: r.ETAMinutes, Comment: r.Comment,
				TS: ev.TS, EventID: ev.EventID}
		} else if target, ok := ParseAck(ev.Type, ev.Content); ok && target == info.EventID {
			acked[ev.Sender] = true
		}
	}
	b := Board{Alert: info, Responses: []Entry{}, Required: info.Required, Received: []id.UserID{}, None: []id.UserID{}}
	for _, e := range latest {
		b.Responses = append(b.Responses, e)
		switch e.Status {
		case StatusComing:
			b.Counts.Coming++
		case StatusNotComing:
			b.Counts.NotComing++
		case StatusLater:
			b.Counts.Later++
		}
	}
	slices.SortFunc(b.Responses, func(x, y Entry) int {
		if x.TS != y.TS {
			return int(min(max(x.TS-y.TS, -1), 1))
		}
		return compareIDs(x.UserID, y.UserID)
	})
	for user := range acked {
		if _, answered := latest[user]; !answered {
			b.Received = append(b.Received, user)
		}
	}
	slices.SortFunc(b.Received, compareIDs)
	seen := map[id.UserID]bool{}
	for _, user := range joined {
		if seen[user] || user == info.Sender || acked[user] {
			continue
		}
		seen[user] = true
		if _, answered := latest[user]; !answered {
			b.None = append(b.None, user)
		}
	}
	slices.SortFunc(b.None, compareIDs)
	b.Counts.Received, b.Counts.None = len(b.Received), len(b.None)
	return b
}

func compareIDs(a, b id.UserID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
