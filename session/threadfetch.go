package session

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// threadFetchLimit is how many of a thread's newest replies LoadThread asks the server for.
const threadFetchLimit = 200

// LoadThread asks the server for a thread's root and newest replies (/relations with rel_type
// m.thread) and stores those the store lacks (a gap after a limited sync, history not scrolled
// back), decrypted where possible; they show in ThreadTimeline, not in the room's timeline order.
// It returns how many events were new.
func (s *Session) LoadThread(ctx context.Context, roomID id.RoomID, root id.EventID) (int, error) {
	var raws []json.RawMessage
	var known bool
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		list, err := tx.EventsByIDs(roomID.String(), []string{root.String()})
		known = len(list) > 0
		return err
	}); err != nil {
		return 0, err
	}
	if !known {
		var ev json.RawMessage
		_, err := s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
			Method:       http.MethodGet,
			URL:          s.cli.BuildClientURL("v3", "rooms", roomID, "event", root),
			ResponseJSON: &ev,
			MaxAttempts:  1,
		})
		if err != nil {
			return 0, s.classify("load thread root", err)
		}
		raws = append(raws, ev)
	}
	var resp struct {
		Chunk []json.RawMessage `json:"chunk"`
	}
	_, err := s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
		Method: http.MethodGet,
		URL: s.cli.BuildURLWithQuery(mautrix.ClientURLPath{"v1", "rooms", roomID, "relations", root, "m.thread"},
			map[string]string{"limit": fmt.Sprint(threadFetchLimit), "dir": "b"}),
		ResponseJSON: &resp,
		MaxAttempts:  1,
	})
	if err != nil {
		return 0, s.classify("load thread", err)
	}
	raws = append(raws, resp.Chunk...)
	dec := decryptions{}
	s.decryptEvents(ctx, roomID, raws, dec)
	added := 0
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		added = 0
		in := &ingester{tx: tx, me: s.account.UserID.String(), log: s.log}
		if _, ok, err := tx.Room(roomID.String()); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		cut := s.retentionCut()
		for _, raw := range raws {
			ev, err := parseRoomEvent(raw)
			if err != nil {
				in.skip(roomID.String(), err)
				continue
			}
			if ev.StateKey != nil || ev.TS < cut {
				continue // older than keep_messages_days: not stored
			}
			se := toStoreEvent(roomID.String(), ev)
			if d, ok := dec[ev.EventID]; ok {
				applyDecryption(se, d)
			}
			if ev.EventID != root.String() && (se.RelType != "m.thread" || se.RelatesTo != root.String()) {
				continue // the server answered with something that is not in this thread
			}
			if _, inserted, err := tx.PutEvent(se); err != nil {
				return err
			} else if inserted {
				added++
			}
		}
		if added > 0 {
			_, err := tx.AddChange(string(ChangeBackfill), roomID.String(), "")
			return err
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("failed to store thread: %w", err)
	}
	if added > 0 {
		s.bus.notify()
	}
	return added, nil
}
