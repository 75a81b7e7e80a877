package session

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// Bounds of filling a board's gap: pages of /relations, and events in all.
const (
	gapPageSize = 100
	gapMaxPages = 20
)

// gapAlert is an open alert of a room whose sync timeline came with a gap.
type gapAlert struct {
	roomID, eventID string
}

// noteAlertGap remembers the open alerts (live in the last day) of a room whose timeline is
// limited: the receipts and responses inside the gap never come through sync, so the board would
// miss them for good. They are fetched after the sync response is stored (fillAlertGaps).
func (in *ingester) noteAlertGap(roomID string) error {
	if in.alerts == nil {
		return nil
	}
	st, err := in.alerts.load(in.tx)
	if err != nil {
		return err
	}
	for eventID, o := range st.Open {
		if o.RoomID == roomID {
			in.gapAlerts = append(in.gapAlerts, gapAlert{roomID: roomID, eventID: eventID})
		}
	}
	return nil
}

// fillAlertGaps fetches the receipts and responses (m.reference relations) of alerts whose room had
// a timeline gap, stores those not stored yet (outside the timeline, which a backfill orders later)
// and announces the alerts' boards as changed. Failures are logged: the board stays as it was.
func (s *Session) fillAlertGaps(ctx context.Context, gaps []gapAlert) {
	for _, g := range gaps {
		n, err := s.fillAlertGap(ctx, id.RoomID(g.roomID), id.EventID(g.eventID))
		if err != nil {
			s.log.Warn().Str("room_id", g.roomID).Str("alert", g.eventID).Err(err).Msg("Filling the alert board's gap failed")
			continue
		}
		s.log.Debug().Str("room_id", g.roomID).Str("alert", g.eventID).Int("added", n).Msg("Filled the alert board's gap")
	}
}

func (s *Session) fillAlertGap(ctx context.Context, roomID id.RoomID, alertEvent id.EventID) (int, error) {
	var raws []json.RawMessage
	from := ""
	for range gapMaxPages {
		var resp struct {
			Chunk     []json.RawMessage `json:"chunk"`
			NextBatch string            `json:"next_batch"`
		}
		query := map[string]string{"limit": strconv.Itoa(gapPageSize), "dir": "b"}
		if from != "" {
			query["from"] = from
		}
		reqCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := s.cli.MakeFullRequest(reqCtx, mautrix.FullRequest{
			Method: http.MethodGet,
			URL: s.cli.BuildURLWithQuery(mautrix.ClientURLPath{"v1", "rooms", roomID, "relations", alertEvent, "m.reference"},
				query),
			ResponseJSON: &resp,
			MaxAttempts:  1,
		})
		cancel()
		if err != nil {
			return 0, s.classify("load the alert's responses", err)
		}
		raws = append(raws, resp.Chunk...)
		if resp.NextBatch == "" || len(resp.Chunk) == 0 {
			break
		}
		from = resp.NextBatch
	}
	dec := decryptions{}
	s.decryptEvents(ctx, roomID, raws, dec)
	added := 0
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		added = 0
		in := &ingester{tx: tx, me: s.account.UserID.String(), log: s.log}
		for _, raw := range raws {
			ev, err := parseRoomEvent(raw)
			if err != nil || ev.StateKey != nil {
				in.skip(roomID.String(), err)
				continue
			}
			se := toStoreEvent(roomID.String(), ev)
			if se.RelatesTo != alertEvent.String() {
				continue // the server answered with something else
			}
			if d, ok := dec[ev.EventID]; ok {
				applyDecryption(se, d)
			}
			_, inserted, err := tx.PutEvent(se)
			if err != nil {
				return err
			}
			if inserted {
				added++
			}
		}
		if added == 0 {
			return nil
		}
		_, err := tx.AddChange(string(ChangeAlertUpdate), roomID.String(), alertEvent.String())
		return err
	})
	if err != nil {
		return 0, err
	}
	if added > 0 {
		s.bus.notify()
	}
	return added, nil
}
