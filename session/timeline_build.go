package session

import (
	"sync/atomic"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/poll"
	"bosmessenger/store"
)

// Building a set of timeline rows: gather what the rows need (timeline_relations.go), fold each
// event into a Message (timeline_fold.go), add receipts (timeline_receipts.go), thread summaries
// and polls, and for the newest page the local echoes. Every step works on the set alone, so the
// cost of a build follows the number of rows asked for, never the size of the room.

// buildOptions selects what a build adds besides the stored rows.
type buildOptions struct {
	thread string // "": the main timeline; else the thread of this root
	echoes bool   // append our outgoing messages the server has not echoed yet
}

// newTimelineBuilder loads what every build of the room needs: members and their shown names.
func newTimelineBuilder(tx *store.Tx, room *store.Room, me string, orgs *atomic.Pointer[OrgLookup]) (*timelineBuilder, error) {
	members, err := tx.Members(room.ID, "")
	if err != nil {
		return nil, err
	}
	b := &timelineBuilder{tx: tx, room: room, me: me, members: make(map[string]*store.Member, len(members)),
		names: newNameTable(members, orgs)}
	for _, m := range members {
		b.members[m.UserID] = m
	}
	if m := b.member(me); m != nil && m.Name != "" {
		b.myNameRE = wordPattern(m.Name)
	}
	return b, nil
}

// build turns the row set into messages (stored rows first, then the echoes when asked for);
// stored is the number of stored rows.
func (b *timelineBuilder) build(set *rowSet, opt buildOptions) (out []Message, stored int, err error) {
	outgoing, err := b.tx.OutgoingInRoom(b.room.ID)
	if err != nil {
		return nil, 0, err
	}
	g, err := b.gatherRelations(set, outgoing)
	if err != nil {
		return nil, 0, err
	}
	receipts, err := b.tx.Receipts(b.room.ID)
	if err != nil {
		return nil, 0, err
	}
	var threads map[string]*ThreadSummary
	if opt.thread == "" {
		if threads, err = b.threadSummaries(set.ids, receipts); err != nil {
			return nil, 0, err
		}
	}

	out = make([]Message, 0, len(set.events))
	for i, e := range set.events {
		m := b.message(e, set.contents[i], g.rels[e.EventID])
		if set.rows != nil {
			m.Row = set.rows[i]
		}
		m.Thread = threads[e.EventID]
		out = append(out, m)
	}
	b.folded += len(out)
	applyReceipts(out, receipts, b.me, opt.thread)
	// Reply quotes, from the (edited) messages in the set or from the store.
	for i := range out {
		if out[i].Reply != nil {
			b.fillQuote(out[i].Reply, out, set.index, g.quoted)
		}
	}
	stored = len(out)
	var echoOutgoing []*store.Outgoing
	if opt.echoes {
		echoes, err := b.echoes(set, g, outgoing, out, opt.thread)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, echoes...)
		echoOutgoing = outgoing
	}
	if err := foldPolls(b.tx, b.room.ID, id.UserID(b.me), out, set.events, echoOutgoing); err != nil {
		return nil, 0, err
	}
	// Call events fold within the set: a call whose events fall on two pages shows per page.
	folded := foldCalls(out, set.events, stored, time.Now())
	return folded, stored - (len(out) - len(folded)), nil
}

// echoes are our outgoing messages (queued, sending or failed) that are not stored yet, in the
// main timeline or in the thread; storedRows are the set's messages (for reply quotes).
func (b *timelineBuilder) echoes(set *rowSet, g *gathered, outgoing []*store.Outgoing, storedRows []Message, thread string) ([]Message, error) {
	// An echo whose event arrived already shows as its stored row, in this set or before it.
	var sent []string
	for _, o := range outgoing {
		if _, ok := set.index[o.EventID]; o.EventID != "" && !ok {
			sent = append(sent, o.EventID)
		}
	}
	known := map[string]bool{}
	if len(sent) > 0 {
		list, err := b.tx.TimelineEntries(b.room.ID, sent)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			known[e.Event.EventID] = true
		}
	}
	var out []Message
	for _, o := range outgoing {
		if o.Type != "m.room.message" && o.Type != "m.sticker" && o.Type != poll.TypeStart {
			continue
		}
		if _, ok := set.index[o.EventID]; (ok || known[o.EventID]) && o.EventID != "" {
			continue
		}
		c := parseContent(o.Content)
		if c.RelatesTo.RelType == "m.replace" {
			continue
		}
		if inThread := c.RelatesTo.RelType == "m.thread"; (thread == "") == inThread || (inThread && c.RelatesTo.EventID != thread) {
			continue // a thread reply shows in its thread, nothing else there
		}
		se := &store.Event{RoomID: b.room.ID, EventID: o.EventID, Sender: b.me, Type: o.Type, TS: o.CreatedTS, Content: o.Content}
		m := b.message(se, c, nil)
		m.TxnID = o.TxnID
		m.Encrypted = b.room.Encryption != ""
		switch o.State {
		case store.SendQueued:
			m.SendState = SendStateQueued
		case store.SendFailed:
			m.SendState, m.SendError = SendStateFailed, o.Error
		}
		if m.Reply != nil {
			b.fillQuote(m.Reply, storedRows, set.index, g.quoted)
		}
		out = append(out, m)
	}
	return out, nil
}

// buildTimeline assembles the room's newest limit messages and its local echoes; stored is the
// number of messages that came from the store.
func buildTimeline(tx *store.Tx, room *store.Room, me string, limit int, orgs *atomic.Pointer[OrgLookup]) (out []Message, stored int, err error) {
	return buildWindow(tx, room, me, limit, "", orgs)
}

// buildWindow is buildTimeline for the room's main timeline (thread "": thread replies show as
// summaries under their roots, rows carry their Row) or for the thread of root thread (the root,
// its replies, and the receipts with that thread_id).
func buildWindow(tx *store.Tx, room *store.Room, me string, limit int, thread string, orgs *atomic.Pointer[OrgLookup]) (out []Message, stored int, err error) {
	var set *rowSet
	if thread == "" {
		entries, err := tx.TimelineBefore(room.ID, store.NewestRow, limit)
		if err != nil {
			return nil, 0, err
		}
		set = entrySet(entries)
	} else {
		events, err := tx.ThreadMessages(room.ID, thread, limit)
		if err != nil {
			return nil, 0, err
		}
		set = newRowSet(events, nil)
	}
	b, err := newTimelineBuilder(tx, room, me, orgs)
	if err != nil {
		return nil, 0, err
	}
	return b.build(set, buildOptions{thread: thread, echoes: true})
}

// entrySet is the row set of timeline entries.
func entrySet(entries []store.TimelineEntry) *rowSet {
	events := make([]*store.Event, len(entries))
	rows := make([]int64, len(entries))
	for i, e := range entries {
		events[i], rows[i] = e.Event, e.Row
	}
	return newRowSet(events, rows)
}
