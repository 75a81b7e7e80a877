package session

import (
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/related"
	"bosmessenger/store"
)

// relatedQuery says which events loadRelated loads.
type relatedQuery struct {
	roomID   string
	targets  []string // the event IDs they refer to
	relTypes []string // rel_type of the stored events (RelationsTo)
	// stored keeps a stored event by its plaintext type (nil: all).
	stored func(evType string) bool
	// queued keeps one of our queued, not failed events (nil: none).
	queued func(o *store.Outgoing) bool
}

// loadRelated loads the events that refer to q.targets: the stored ones (undecryptable ones left
// out) with their plaintext type and content, then our queued ones that are not failed, which
// count as the newest (their TS is after every stored one).
func loadRelated(tx *store.Tx, me id.UserID, q relatedQuery) ([]related.Event, error) {
	rels, err := tx.RelationsTo(q.roomID, q.targets, q.relTypes...)
	if err != nil {
		return nil, err
	}
	var out []related.Event
	var newest int64
	for _, e := range rels {
		if e.Type == "m.room.encrypted" && e.Decrypted == nil {
			continue
		}
		evType, content := effective(e)
		if q.stored != nil && !q.stored(evType) {
			continue
		}
		out = append(out, related.Event{EventID: id.EventID(e.EventID), Sender: id.UserID(e.Sender), Type: evType, Content: content, TS: e.TS})
		newest = max(newest, e.TS)
	}
	if q.queued == nil {
		return out, nil
	}
	queued, err := tx.OutgoingInRoom(q.roomID)
	if err != nil {
		return nil, err
	}
	for _, o := range queued {
		if o.State == store.SendFailed || !q.queued(o) {
			continue
		}
		newest = max(newest+1, o.CreatedTS)
		out = append(out, related.Event{EventID: id.EventID(o.EventID), Sender: me, Type: o.Type, Content: o.Content, TS: newest})
	}
	return out, nil
}
