package session

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
	"bosmessenger/store"
)

// DefaultAlertAckJitter is the default window of the random delay before an alert is
// acknowledged (policy key alert_ack_jitter_s).
const DefaultAlertAckJitter = 10 * time.Second

// kvAlertAcks is the store key of the acknowledgement bookkeeping (sealed like every kv value).
const kvAlertAcks = "alert_acks"

// Bounds of the bookkeeping: it is one sealed JSON value, so it stays small.
const (
	ackDoneKeep    = 14 * 24 * time.Hour // acknowledged alerts are remembered this long
	ackWaitingKeep = 24 * time.Hour      // live encrypted events waiting for their key
	ackMaxEntries  = 2000                // per map
	openAlertKeep  = 24 * time.Hour      // live alerts whose boards are kept complete across timeline gaps
)

// ackState is what the engine remembers about receipts, across restarts: alerts that arrived live
// and wait for their (jittered) receipt, alerts acknowledged already (never twice), and live
// encrypted events from others whose key is missing (they may turn out to be alerts).
type ackState struct {
	Pending map[string]pendingAck `json:"pending"`
	Done    map[string]int64      `json:"done"`    // alert event ID -> when the receipt was queued (ms)
	Waiting map[string]waitingEv  `json:"waiting"` // event ID -> room and arrival
	Open    map[string]waitingEv  `json:"open"`    // live alerts of the last day (ours too) -> room and arrival
	dirty   bool
}

type pendingAck struct {
	RoomID  string `json:"room_id"`
	Arrived int64  `json:"arrived"` // ms since the epoch
	Due     int64  `json:"due"`     // ms since the epoch
}

type waitingEv struct {
	RoomID string `json:"room_id"`
	Seen   int64  `json:"seen"`
}

func loadAckState(tx *store.Tx) (*ackState, error) {
	st := &ackState{}
	v, err := tx.Value(kvAlertAcks)
	if err != nil {
		return nil, err
	}
	if v != "" {
		_ = json.Unmarshal([]byte(v), st) // unreadable bookkeeping starts afresh
	}
	if st.Pending == nil {
		st.Pending = map[string]pendingAck{}
	}
	if st.Done == nil {
		st.Done = map[string]int64{}
	}
	if st.Waiting == nil {
		st.Waiting = map[string]waitingEv{}
	}
	if st.Open == nil {
		st.Open = map[string]waitingEv{}
	}
	return st, nil
}

func (st *ackState) save(tx *store.Tx, now time.Time) error {
	if !st.dirty {
		return nil
	}
	prune(st.Done, func(ts int64) int64 { return ts }, now.Add(-ackDoneKeep).UnixMilli())
	prune(st.Waiting, func(w waitingEv) int64 { return w.Seen }, now.Add(-ackWaitingKeep).UnixMilli())
	prune(st.Open, func(w waitingEv) int64 { return w.Seen }, now.Add(-openAlertKeep).UnixMilli())
	prune(st.Pending, func(p pendingAck) int64 { return p.Due }, 0)
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("failed to encode receipt bookkeeping: %w", err)
	}
	return tx.SetValue(kvAlertAcks, string(b))
}

// prune drops entries older than before, and the oldest beyond ackMaxEntries.
func prune[V any](m map[string]V, ts func(V) int64, before int64) {
	for k, v := range m {
		if ts(v) < before {
			delete(m, k)
		}
	}
	for len(m) > ackMaxEntries {
		oldest, first := "", true
		var min int64
		for k, v := range m {
			if first || ts(v) < min {
				oldest, min, first = k, ts(v), false
			}
		}
		delete(m, oldest)
	}
}

// ackWindow is the configured jitter window (negative: none).
func (s *Session) ackWindow() time.Duration { return max(s.cfg.AlertAckJitter, 0) }

// alertIngest is the alerting part of ingesting one sync response (inside its transaction).
type alertIngest struct {
	live   bool          // an incremental sync: its timeline events arrive live
	window time.Duration // ack jitter
	now    time.Time
	state  *ackState // loaded on first use
}

func (ai *alertIngest) load(tx *store.Tx) (*ackState, error) {
	if ai.state == nil {
		st, err := loadAckState(tx)
		if err != nil {
			return nil, err
		}
		ai.state = st
	}
	return ai.state, nil
}

// timelineEvent looks at one newly stored timeline event: a live alert gets a change event and,
// when it is not ours, a receipt due after a random delay; a response or receipt to a stored
// alert gets an alert_update change.
func (in *ingester) alertEvent(roomID string, se *store.Event) error {
	ai := in.alerts
	if ai == nil {
		return nil
	}
	if err := in.alertUpdate(roomID, se); err != nil {
		return err
	}
	if !ai.live || !in.roomJoinedBefore {
		return nil
	}
	evType, content := effective(se)
	if se.Type == "m.room.encrypted" && se.Decrypted == nil {
		if se.Sender == in.me {
			return nil
		}
		st, err := ai.load(in.tx)
		if err != nil {
			return err
		}
		st.Waiting[se.EventID] = waitingEv{RoomID: roomID, Seen: ai.now.UnixMilli()}
		st.dirty = true
		return nil
	}
	if _, ok := alert.ParseAlert(evType, content); !ok {
		return nil
	}
	return in.liveAlert(roomID, se.EventID, se.Sender)
}

// liveAlert records a live alert: a change event, the alert as open (its board is kept complete
// across timeline gaps, alertgap.go), and a pending receipt unless it is ours.
func (in *ingester) liveAlert(roomID, eventID, sender string) error {
	ai := in.alerts
	if err := in.change(ChangeAlert, roomID, eventID); err != nil {
		return err
	}
	st, err := ai.load(in.tx)
	if err != nil {
		return err
	}
	st.Open[eventID] = waitingEv{RoomID: roomID, Seen: ai.now.UnixMilli()}
	st.dirty = true
	if sender == in.me {
		return nil
	}
	if _, done := st.Done[eventID]; done {
		return nil
	}
	if _, pending := st.Pending[eventID]; pending {
		return nil
	}
	due := ai.now.Add(alert.RandomAckDelay(ai.window))
	st.Pending[eventID] = pendingAck{RoomID: roomID, Arrived: ai.now.UnixMilli(), Due: due.UnixMilli()}
	st.dirty = true
	return nil
}

// alertUpdate emits alert_update when se refers to a stored alert of the room.
func (in *ingester) alertUpdate(roomID string, se *store.Event) error {
	switch se.RelType {
	case "m.reference", "m.in_reply_to", "m.thread":
	default:
		return nil
	}
	target, ok, err := in.tx.EventByID(se.RelatesTo)
	if err != nil || !ok || target.RoomID != roomID {
		return err
	}
	if _, isAlert := alert.ParseAlert(effective(target)); !isAlert {
		return nil
	}
	return in.change(ChangeAlertUpdate, roomID, target.EventID)
}

// finishAlerts saves the bookkeeping at the end of the sync response's transaction.
func (in *ingester) finishAlerts() error {
	if in.alerts == nil || in.alerts.state == nil {
		return nil
	}
	return in.alerts.state.save(in.tx, in.alerts.now)
}

// decryptedLate handles events decrypted after their key arrived (inside retryUndecrypted's
// transaction): a live alert that was waiting for its key is now acknowledged like any other.
func (s *Session) decryptedLate(tx *store.Tx, st **ackState, ev *store.Event, decType string, decrypted json.RawMessage) error {
	in := &ingester{tx: tx, me: s.account.UserID.String(), log: s.log,
		alerts: &alertIngest{live: true, window: s.ackWindow(), now: time.Now(), state: *st}}
	se := *ev
	se.DecryptedType, se.Decrypted = decType, decrypted
	if err := in.alertUpdate(ev.RoomID, &se); err != nil {
		return err
	}
	state, err := in.alerts.load(tx)
	if err != nil {
		return err
	}
	*st = state
	if _, waiting := state.Waiting[ev.EventID]; !waiting {
		return nil
	}
	delete(state.Waiting, ev.EventID)
	state.dirty = true
	if _, ok := alert.ParseAlert(decType, decrypted); !ok {
		return nil
	}
	return in.liveAlert(ev.RoomID, ev.EventID, ev.Sender)
}

// alertAckLoop queues the receipts of live alerts when their random delay has passed, until ctx
// ends. Receipts then go out through the send queue (encrypted in encrypted rooms).
func (s *Session) alertAckLoop(ctx context.Context) {
	seq, err := s.LastSeq(ctx)
	if err != nil {
		return
	}
	sub := s.Subscribe(seq)
	defer sub.Close()
	for {
		next, err := s.queueDueAcks(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := time.Duration(0)
		switch {
		case err != nil:
			s.log.Warn().Err(err).Msg("Queueing alert receipts failed")
			wait = s.cfg.MaxBackoff
		case !next.IsZero():
			wait = max(time.Until(next), time.Millisecond)
		}
		if !waitForChange(ctx, sub, wait, ChangeAlert, ChangeDecrypted) {
			return
		}
	}
}

// queueDueAcks queues the receipts that are due and returns when the next one is.
func (s *Session) queueDueAcks(ctx context.Context) (next time.Time, err error) {
	var st *ackState
	if err := s.db.Read(ctx, func(tx *store.Tx) (err error) { st, err = loadAckState(tx); return err }); err != nil {
		return time.Time{}, err
	}
	now := time.Now()
	for eventID, p := range st.Pending {
		// A receipt never waits longer than the current window allows (it may have shrunk since).
		due := time.UnixMilli(min(p.Due, p.Arrived+s.ackWindow().Milliseconds()))
		if due.After(now) {
			if next.IsZero() || due.Before(next) {
				next = due
			}
			continue
		}
		if err := s.queueAck(ctx, id.RoomID(p.RoomID), id.EventID(eventID)); err != nil {
			return time.Time{}, err
		}
	}
	return next, nil
}

// queueAck queues the receipt of one due alert, in one transaction with taking it off the
// pending list: a receipt is queued once, also across restarts. It is left out when we answered
// or acknowledged the alert already (on any of our devices), or cannot send into the room.
func (s *Session) queueAck(ctx context.Context, roomID id.RoomID, alertEvent id.EventID) error {
	me := s.account.UserID.String()
	policyErr := s.cfg.Policy.Check(ctx, PolicyRequest{Action: ActionSend, UserID: me, RoomID: roomID.String()})
	raw, err := json.Marshal(alert.AckContent(alertEvent))
	if err != nil {
		return err
	}
	queued := false
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		queued = false
		st, err := loadAckState(tx)
		if err != nil {
			return err
		}
		if _, ok := st.Pending[alertEvent.String()]; !ok {
			return nil // another pass took it
		}
		delete(st.Pending, alertEvent.String())
		st.Done[alertEvent.String()] = time.Now().UnixMilli()
		st.dirty = true
		skip, err := s.answeredAlready(tx, roomID, alertEvent)
		if err != nil {
			return err
		}
		if !skip && policyErr == nil {
			o := &store.Outgoing{RoomID: roomID.String(), TxnID: newTxnID(), Type: alert.TypeAck, Content: raw}
			if err := s.enqueueTx(tx, o); err != nil {
				s.log.Info().Str("room_id", roomID.String()).Err(err).Msg("Alert receipt not queued")
			} else {
				queued = true
			}
		}
		return st.save(tx, time.Now())
	})
	if err != nil {
		return err
	}
	if queued {
		s.bus.notify()
	}
	if policyErr != nil {
		s.log.Info().Str("room_id", roomID.String()).Err(policyErr).Msg("Policy keeps alert receipt back")
	}
	return nil
}

// answeredAlready reports whether our user acknowledged or answered the alert already (stored
// events of any of our devices, or our queue).
func (s *Session) answeredAlready(tx *store.Tx, roomID id.RoomID, alertEvent id.EventID) (bool, error) {
	me := s.account.UserID.String()
	rels, err := tx.RelationsTo(roomID.String(), []string{alertEvent.String()}, alertRelTypes...)
	if err != nil {
		return false, err
	}
	for _, e := range rels {
		if e.Sender == me && (e.Decrypted != nil || e.Type != "m.room.encrypted") {
			if refersTo(e, alertEvent) {
				return true, nil
			}
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
		if t, ok := alert.ParseAck(o.Type, o.Content); ok && t == alertEvent {
			return true, nil
		}
	}
	return false, nil
}

// alertRelTypes are the relations through which responses and receipts refer to an alert.
var alertRelTypes = []string{"m.reference", "m.in_reply_to", "m.thread"}

// refersTo reports whether a stored event is a response or receipt of the alert.
func refersTo(e *store.Event, alertEvent id.EventID) bool {
	evType, content := effective(e)
	if t, _, ok := alert.ParseResponse(evType, content); ok && t == alertEvent {
		return true
	}
	t, ok := alert.ParseAck(evType, content)
	return ok && t == alertEvent
}
