package session

import (
	"context"
	"errors"
	"strconv"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// Sealed kv keys of the federation list: the version of the last accepted list (the rollback
// floor) and that list as signed.
const (
	kvFedListVersion = "bos.fedlist.version"
	kvFedListJWS     = "bos.fedlist.jws"
)

// ChangePolicy: BOS mode was blocked or unblocked, or a new federation list was accepted (see
// Session.BlockedReason and Enforcer.State).
const ChangePolicy ChangeKind = "policy"

// enforcer is the session's Enforcer, nil when its policy is another one.
func (s *Session) enforcer() *Enforcer {
	e, _ := s.cfg.Policy.(*Enforcer)
	return e
}

// BlockedReason is nil unless BOS mode is blocked; then it says why and what the admin must do
// (it matches ErrPolicyBlocked). A ChangePolicy change event announces every change.
func (s *Session) BlockedReason() error {
	if e := s.enforcer(); e != nil {
		return e.Blocked()
	}
	return nil
}

// organisation looks up the server of a user ID in the federation list (see
// Enforcer.Organisation); known is false without an enforcer or valid list.
func (s *Session) organisation(serverName string) (org string, vetted bool, known bool) {
	if e := s.enforcer(); e != nil {
		return e.Organisation(serverName)
	}
	return "", false, false
}

// attachPolicy binds the enforcer to the session's store: the last accepted list version read
// from it raises the rollback floor, the list is fetched again, and a refresher keeps it current
// until the session closes.
func (s *Session) attachPolicy(ctx context.Context) error {
	e := s.enforcer()
	if e == nil {
		return nil
	}
	var version, jws string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var e1, e2 error
		version, e1 = tx.Value(kvFedListVersion)
		jws, e2 = tx.Value(kvFedListJWS)
		return errors.Join(e1, e2)
	})
	if err != nil {
		return err
	}
	stored, _ := strconv.ParseInt(version, 10, 64)
	e.mu.Lock()
	if e.stop != nil {
		close(e.stop) // an earlier session of this enforcer
	}
	e.sess, e.stop = s, make(chan struct{})
	if stored > e.floor || (stored == e.floor && e.floorJWS == "") {
		e.floor, e.floorJWS = stored, jws
	}
	stop := e.stop
	e.mu.Unlock()
	s.SetOrgLookup(e.Organisation) // member and sender badges (names.go)
	_ = e.Refresh(ctx)
	if err := s.BlockedReason(); err != nil {
		s.log.Warn().Err(err).Msg("BOS mode is blocked")
	}
	go e.refresher(stop)
	return nil
}

// detachPolicy stops the refresher (the session is closing).
func (s *Session) detachPolicy() {
	e := s.enforcer()
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == s {
		close(e.stop)
		e.sess, e.stop = nil, nil
	}
}

// policyChanged stores an accepted list (sealed) and records a change event.
func (s *Session) policyChanged(ctx context.Context, version int64, jws string, accepted, changed bool) {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		if accepted {
			if err := errors.Join(tx.SetValue(kvFedListVersion, strconv.FormatInt(version, 10)), tx.SetValue(kvFedListJWS, jws)); err != nil {
				return err
			}
		}
		if changed {
			_, err := tx.AddChange(string(ChangePolicy), "", "")
			return err
		}
		return nil
	})
	if err != nil {
		s.log.Warn().Err(err).Msg("Storing the federation list failed")
		return
	}
	if changed {
		s.bus.notify()
		if b := s.BlockedReason(); b != nil {
			s.log.Warn().Err(b).Msg("BOS mode is blocked")
		} else {
			s.log.Info().Int64("version", version).Msg("Federation list in effect")
		}
	}
}

// refresher fetches the list every RefreshInterval (BlockedRetry while blocked, and right after
// the list expires) until stop closes.
func (e *Enforcer) refresher(stop chan struct{}) {
	for {
		wait := e.RefreshInterval
		if e.Blocked() != nil {
			wait = e.BlockedRetry
		}
		e.mu.Lock()
		if e.list != nil {
			if until := e.list.ExpiresAt.Sub(e.now()); until > 0 && until < wait {
				wait = until + 10*time.Millisecond
			}
		}
		e.mu.Unlock()
		timer := time.NewTimer(wait)
		select {
		case <-stop:
			timer.Stop()
			return
		case <-e.wake:
			timer.Stop()
			continue // a refresh just ran: wait again from its outcome
		case <-timer.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_ = e.Refresh(ctx)
		cancel()
	}
}

// discardRoomKeys starts new room keys in every encrypted room after servers left the list (their
// devices may hold the current ones).
func (s *Session) discardRoomKeys(ctx context.Context, removed []string) {
	if s.e2ee == nil {
		// Crypto opens after the store (the list is checked first): do it then.
		s.bosMu.Lock()
		s.discardPending = append(s.discardPending, removed...)
		s.bosMu.Unlock()
		return
	}
	var rooms []id.RoomID
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		all, err := tx.Rooms()
		for _, r := range all {
			if r.Membership == "join" && r.Encryption != "" {
				rooms = append(rooms, id.RoomID(r.ID))
			}
		}
		return err
	})
	if err == nil {
		err = s.e2ee.DiscardRoomKeys(ctx, rooms)
	}
	if err != nil {
		s.log.Warn().Err(err).Msg("Discarding room keys after a federation list change failed")
		return
	}
	s.log.Info().Strs("servers", removed).Int("rooms", len(rooms)).Msg("Servers left the federation list: new room keys")
}
