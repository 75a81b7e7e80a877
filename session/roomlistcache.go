package session

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// roomListCache keeps what Rooms would otherwise read and decode again for every room on every
// refresh: whether a room is a space (its create event never changes) and its last-message
// preview. The previews are valid as of a position in the change log; a refresh reads the changes
// since then in the same read transaction as the rooms, and recomputes the previews of the rooms
// they name only (of every room after a change without a room, after a gap in the log, or when
// more than roomListChangeScan changes happened). Every store write that can change a preview
// (timeline, redaction, decryption, members, send queue, retention) logs a change in its own
// transaction, so the cache is never behind what the same read transaction sees.
type roomListCache struct {
	mu       sync.Mutex
	seq      int64                    // change-log position the previews are valid at
	previews map[string]cachedPreview // by room ID; nil: none valid yet
	spaces   map[string]bool          // by room ID: the room is a space (m.room.create type m.space)
}

// cachedPreview is a room's preview without the sender's name, which is made on every read (the
// organisation lookup may change); lm nil means the room has no message to show.
type cachedPreview struct {
	lm     *LastMessage
	member *store.Member // the sender's member row (nil: unknown)
}

// roomListChangeScan bounds the changes a refresh reads to find the stale previews; after more,
// every preview is recomputed.
const roomListChangeScan = 5000

// previewNeutral are change kinds that never change a preview.
var previewNeutral = map[ChangeKind]bool{ChangeTyping: true, ChangeSyncComplete: true, ChangeReceipts: true,
	ChangeIdentityChanged: true, ChangeDevices: true, ChangeDeviceVerified: true, ChangeVerification: true}

// fill sets IsSpace, Spaces and LastMessage of the summaries (all of tx's joined and invited rooms).
func (c *roomListCache) fill(tx *store.Tx, rooms []RoomSummary, orgs *atomic.Pointer[OrgLookup]) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.fillSpaces(tx, rooms); err != nil {
		return err
	}
	seq, err := tx.LastChangeSeq()
	if err != nil {
		return err
	}
	previews := c.previews
	var need []string // rooms whose preview is read from the store
	switch {
	case previews == nil || seq < c.seq:
		// Nothing cached yet, or this transaction sees an older state than the cache (a refresh that
		// started earlier): everything from the store, and the cache only replaced when not older.
		previews = nil
	default:
		stale, all, err := staleRooms(tx, c.seq, seq)
		if err != nil {
			return err
		}
		if all {
			previews = nil
			break
		}
		for i := range rooms {
			r := rooms[i].ID.String()
			if _, ok := previews[r]; !ok || stale[r] {
				need = append(need, r)
			}
		}
	}
	var latest map[string][]*store.Event
	if previews == nil {
		previews = make(map[string]cachedPreview, len(rooms))
		latest, err = tx.LatestMessages(lastMessageWindow)
		for i := range rooms {
			need = append(need, rooms[i].ID.String())
		}
	} else if len(need) > 0 {
		latest, err = tx.LatestMessagesIn(need, lastMessageWindow)
	}
	if err != nil {
		return err
	}
	if len(need) > 0 {
		if err := readPreviews(tx, need, latest, previews); err != nil {
			return err
		}
	}
	if seq >= c.seq {
		c.seq, c.previews = seq, previews
	}
	for i := range rooms {
		p := previews[rooms[i].ID.String()]
		if p.lm == nil {
			continue
		}
		lm := *p.lm
		m, raw := p.member, ""
		if m != nil {
			raw = m.Name
		} else {
			m = &store.Member{RoomID: rooms[i].ID.String(), UserID: lm.Sender.String(), Membership: "join"}
		}
		lm.SenderName = newNameTable([]*store.Member{m}, orgs).name(lm.Sender.String(), raw)
		rooms[i].LastMessage = &lm
	}
	return nil
}

// staleRooms lists the rooms named by the changes after from up to to; all is true when every
// room must be read again.
func staleRooms(tx *store.Tx, from, to int64) (stale map[string]bool, all bool, err error) {
	if to == from {
		return nil, false, nil
	}
	changes, err := tx.ChangesSince(from, roomListChangeScan)
	if err != nil {
		return nil, false, err
	}
	if len(changes) == 0 || changes[0].Seq != from+1 || changes[len(changes)-1].Seq < to {
		return nil, true, nil // pruned past from, or too many
	}
	stale = map[string]bool{}
	for _, ch := range changes {
		if ch.Seq > to || previewNeutral[ChangeKind(ch.Kind)] {
			continue
		}
		if ch.RoomID == "" {
			return nil, true, nil
		}
		stale[ch.RoomID] = true
	}
	return stale, false, nil
}

// readPreviews makes the previews of the rooms need from their latest events, with the senders'
// member rows in one query; into is changed only when all went well.
func readPreviews(tx *store.Tx, need []string, latest map[string][]*store.Event, into map[string]cachedPreview) error {
	picked := make(map[string]LastMessage, len(need))
	var keys []store.MemberKey
	for _, r := range need {
		for _, e := range latest[r] {
			if lm, ok := previewOf(e); ok {
				picked[r] = lm
				keys = append(keys, store.MemberKey{RoomID: e.RoomID, UserID: e.Sender})
				break
			}
		}
	}
	members, err := tx.MembersByKey(keys)
	if err != nil {
		return err
	}
	for _, r := range need {
		into[r] = cachedPreview{}
	}
	for r, lm := range picked {
		into[r] = cachedPreview{lm: &lm, member: members[store.MemberKey{RoomID: r, UserID: lm.Sender.String()}]}
	}
	return nil
}

// fillSpaces sets IsSpace (create events read once per room, in one query for all rooms not yet
// known) and Spaces (the joined spaces' m.space.child events, in one query).
func (c *roomListCache) fillSpaces(tx *store.Tx, rooms []RoomSummary) error {
	if c.spaces == nil {
		c.spaces = make(map[string]bool, len(rooms))
	}
	var unknown []string
	for i := range rooms {
		if _, ok := c.spaces[rooms[i].ID.String()]; !ok {
			unknown = append(unknown, rooms[i].ID.String())
		}
	}
	if len(unknown) > 0 {
		creates, err := tx.StateEventsIn("m.room.create", "", unknown)
		if err != nil {
			return err
		}
		for r, e := range creates {
			var content struct {
				Type string `json:"type"`
			}
			_ = json.Unmarshal(e.Content, &content)
			c.spaces[r] = content.Type == "m.space"
		}
	}
	children, err := tx.JoinedStateEventsOfType("m.space.child")
	if err != nil {
		return err
	}
	parents := map[string][]id.RoomID{}
	for _, e := range children {
		var content struct {
			Via []string `json:"via"`
		}
		if e.StateKey != nil && json.Unmarshal(e.Content, &content) == nil && len(content.Via) > 0 && e.RedactedBy == "" {
			parents[*e.StateKey] = append(parents[*e.StateKey], id.RoomID(e.RoomID))
		}
	}
	for i := range rooms {
		rooms[i].IsSpace = c.spaces[rooms[i].ID.String()]
		rooms[i].Spaces = parents[rooms[i].ID.String()]
	}
	return nil
}
