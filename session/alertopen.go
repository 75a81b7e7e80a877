package session

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
	"bosmessenger/store"
)

// OpenAlertNoDeadline is how long an alarm without a response deadline stays open after it was
// sent (for OpenAlerts: it comes back after a restart within this time).
const OpenAlertNoDeadline = 30 * time.Minute

// kvAlertDismissed is the store key of alerts the user dismissed without answering.
const kvAlertDismissed = "alert_dismissed"

// OpenAlerts returns the alarms that still wait for our answer, oldest first: alerts of priority
// alarm from others that arrived live (the receipt bookkeeping knows them, also across restarts),
// in rooms we are joined to, whose deadline has not passed, which we neither answered (on any of
// our devices, or in the send queue) nor dismissed. The desktop app shows them again after a
// restart.
func (s *Session) OpenAlerts(ctx context.Context) ([]alert.Info, error) {
	me := s.account.UserID
	now := time.Now()
	var out []alert.Info
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		out = nil
		st, err := loadAckState(tx)
		if err != nil {
			return err
		}
		dismissed, err := loadDismissed(tx)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(st.Pending)+len(st.Done))
		for eventID := range st.Pending {
			ids = append(ids, eventID)
		}
		for eventID := range st.Done {
			if _, dup := st.Pending[eventID]; !dup {
				ids = append(ids, eventID)
			}
		}
		for _, eventID := range ids {
			if _, gone := dismissed[eventID]; gone {
				continue
			}
			e, ok, err := tx.EventByID(eventID)
			if err != nil {
				return err
			}
			if !ok || e.Sender == me.String() {
				continue
			}
			info, ok := alertInfo(e)
			if !ok || info.Priority != alert.PriorityAlarm || !alertOpenAt(info, now) {
				continue
			}
			room, ok, err := tx.Room(e.RoomID)
			if err != nil {
				return err
			}
			if !ok || room.Membership != "join" {
				continue
			}
			answered, err := s.respondedAlready(tx, id.RoomID(e.RoomID), info.EventID)
			if err != nil {
				return err
			}
			if !answered {
				out = append(out, info)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to list open alerts: %w", err)
	}
	slices.SortFunc(out, func(a, b alert.Info) int { return int(min(max(a.TS-b.TS, -1), 1)) })
	return out, nil
}

// alertOpenAt reports whether an alert still waits for answers at now: before its deadline, or
// without one within OpenAlertNoDeadline of being sent.
func alertOpenAt(info alert.Info, now time.Time) bool {
	if info.DeadlineTS > 0 {
		return now.UnixMilli() < info.DeadlineTS
	}
	return now.UnixMilli() < info.TS+OpenAlertNoDeadline.Milliseconds()
}

// respondedAlready reports whether our user answered the alert (a response of any of our devices
// as stored, or one in our send queue); a receipt alone is no answer.
func (s *Session) respondedAlready(tx *store.Tx, roomID id.RoomID, alertEvent id.EventID) (bool, error) {
	me := s.account.UserID.String()
	rels, err := tx.RelationsTo(roomID.String(), []string{alertEvent.String()}, alertRelTypes...)
	if err != nil {
		return false, err
	}
	for _, e := range rels {
		if e.Sender != me || (e.Type == "m.room.encrypted" && e.Decrypted == nil) || e.RedactedBy != "" {
			continue
		}
		if t, _, ok := alert.ParseResponse(effective(e)); ok && t == alertEvent {
			return true, nil
		}
	}
	out, err := tx.OutgoingInRoom(roomID.String())
	if err != nil {
		return false, err
	}
	for _, o := range out {
		if o.State == store.SendFailed {
			continue
		}
		if t, _, ok := alert.ParseResponse(o.Type, o.Content); ok && t == alertEvent {
			return true, nil
		}
	}
	return false, nil
}

// DismissAlert remembers that the user closed an alarm without answering: OpenAlerts leaves it
// out from then on (the receipt, when due, still goes out).
func (s *Session) DismissAlert(ctx context.Context, alertEvent id.EventID) error {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		m, err := loadDismissed(tx)
		if err != nil {
			return err
		}
		now := time.Now()
		m[alertEvent.String()] = now.UnixMilli()
		prune(m, func(ts int64) int64 { return ts }, now.Add(-ackDoneKeep).UnixMilli())
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		return tx.SetValue(kvAlertDismissed, string(b))
	})
	if err != nil {
		return fmt.Errorf("failed to dismiss alert: %w", err)
	}
	return nil
}

func loadDismissed(tx *store.Tx) (map[string]int64, error) {
	v, err := tx.Value(kvAlertDismissed)
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	if v != "" {
		_ = json.Unmarshal([]byte(v), &m) // unreadable: none dismissed
	}
	return m, nil
}
