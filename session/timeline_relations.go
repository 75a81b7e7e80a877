package session

import (
	"encoding/json"
	"slices"

	"bosmessenger/store"
)

// Gathering: what a set of rows needs from outside itself before it can be folded: the edits and
// reactions pointing into the set (stored and queued), and the replied-to events that are not in it.

// pendingRelation is a stored or queued edit or reaction.
type pendingRelation struct {
	sender  string
	relType string
	key     string
	content *msgContent
}

// rowSet is the set of stored events one build works on (a page, or the rows a change named).
type rowSet struct {
	events   []*store.Event
	rows     []int64 // timeline row IDs of events (nil for thread windows)
	ids      []string
	index    map[string]int // event ID -> position in events
	contents []*msgContent  // parsed effective content of events
}

func newRowSet(events []*store.Event, rows []int64) *rowSet {
	set := &rowSet{events: events, rows: rows, ids: make([]string, len(events)), index: make(map[string]int, len(events)),
		contents: make([]*msgContent, len(events))}
	for i, e := range events {
		set.ids[i] = e.EventID
		set.index[e.EventID] = i
		_, raw := effective(e)
		set.contents[i] = parseContent(raw)
	}
	return set
}

// gathered is what gatherRelations found for a row set.
type gathered struct {
	rels   map[string][]pendingRelation // target event ID -> its edits and reactions, oldest first
	quoted map[string]*store.Event      // replied-to events outside the set
}

// gatherRelations loads the edits and reactions of the set's rows (stored ones, then our queued
// ones) and the events the rows reply to that are not in the set.
func (b *timelineBuilder) gatherRelations(set *rowSet, outgoing []*store.Outgoing) (*gathered, error) {
	g := &gathered{rels: map[string][]pendingRelation{}, quoted: map[string]*store.Event{}}
	relEvents, err := b.tx.RelationsTo(b.room.ID, set.ids, "m.annotation", "m.replace")
	if err != nil {
		return nil, err
	}
	addRel := func(sender, evType string, raw json.RawMessage, wire *store.Event) {
		c := parseContent(raw)
		relType, target, key := c.RelatesTo.RelType, c.RelatesTo.EventID, c.RelatesTo.Key
		if wire != nil {
			relType, target, key, _ = relation(wire, c)
		}
		if _, ok := set.index[target]; !ok {
			return
		}
		switch {
		case relType == "m.annotation" && key != "":
		case relType == "m.replace" && evType == "m.room.message" && len(c.NewContent) > 0:
		default:
			return
		}
		g.rels[target] = append(g.rels[target], pendingRelation{sender: sender, relType: relType, key: key, content: c})
	}
	for _, e := range relEvents {
		if e.Type == "m.room.encrypted" && e.Decrypted == nil {
			if e.RelType == "m.annotation" {
				// Reaction keys are in the cleartext relation of encrypted reactions.
				addRel(e.Sender, "m.reaction", e.Content, nil)
			}
			continue
		}
		t, c := effective(e)
		addRel(e.Sender, t, c, e)
	}
	for _, o := range outgoing {
		if o.State != store.SendFailed {
			addRel(b.me, o.Type, o.Content, nil)
		}
	}

	var missing []string
	for i, e := range set.events {
		if _, _, _, reply := relation(e, set.contents[i]); reply != "" {
			if _, ok := set.index[reply]; !ok && !slices.Contains(missing, reply) {
				missing = append(missing, reply)
			}
		}
	}
	if len(missing) > 0 {
		list, err := b.tx.EventsByIDs(b.room.ID, missing)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			g.quoted[e.EventID] = e
		}
	}
	return g, nil
}
