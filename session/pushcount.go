package session

import (
	"encoding/json"
	"reflect"

	"maunium.net/go/mautrix/pushrules"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// Our own notification counts. In encrypted rooms the room's unread (NotifyCount) and highlight
// (HighlightCount) counts are ours: every event from someone else that decrypts (at once or when
// its key arrives later) is run through the account's push rules, and a notifying one is recorded
// in the store until our read receipt or read marker (from any of our devices) passes it. In
// unencrypted rooms the server reads the events itself, so its counts from sync stay in charge.
// Until the push rules are known (first sync) the server's counts are shown everywhere.

// pushCounter evaluates and counts the events of one store transaction.
type pushCounter struct {
	tx     *store.Tx
	me     string
	rules  *pushrules.PushRuleset
	loaded bool
	rooms  map[string]*pushRoom
	read   map[string]int64 // read position per room (ts), until apply recomputes it
}

func newPushCounter(tx *store.Tx, me string) *pushCounter {
	return &pushCounter{tx: tx, me: me, rooms: map[string]*pushRoom{}, read: map[string]int64{}}
}

func (pc *pushCounter) ruleset() (*pushrules.PushRuleset, error) {
	if !pc.loaded {
		rules, err := loadPushRules(pc.tx, pc.me)
		if err != nil {
			return nil, err
		}
		pc.rules, pc.loaded = rules, true
	}
	return pc.rules, nil
}

// ours says whether the room's counts are ours (see above).
func (pc *pushCounter) ours(room *store.Room) (bool, error) {
	if room.Encryption == "" || room.Membership != "join" {
		return false, nil
	}
	rules, err := pc.ruleset()
	return rules != nil, err
}

// count evaluates one stored event of the room (se carries its decryption, if any) and records it
// when it notifies. Our own events, unreadable ones and those already read never count.
func (pc *pushCounter) count(room *store.Room, se *store.Event) error {
	if ok, err := pc.ours(room); !ok || err != nil || se.Sender == pc.me || se.RedactedBy != "" {
		return err
	}
	evType, content := se.Type, se.Content
	if se.Type == "m.room.encrypted" {
		if len(se.Decrypted) == 0 {
			return nil // counted when its key arrives
		}
		evType, content = se.DecryptedType, se.Decrypted
	}
	read, err := pc.readPosition(room.ID)
	if err != nil || se.TS <= read {
		return err
	}
	pr, ok := pc.rooms[room.ID]
	if !ok {
		if pr, err = loadPushRoom(pc.tx, room, pc.me); err != nil {
			return err
		}
		pc.rooms[room.ID] = pr
	}
	o := evaluatePush(pc.rules, pr, room.ID, se, evType, content)
	if !o.notify {
		return nil
	}
	return pc.tx.AddPushCount(room.ID, se.EventID, se.TS, o.highlight)
}

// apply forgets what our read receipts and read marker have passed and puts our counts into the
// room summary (in rooms where they are ours).
func (pc *pushCounter) apply(room *store.Room) error {
	if ok, err := pc.ours(room); !ok || err != nil {
		return err
	}
	delete(pc.read, room.ID)
	delete(pc.rooms, room.ID) // display name or power levels may have changed
	read, err := pc.readPosition(room.ID)
	if err != nil {
		return err
	}
	if err := pc.tx.ClearPushCounts(room.ID, read); err != nil {
		return err
	}
	room.NotifyCount, room.HighlightCount, err = pc.tx.PushCounts(room.ID)
	return err
}

// readPosition is the ts of the newest event our receipts (any device: they come back in sync) or
// our read marker point at, or of our own membership event; a receipt for an event we do not have
// counts with its own ts.
func (pc *pushCounter) readPosition(roomID string) (int64, error) {
	if ts, ok := pc.read[roomID]; ok {
		return ts, nil
	}
	var pos int64
	at := func(eventID string, fallback int64) error {
		ts := fallback
		if eventID != "" {
			ev, ok, err := pc.tx.EventByID(eventID)
			if err != nil {
				return err
			} else if ok {
				ts = ev.TS
			}
		}
		pos = max(pos, ts)
		return nil
	}
	receipts, err := pc.tx.Receipts(roomID)
	if err != nil {
		return 0, err
	}
	for _, r := range receipts {
		if r.UserID == pc.me && (r.Type == "m.read" || r.Type == "m.read.private") &&
			(r.ThreadID == "" || r.ThreadID == "main") {
			if err := at(r.EventID, r.TS); err != nil {
				return 0, err
			}
		}
	}
	// What happened before we joined (our invite above all) is not unread.
	if ev, ok, err := pc.tx.StateEvent(roomID, "m.room.member", pc.me); err != nil {
		return 0, err
	} else if ok && isJoin(ev) {
		pos = max(pos, ev.TS)
	}
	raw, err := pc.tx.AccountData(roomID, "m.fully_read")
	if err != nil {
		return 0, err
	}
	var marker struct {
		EventID string `json:"event_id"`
	}
	if len(raw) > 0 && json.Unmarshal(raw, &marker) == nil && marker.EventID != "" {
		if err := at(marker.EventID, 0); err != nil {
			return 0, err
		}
	}
	pc.read[roomID] = pos
	return pos, nil
}

// countLate counts an event whose key arrived after it was stored, and updates its room's counts.
func countLate(tx *store.Tx, pc *pushCounter, ev *store.Event, d e2ee.Decrypted) error {
	room, ok, err := tx.Room(ev.RoomID)
	if err != nil || !ok {
		return err
	}
	se := *ev
	applyDecryption(&se, d)
	if err := pc.count(room, &se); err != nil {
		return err
	}
	before := *room
	if err := pc.apply(room); err != nil || reflect.DeepEqual(room, &before) {
		return err
	}
	if err := tx.SaveRoom(room); err != nil {
		return err
	}
	_, err = tx.AddChange(string(ChangeRoom), room.ID, "")
	return err
}

// isJoin: a member event that joins (not a change of name or avatar of a member already joined).
func isJoin(ev *store.Event) bool {
	var c struct {
		Membership string `json:"membership"`
	}
	var u struct {
		Prev struct {
			Membership string `json:"membership"`
		} `json:"prev_content"`
	}
	_ = json.Unmarshal(ev.Content, &c)
	_ = json.Unmarshal(ev.Unsigned, &u)
	return c.Membership == "join" && u.Prev.Membership != "join"
}
