package session

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// TimelineEvent is a timeline event as front ends and bosctl show it.
type TimelineEvent struct {
	RoomID           id.RoomID       `json:"room_id"`
	EventID          id.EventID      `json:"event_id"`
	Sender           id.UserID       `json:"sender"`
	Type             string          `json:"type"` // the plaintext type for decrypted events
	StateKey         *string         `json:"state_key,omitempty"`
	MsgType          string          `json:"msgtype,omitempty"`
	Body             string          `json:"body,omitempty"`
	TS               int64           `json:"ts"`
	Encrypted        bool            `json:"encrypted"`
	Decrypted        bool            `json:"decrypted"`
	DecryptionError  string          `json:"decryption_error,omitempty"`
	DecryptionReason string          `json:"decryption_reason,omitempty"` // stable code (Reason*) when DecryptionError is set
	SenderVerified   bool            `json:"sender_verified"`             // the sender's device was verified (cross-signed) when decrypted
	SenderTrust      string          `json:"sender_trust,omitempty"`
	RelType          string          `json:"rel_type,omitempty"`
	RelatesTo        id.EventID      `json:"relates_to,omitempty"`
	ThreadRoot       id.EventID      `json:"thread_root,omitempty"` // a thread reply's root (m.thread)
	GeoURI           string          `json:"geo_uri,omitempty"`     // a location's geo: URI (m.location)
	Redacted         bool            `json:"redacted,omitempty"`
	Damaged          bool            `json:"damaged,omitempty"` // the stored event could not be read (tampered or corrupted): no content
	Voice            *VoiceInfo      `json:"voice,omitempty"`   // a voice message's length and waveform (MSC3245)
	Call             *CallSummary    `json:"call,omitempty"`    // a call invite: the call's history line (Body holds its text)
	Content          json.RawMessage `json:"-"`
}

func viewEvent(e *store.Event) TimelineEvent {
	te := TimelineEvent{RoomID: id.RoomID(e.RoomID), EventID: id.EventID(e.EventID), Sender: id.UserID(e.Sender),
		Type: e.Type, StateKey: e.StateKey, TS: e.TS, Encrypted: e.Type == "m.room.encrypted",
		DecryptionError: e.DecryptionError, RelType: e.RelType, RelatesTo: id.EventID(e.RelatesTo),
		Redacted: e.RedactedBy != "", Damaged: e.Damaged, Content: e.Content}
	if e.DecryptionError != "" {
		te.DecryptionReason = decryptionReason(e)
	}
	if e.Decrypted != nil {
		trust := id.TrustState(e.SenderTrust)
		te.SenderVerified = trust >= id.TrustStateCrossSignedVerified
		te.SenderTrust = trust.String()
		te.Decrypted = true
		te.Type = e.DecryptedType
		te.Content = e.Decrypted
	}
	if e.RelType == "m.thread" {
		te.ThreadRoot = id.EventID(e.RelatesTo)
	}
	var c struct {
		MsgType string `json:"msgtype"`
		Body    string `json:"body"`
		Text    string `json:"org.matrix.msc1767.text"` // the fallback of a poll start (MSC1767)
	}
	if json.Unmarshal(te.Content, &c) == nil {
		te.MsgType, te.Body = c.MsgType, c.Body
		if te.Body == "" {
			te.Body = c.Text
		}
	}
	if te.MsgType == "m.audio" && !te.Redacted {
		te.Voice = voiceOf(te.Content)
	}
	if te.MsgType == "m.location" && !te.Redacted {
		if l := locationOf(parseContent(te.Content), e.TS); l != nil {
			te.GeoURI = l.GeoURI
		}
	}
	return te
}

// Event returns one stored event.
func (s *Session) Event(ctx context.Context, eventID id.EventID) (te TimelineEvent, ok bool, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		e, found, err := tx.EventByID(eventID.String())
		if found {
			te, ok = viewEvent(e), true
		}
		return err
	})
	return te, ok, err
}

// History returns the last limit timeline events of a room, oldest first. When the store holds
// fewer, it paginates back from the server (/messages) and stores what it gets.
func (s *Session) History(ctx context.Context, roomID id.RoomID, limit int) ([]TimelineEvent, error) {
	for {
		var events []*store.Event
		var room *store.Room
		err := s.db.Read(ctx, func(tx *store.Tx) error {
			var ok bool
			var err error
			if room, ok, err = tx.Room(roomID.String()); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
			}
			events, err = tx.Timeline(roomID.String(), limit)
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(events) >= limit || room.HistoryComplete || room.PrevBatch == "" {
			out := make([]TimelineEvent, len(events))
			for i, e := range events {
				out[i] = viewEvent(e)
			}
			summariseHistoryCalls(out, time.Now())
			return out, nil
		}
		if _, err := s.backfill(ctx, roomID, max(limit-len(events), 20)); err != nil {
			return nil, err
		}
	}
}

// backfill fetches up to n older events of a room from the server and prepends them to the stored
// timeline. It returns how many events were added.
func (s *Session) backfill(ctx context.Context, roomID id.RoomID, n int) (int, error) {
	var from string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if ok {
			from = room.PrevBatch
		}
		return err
	})
	if err != nil || from == "" {
		return 0, err
	}
	var resp struct {
		Chunk []json.RawMessage `json:"chunk"`
		State []json.RawMessage `json:"state"`
		End   string            `json:"end"`
	}
	_, err = s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
		Method: http.MethodGet,
		URL: s.cli.BuildURLWithQuery(mautrix.ClientURLPath{"v3", "rooms", roomID, "messages"},
			map[string]string{"from": from, "dir": "b", "limit": fmt.Sprint(min(n, 1000))}),
		ResponseJSON: &resp,
		MaxAttempts:  1,
	})
	if err != nil {
		return 0, s.classify("load history", err)
	}
	dec := decryptions{}
	s.decryptEvents(ctx, roomID, resp.Chunk, dec)
	added := 0
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		added = 0
		in := &ingester{tx: tx, me: s.account.UserID.String(), log: s.log}
		room, ok, err := tx.Room(roomID.String())
		if err != nil || !ok || room.PrevBatch != from {
			return err // the room changed meanwhile: nothing to do
		}
		for _, raw := range resp.State {
			if ev, err := parseRoomEvent(raw); err == nil && ev.Type == "m.room.member" && ev.StateKey != nil {
				if _, _, err := tx.PutEvent(toStoreEvent(room.ID, ev)); err != nil {
					return err
				}
				if _, known, err := tx.Member(room.ID, *ev.StateKey); err != nil {
					return err
				} else if !known {
					if err := in.saveMember(room.ID, ev, false); err != nil {
						return err
					}
				}
			}
		}
		cut, pastCut := s.retentionCut(), false
		for _, raw := range resp.Chunk {
			ev, err := parseRoomEvent(raw)
			if err != nil {
				in.skip(room.ID, err)
				continue
			}
			if ev.StateKey == nil && ev.TS < cut {
				pastCut = true // older than keep_messages_days: not stored, and history ends here
				continue
			}
			se := toStoreEvent(room.ID, ev)
			if d, ok := dec[ev.EventID]; ok {
				applyDecryption(se, d)
			}
			rowID, _, err := tx.PutEvent(se)
			if err != nil {
				return err
			}
			if se.TxnID != "" && se.Sender == in.me {
				if _, err := tx.DeleteOutgoing(se.TxnID); err != nil {
					return err
				}
			}
			if err := tx.PrependTimeline(room.ID, rowID); err != nil {
				return err
			}
			added++
		}
		room.PrevBatch = resp.End
		room.HistoryComplete = resp.End == "" || len(resp.Chunk) == 0 || pastCut
		if err := tx.SaveRoom(room); err != nil {
			return err
		}
		_, err = tx.AddChange(string(ChangeBackfill), room.ID, "")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("failed to store history: %w", err)
	}
	s.bus.notify()
	return added, nil
}
