package session

import (
	"context"
	"fmt"
	"slices"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
	"bosmessenger/store"
)

// SendAlert queues an alert (docs/PROTOCOL.md) and returns its transaction ID; a missing alert ID
// is made up, priority defaults to alarm. Bad data gives alert.ErrInvalid.
func (s *Session) SendAlert(ctx context.Context, roomID id.RoomID, a alert.Alert) (string, error) {
	content, err := alert.AlertContent(a, time.Now())
	if err != nil {
		return "", err
	}
	return s.Enqueue(ctx, roomID, alert.TypeMessage, content)
}

// SendAlertResponse queues our response (Rückmeldung) to the alert event alertEvent.
func (s *Session) SendAlertResponse(ctx context.Context, roomID id.RoomID, alertEvent id.EventID, r alert.Response) (string, error) {
	content, err := alert.ResponseContent(alertEvent, r)
	if err != nil {
		return "", err
	}
	return s.Enqueue(ctx, roomID, alert.TypeMessage, content)
}

// SendUnitStatus queues a unit's FMS status.
func (s *Session) SendUnitStatus(ctx context.Context, roomID id.RoomID, st alert.UnitStatus) (string, error) {
	content, err := alert.StatusContent(st)
	if err != nil {
		return "", err
	}
	return s.Enqueue(ctx, roomID, alert.TypeMessage, content)
}

// AlertInfo returns a stored alert event (ok false when the event is not stored or no alert).
func (s *Session) AlertInfo(ctx context.Context, eventID id.EventID) (info alert.Info, ok bool, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		e, found, err := tx.EventByID(eventID.String())
		if err != nil || !found {
			return err
		}
		info, ok = alertInfo(e)
		return nil
	})
	return info, ok, err
}

func alertInfo(e *store.Event) (alert.Info, bool) {
	if e.RedactedBy != "" {
		return alert.Info{}, false
	}
	evType, content := effective(e)
	a, ok := alert.ParseAlert(evType, content)
	if !ok {
		return alert.Info{}, false
	}
	c := parseContent(content)
	return alert.Info{Alert: a, EventID: id.EventID(e.EventID), RoomID: id.RoomID(e.RoomID), Sender: id.UserID(e.Sender),
		TS: e.TS, Body: c.Body}, true
}

// AlertBoard returns the board of an alert: the latest response of each user, who acknowledged
// without answering, and which joined members did neither. Our own responses still in the queue
// count already. An event that is not a stored alert of the room gives ErrUnknownAlert; an alert
// we sent that sync has not brought back yet is found in the queue.
func (s *Session) AlertBoard(ctx context.Context, roomID id.RoomID, alertEvent id.EventID) (*alert.Board, error) {
	var info alert.Info
	var related []alert.Related
	me := s.account.UserID
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		found := false
		if e, ok, err := tx.EventByID(alertEvent.String()); err != nil {
			return err
		} else if ok && e.RoomID == room.ID {
			info, found = alertInfo(e)
		}
		out, err := tx.OutgoingInRoom(room.ID)
		if err != nil {
			return err
		}
		for _, o := range out {
			if !found && o.EventID == alertEvent.String() {
				e := &store.Event{RoomID: room.ID, EventID: o.EventID, Sender: me.String(), Type: o.Type, TS: o.CreatedTS, Content: o.Content}
				info, found = alertInfo(e)
			}
		}
		if !found {
			return fmt.Errorf("%w: %s in %s", ErrUnknownAlert, alertEvent, roomID)
		}
		related, err = loadRelated(tx, me, relatedQuery{roomID: room.ID, targets: []string{alertEvent.String()}, relTypes: alertRelTypes,
			queued: func(o *store.Outgoing) bool { return o.EventID != alertEvent.String() }})
		return err
	})
	if err != nil {
		return nil, err
	}
	joined, ok := s.joined.get(roomID, time.Now())
	if !ok {
		if joined, err = s.joinedMembers(ctx, roomID, false); err != nil {
			return nil, err
		}
	}
	b := alert.BuildBoard(info, related, joined)
	return &b, nil
}

// UnitReport is the latest FMS status of one unit.
type UnitReport struct {
	Unit    string     `json:"unit"` // the unit, or the sender when the status named none
	FMS     int        `json:"fms"`
	Meaning string     `json:"meaning"`
	Sender  id.UserID  `json:"sender"`
	TS      int64      `json:"ts"`
	EventID id.EventID `json:"event_id"`
}

// unitStatusScan bounds how far back UnitStatuses looks (stored and loaded history).
const unitStatusScan = 1000

// UnitStatuses returns the latest status of each unit in the room, by unit name.
func (s *Session) UnitStatuses(ctx context.Context, roomID id.RoomID) ([]UnitReport, error) {
	var events []*store.Event
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, ok, err := tx.Room(roomID.String()); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		var err error
		events, err = tx.Timeline(roomID.String(), unitStatusScan)
		return err
	})
	if err != nil {
		return nil, err
	}
	latest := map[string]UnitReport{}
	for _, e := range events {
		if e.RedactedBy != "" {
			continue
		}
		st, ok := alert.ParseStatus(effective(e))
		if !ok {
			continue
		}
		unit := st.Unit
		if unit == "" {
			unit = e.Sender
		}
		if old, seen := latest[unit]; seen && old.TS > e.TS {
			continue
		}
		latest[unit] = UnitReport{Unit: unit, FMS: st.FMS, Meaning: alert.FMSMeaning(st.FMS), Sender: id.UserID(e.Sender),
			TS: e.TS, EventID: id.EventID(e.EventID)}
	}
	out := make([]UnitReport, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b UnitReport) int {
		switch {
		case a.Unit < b.Unit:
			return -1
		case a.Unit > b.Unit:
			return 1
		}
		return 0
	})
	return out, nil
}
