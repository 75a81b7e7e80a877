package session

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// decryptions maps event IDs to the outcome of decrypting them.
type decryptions map[string]e2ee.Decrypted

// decryptTimelines decrypts the encrypted timeline events of a sync response. It runs after the
// response's to-device messages were handled and before the response is stored, so the store
// transaction never waits for the crypto store. The response's in-room verification events
// (live ones only: this is the one place they are taken from) go to the crypto machine.
func (s *Session) decryptTimelines(ctx context.Context, resp *syncResponse) decryptions {
	out := decryptions{}
	for roomID, raw := range resp.Rooms.Join {
		var jr struct {
			Timeline struct {
				Events []json.RawMessage `json:"events"`
			} `json:"timeline"`
		}
		if json.Unmarshal(raw, &jr) != nil {
			continue
		}
		s.decryptEvents(ctx, id.RoomID(roomID), jr.Timeline.Events, out)
		s.feedRoomVerification(ctx, id.RoomID(roomID), jr.Timeline.Events, out)
	}
	return out
}

// decryptEvents decrypts the m.room.encrypted events among raws into out.
func (s *Session) decryptEvents(ctx context.Context, roomID id.RoomID, raws []json.RawMessage, out decryptions) {
	for _, raw := range raws {
		var head struct {
			Type    string `json:"type"`
			EventID string `json:"event_id"`
		}
		if json.Unmarshal(raw, &head) != nil || head.Type != "m.room.encrypted" || head.EventID == "" {
			continue
		}
		if s.e2ee == nil {
			out[head.EventID] = e2ee.Decrypted{Reason: e2ee.ReasonOther, Error: "this build cannot decrypt"}
			continue
		}
		out[head.EventID] = s.decrypt(ctx, roomID, raw)
	}
}

// applyDecryption copies a decryption outcome into the event to store.
func applyDecryption(se *store.Event, d e2ee.Decrypted) {
	se.MegolmSessionID = string(d.SessionID)
	if d.Error != "" {
		se.DecryptionError, se.DecryptionReason = d.Error, string(d.Reason)
		return
	}
	se.DecryptedType, se.Decrypted, se.SenderTrust = d.Type, d.Content, int(d.Trust)
	if se.RelType == "" {
		// Clients that encrypt the relation too (MSC4392, matrix-js-sdk's thread replies): the
		// plaintext's relation is indexed instead.
		se.RelType, se.RelatesTo = relationOf(d.Content)
	}
}

// storedEncrypted is a stored encrypted event in the wire form decryption takes.
type storedEncrypted struct {
	Type    string          `json:"type"`
	EventID string          `json:"event_id"`
	Sender  string          `json:"sender"`
	TS      int64           `json:"origin_server_ts"`
	Content json.RawMessage `json:"content"`
	RoomID  string          `json:"room_id"`
}

// retryUndecrypted decrypts stored events again whose megolm session arrived: those of the given
// sessions, or (sessions nil) every stored event still waiting for a key. All results are stored
// in one transaction with a change event for each newly readable event.
func (s *Session) retryUndecrypted(ctx context.Context, sessions map[id.SessionID]id.RoomID) error {
	if s.e2ee == nil {
		return nil
	}
	var waiting []*store.Event
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if sessions == nil {
			list, err := tx.UndecryptedEvents("", 10000)
			waiting = list
			return err
		}
		for sessionID := range sessions {
			list, err := tx.UndecryptedEvents(sessionID.String(), 10000)
			if err != nil {
				return err
			}
			waiting = append(waiting, list...)
		}
		return nil
	})
	if err != nil || len(waiting) == 0 {
		return err
	}
	type result struct {
		ev *store.Event
		d  e2ee.Decrypted
	}
	var results []result
	for _, ev := range waiting {
		raw, err := json.Marshal(storedEncrypted{Type: ev.Type, EventID: ev.EventID, Sender: ev.Sender, TS: ev.TS,
			Content: ev.Content, RoomID: ev.RoomID})
		if err != nil {
			continue
		}
		d := s.decrypt(ctx, id.RoomID(ev.RoomID), raw)
		if d.Error == "" || d.Error != ev.DecryptionError || string(d.Reason) != ev.DecryptionReason {
			results = append(results, result{ev, d})
		}
	}
	if len(results) == 0 {
		return nil
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var acks *ackState
		push := newPushCounter(tx, s.account.UserID.String())
		for _, r := range results {
			if err := tx.SetDecryption(r.ev.EventID, string(r.d.SessionID), r.d.Type, r.d.Content, r.d.Error,
				string(r.d.Reason), int(r.d.Trust)); err != nil {
				return err
			}
			if r.d.Error == "" {
				if relType, target := relationOf(r.d.Content); r.ev.RelType == "" && relType != "" {
					if err := tx.SetRelation(r.ev.EventID, relType, target); err != nil {
						return err
					}
					r.ev.RelType, r.ev.RelatesTo = relType, target
				}
				if _, err := tx.AddChange(string(ChangeDecrypted), r.ev.RoomID, r.ev.EventID); err != nil {
					return err
				}
				if err := s.decryptedLate(tx, &acks, r.ev, r.d.Type, r.d.Content); err != nil {
					return err
				}
				if err := countLate(tx, push, r.ev, r.d); err != nil {
					return err
				}
			}
		}
		if acks != nil {
			return acks.save(tx, time.Now())
		}
		return nil
	})
	if err == nil {
		s.bus.notify()
		s.log.Debug().Int("events", len(results)).Msg("Re-decrypted events after their keys arrived")
		var calls []callEvent // call events whose key came late (stale invites are ignored there)
		for _, r := range results {
			if r.d.Error == "" && isCallEvent(r.d.Type) {
				calls = append(calls, callEvent{roomID: r.ev.RoomID, se: r.ev, evType: r.d.Type, content: r.d.Content})
			}
		}
		sort.SliceStable(calls, func(i, j int) bool { return calls[i].se.TS < calls[j].se.TS })
		s.handleCallEvents(calls)
	}
	return err
}
