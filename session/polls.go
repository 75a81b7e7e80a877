package session

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/poll"
	"bosmessenger/store"
)

// Kinds of timeline messages for polls (Message.Kind; Message.Poll holds the results).
const (
	KindPoll    = "poll"     // a poll start (org.matrix.msc3381.poll.start)
	KindPollEnd = "poll_end" // the end of a poll, shown with its closing text
)

// CreatePoll queues a poll start (MSC3381, as Element sends it) and returns its transaction ID.
// Bad input gives poll.ErrInvalid.
func (s *Session) CreatePoll(ctx context.Context, roomID id.RoomID, p poll.Poll) (string, error) {
	content, err := poll.BuildStart(p)
	if err != nil {
		return "", err
	}
	return s.Enqueue(ctx, roomID, poll.TypeStart, content)
}

// VotePoll queues our vote on a poll; answers are answer IDs, texts or numbers from 1
// (poll.Resolve). A later vote replaces the earlier one. An ended poll gives ErrPollEnded, an
// event that is no poll of the room ErrUnknownPoll, answers that do not fit poll.ErrInvalid.
func (s *Session) VotePoll(ctx context.Context, roomID id.RoomID, pollEvent id.EventID, answers []string) (string, error) {
	r, err := s.PollResults(ctx, roomID, pollEvent)
	if err != nil {
		return "", err
	}
	if r.Ended {
		return "", fmt.Errorf("%w: %s", ErrPollEnded, pollEvent)
	}
	ids, err := poll.Resolve(r.Poll, answers)
	if err != nil {
		return "", err
	}
	return s.Enqueue(ctx, roomID, poll.TypeResponse, poll.BuildResponse(pollEvent, ids))
}

// EndPoll queues the end of a poll with a closing text (empty: the result in German,
// EndPollText). Only its creator and members with redaction power may end it
// (ErrPollNotAllowed); an ended poll gives ErrPollEnded.
func (s *Session) EndPoll(ctx context.Context, roomID id.RoomID, pollEvent id.EventID, text string) (string, error) {
	r, err := s.PollResults(ctx, roomID, pollEvent)
	if err != nil {
		return "", err
	}
	switch {
	case r.Ended:
		return "", fmt.Errorf("%w: %s", ErrPollEnded, pollEvent)
	case !r.CanEnd:
		return "", fmt.Errorf("%w: %s was started by %s", ErrPollNotAllowed, pollEvent, r.Sender)
	}
	if text == "" {
		if text, err = s.EndPollText(ctx, roomID, pollEvent, "de"); err != nil {
			return "", err
		}
	}
	return s.Enqueue(ctx, roomID, poll.TypeEnd, poll.BuildEnd(pollEvent, text))
}

// EndPollText is the closing text for ending a poll now: its result as it stands, also for an
// undisclosed poll (poll.EndText; lang "en" English, else German).
func (s *Session) EndPollText(ctx context.Context, roomID id.RoomID, pollEvent id.EventID, lang string) (string, error) {
	r, err := s.PollResults(ctx, roomID, pollEvent)
	if err != nil {
		return "", err
	}
	var related []poll.Related
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		related, err = pollRelated(tx, roomID.String(), s.account.UserID, []string{pollEvent.String()})
		return err
	})
	if err != nil {
		return "", err
	}
	// Count as if the creator ended it after everything known.
	end, err := json.Marshal(poll.BuildEnd(pollEvent, ""))
	if err != nil {
		return "", fmt.Errorf("failed to encode poll end: %w", err)
	}
	related = append(related, poll.Related{Sender: r.Sender, Type: poll.TypeEnd, Content: end, TS: math.MaxInt64 / 2})
	return poll.EndText(poll.Tally(r.Info, related, s.account.UserID, nil), lang), nil
}

// PollResults returns the state of a poll (poll.Tally) as we see it: stored votes and ends plus
// our own queued ones. An event that is not a poll of the room gives ErrUnknownPoll; a poll we
// sent that sync has not brought back yet is found in the queue.
func (s *Session) PollResults(ctx context.Context, roomID id.RoomID, pollEvent id.EventID) (*poll.Results, error) {
	var res poll.Results
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		var start *store.Event
		if e, ok, err := tx.EventByID(pollEvent.String()); err != nil {
			return err
		} else if ok && e.RoomID == room.ID {
			start = e
		}
		if start == nil {
			out, err := tx.OutgoingInRoom(room.ID)
			if err != nil {
				return err
			}
			for _, o := range out {
				if o.EventID == pollEvent.String() && o.EventID != "" {
					start = &store.Event{RoomID: room.ID, EventID: o.EventID, Sender: s.account.UserID.String(), Type: o.Type,
						TS: o.CreatedTS, Content: o.Content}
				}
			}
		}
		tallies, err := tallyPolls(tx, room.ID, s.account.UserID, []*store.Event{start})
		if err != nil {
			return err
		}
		r, found := tallies[pollEvent.String()]
		if start == nil || !found {
			return fmt.Errorf("%w: %s in %s", ErrUnknownPoll, pollEvent, roomID)
		}
		res = *r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// pollInfo reads a stored poll start.
func pollInfo(e *store.Event) (poll.Info, bool) {
	if e == nil || e.RedactedBy != "" || e.Damaged {
		return poll.Info{}, false
	}
	evType, content := effective(e)
	p, ok := poll.ParseStart(evType, content)
	if !ok {
		return poll.Info{}, false
	}
	return poll.Info{Poll: p, EventID: id.EventID(e.EventID), RoomID: id.RoomID(e.RoomID), Sender: id.UserID(e.Sender), TS: e.TS}, true
}

// pollRelated loads the votes and ends that refer to the polls: stored ones (decrypted) first,
// then our queued ones (not failed), which count as the newest.
func pollRelated(tx *store.Tx, roomID string, me id.UserID, pollIDs []string) ([]poll.Related, error) {
	return loadRelated(tx, me, relatedQuery{roomID: roomID, targets: pollIDs, relTypes: []string{"m.reference"},
		stored: poll.IsPollEvent,
		queued: func(o *store.Outgoing) bool { return poll.IsPollEvent(o.Type) && o.Type != poll.TypeStart },
	})
}

// tallyPolls folds the results of the poll starts among events (others and nil are skipped), by
// event ID.
func tallyPolls(tx *store.Tx, roomID string, me id.UserID, events []*store.Event) (map[string]*poll.Results, error) {
	infos := map[string]poll.Info{}
	var ids []string
	for _, e := range events {
		if info, ok := pollInfo(e); ok {
			infos[e.EventID] = info
			if e.EventID != "" {
				ids = append(ids, e.EventID)
			}
		}
	}
	out := map[string]*poll.Results{}
	if len(infos) == 0 {
		return out, nil
	}
	var related []poll.Related
	if len(ids) > 0 {
		var err error
		if related, err = pollRelated(tx, roomID, me, ids); err != nil {
			return nil, err
		}
	}
	mayEnd, err := redactionPower(tx, roomID)
	if err != nil {
		return nil, err
	}
	for evID, info := range infos {
		r := poll.Tally(info, related, me, mayEnd)
		out[evID] = &r
	}
	return out, nil
}

// redactionPower tells who may redact others' events in the room (and so end their polls).
func redactionPower(tx *store.Tx, roomID string) (func(id.UserID) bool, error) {
	pl := struct {
		Users        map[id.UserID]int `json:"users"`
		UsersDefault int               `json:"users_default"`
		Redact       *int              `json:"redact"`
	}{}
	e, ok, err := tx.StateEvent(roomID, "m.room.power_levels", "")
	if err != nil {
		return nil, err
	}
	if ok {
		_ = json.Unmarshal(e.Content, &pl) // best effort: a broken event grants nobody
	}
	redact := 50
	if pl.Redact != nil {
		redact = *pl.Redact
	}
	return func(u id.UserID) bool {
		if !ok {
			return false
		}
		level, found := pl.Users[u]
		if !found {
			level = pl.UsersDefault
		}
		return level >= redact
	}, nil
}

// pollMessage fills a timeline message for a poll event: a start shows its question (the results
// come from foldPolls), an end its closing text; a vote is not shown (KindUnknown).
func pollMessage(m *Message, e *store.Event) {
	evType, content := effective(e)
	m.Kind = KindUnknown
	if p, ok := poll.ParseStart(evType, content); ok {
		m.Kind, m.Body = KindPoll, poll.FallbackText(p)
	} else if _, closing, ok := poll.ParseEnd(evType, content); ok {
		m.Kind, m.Body = KindPollEnd, closing
	}
}

// foldPolls sets the results of the polls among the timeline's messages (stored events, then the
// local echoes of outgoing ones in the same order as buildTimeline appends them).
func foldPolls(tx *store.Tx, roomID string, me id.UserID, msgs []Message, events []*store.Event, outgoing []*store.Outgoing) error {
	byID := map[string]*store.Event{}
	var starts []*store.Event
	for _, e := range events {
		if t, _ := effective(e); t == poll.TypeStart || t == poll.StableStart {
			starts = append(starts, e)
			byID[e.EventID] = e
		}
	}
	echoes := map[string]*store.Event{}
	for _, o := range outgoing {
		if o.Type == poll.TypeStart && o.State != store.SendFailed {
			se := &store.Event{RoomID: roomID, EventID: o.EventID, Sender: me.String(), Type: o.Type, TS: o.CreatedTS, Content: o.Content}
			echoes[o.TxnID] = se
			if _, stored := byID[o.EventID]; !stored || o.EventID == "" {
				starts = append(starts, se)
			}
		}
	}
	if len(starts) == 0 {
		return nil
	}
	tallies, err := tallyPolls(tx, roomID, me, starts)
	if err != nil {
		return err
	}
	for i := range msgs {
		m := &msgs[i]
		if m.Kind != KindPoll {
			continue
		}
		if m.TxnID != "" && m.EventID == "" {
			if e := echoes[m.TxnID]; e != nil {
				if info, ok := pollInfo(e); ok {
					r := poll.Tally(info, nil, me, nil)
					m.Poll = &r
				}
			}
			continue
		}
		m.Poll = tallies[m.EventID.String()]
	}
	return nil
}
