package session

import (
	"context"
	"sync"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// ChangeKind says what changed.
type ChangeKind string

// Kinds of change events.
const (
	ChangeRoom          ChangeKind = "room"           // room summary added or changed (name, membership, counts...)
	ChangeTimeline      ChangeKind = "timeline"       // new event at the end of the room's timeline
	ChangeTimelineReset ChangeKind = "timeline_reset" // gap: the stored timeline was replaced (limited sync)
	ChangeBackfill      ChangeKind = "backfill"       // older events prepended by pagination
	ChangeMembers       ChangeKind = "members"
	ChangeReceipts      ChangeKind = "receipts"
	ChangeTyping        ChangeKind = "typing"
	ChangeAccountData   ChangeKind = "account_data"
	ChangeSendState     ChangeKind = "send_state" // EventID holds the transaction ID of the outgoing event
	ChangeSyncComplete  ChangeKind = "sync_complete"
	ChangeDecrypted     ChangeKind = "decrypted"
	ChangeVerification  ChangeKind = "verification" // a verification was requested or changed; EventID holds its ID
	// ChangeIdentityChanged: a user's cross-signing master key differs from the pinned one (see
	// UserTrust); UserID holds the user.
	ChangeIdentityChanged ChangeKind = "identity_changed"
	// ChangeDevices: a user's devices or keys changed and were fetched again (their trust may
	// differ now); UserID holds the user.
	ChangeDevices ChangeKind = "devices"
	// ChangeDeviceVerified: this device's own verification state changed (see DeviceVerified).
	ChangeDeviceVerified ChangeKind = "device_verified"
	// ChangeRemoteWiped: the server signed this device out and its local data was deleted (see
	// ErrRemoteWiped). It is the last change a subscription returns; the session is closed.
	ChangeRemoteWiped ChangeKind = "remote_wiped"
	// ChangeAlert: an alert (de.bos.alert) arrived live through sync (never from history);
	// EventID holds the alert event. Session.AlertInfo reads it.
	ChangeAlert ChangeKind = "alert"
	// ChangeAlertUpdate: a response or receipt to a stored alert arrived; EventID holds the alert
	// event (Session.AlertBoard reads the board again).
	ChangeAlertUpdate ChangeKind = "alert_update"
	// ChangeCallIncoming: an incoming call started ringing; CallID holds it (Session.Call reads it).
	ChangeCallIncoming ChangeKind = "call_incoming"
	// ChangeCall: a call changed state (placed, connecting, connected, ended); CallID holds it.
	ChangeCall ChangeKind = "call"
)

// Change is one typed change event. Seq increases by one for every change the store records, so a
// subscriber that remembers the last Seq it handled can resume after it.
type Change struct {
	Seq     int64
	Kind    ChangeKind
	RoomID  id.RoomID
	EventID id.EventID
	UserID  id.UserID // the user of an identity_changed or devices change
	CallID  string    // the call of a call or call_incoming change
}

func fromStore(c store.Change) Change {
	if k := ChangeKind(c.Kind); k == ChangeIdentityChanged || k == ChangeDevices {
		// The store keeps the user ID in its event ID column.
		return Change{Seq: c.Seq, Kind: k, UserID: id.UserID(c.EventID)}
	}
	if k := ChangeKind(c.Kind); k == ChangeCall || k == ChangeCallIncoming {
		// The store keeps the call ID in its event ID column.
		return Change{Seq: c.Seq, Kind: k, RoomID: id.RoomID(c.RoomID), CallID: c.EventID}
	}
	return Change{Seq: c.Seq, Kind: ChangeKind(c.Kind), RoomID: id.RoomID(c.RoomID), EventID: id.EventID(c.EventID)}
}

// changeLogKeep is how many changes stay in the persistent log for late subscribers.
const changeLogKeep = 20000

// bus wakes subscribers when the change log grows.
type bus struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

func newBus() *bus { return &bus{subs: map[*Subscription]struct{}{}} }

func (b *bus) notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

func (b *bus) close() { b.closeWith(nil) }

// closeWith closes the bus; final, if set, is the last change every current subscription returns.
func (b *bus) closeWith(final *Change) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		s.final = final
	}
	for s := range b.subs {
		close(s.done)
		delete(b.subs, s)
	}
}

// Subscription follows the change log. Changes are read from the store, so none are lost when the
// subscriber is slow; a batch holds everything that happened since the previous call.
type Subscription struct {
	s     *Session
	last  int64
	wake  chan struct{}
	done  chan struct{}
	final *Change // set (under the bus lock) when the bus closed with a last change
}

// Subscribe follows changes after sequence number since (0: from the oldest kept; use LastSeq to
// start from now).
func (s *Session) Subscribe(since int64) *Subscription {
	sub := &Subscription{s: s, last: since, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.bus.mu.Lock()
	if s.bus.closed {
		close(sub.done)
	} else {
		s.bus.subs[sub] = struct{}{}
	}
	s.bus.mu.Unlock()
	sub.wake <- struct{}{}
	return sub
}

// LastSeq is the sequence number of the newest change.
func (s *Session) LastSeq(ctx context.Context) (seq int64, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		seq, err = tx.LastChangeSeq()
		return err
	})
	return seq, err
}

// Next blocks until there are changes after the last one returned, and returns them (at most 1000).
func (sub *Subscription) Next(ctx context.Context) ([]Change, error) {
	for {
		if c := sub.takeFinal(); c != nil {
			return []Change{*c}, nil
		}
		var batch []store.Change
		err := sub.s.db.Read(ctx, func(tx *store.Tx) error {
			var err error
			batch, err = tx.ChangesSince(sub.last, 1000)
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(batch) > 0 {
			out := make([]Change, len(batch))
			for i, c := range batch {
				out[i] = fromStore(c)
			}
			sub.last = batch[len(batch)-1].Seq
			if len(batch) == 1000 {
				select {
				case sub.wake <- struct{}{}:
				default:
				}
			}
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-sub.done:
			if c := sub.takeFinal(); c != nil {
				return []Change{*c}, nil
			}
			return nil, context.Canceled
		case <-sub.wake:
		}
	}
}

// Close stops the subscription.
func (sub *Subscription) Close() {
	b := sub.s.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[sub]; ok {
		delete(b.subs, sub)
		close(sub.done)
	}
}

// takeFinal returns the bus's last change once, after it closed with one.
func (sub *Subscription) takeFinal() *Change {
	b := sub.s.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	c := sub.final
	sub.final = nil
	return c
}
