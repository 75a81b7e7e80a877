package session

import (
	"encoding/json"
	"reflect"
	"slices"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// ingester writes one /sync response into the store inside one transaction. It has no effects
// outside the transaction, so a retried transaction can run it again.
type ingester struct {
	tx           *store.Tx
	me           string
	log          zerolog.Logger
	decrypted    decryptions // outcomes of decrypting this response's encrypted events
	malformed    int
	events       int
	memberEvents []memberEvent // for the crypto machine, after the transaction
	alerts       *alertIngest  // live alerts and their receipts (nil: not looked at)
	joined       *joinedCache  // joined members from the server, dropped when sync contradicts them (nil: none)
	gapAlerts    []gapAlert    // open alerts of rooms whose timeline has a gap in this response
	push         *pushCounter  // our notification counts in encrypted rooms (nil until needed)
	calls        []callEvent   // m.call.* events for the call machine (after the transaction)

	roomJoinedBefore bool // the room being ingested was joined before this response
}

type memberEvent struct {
	roomID id.RoomID
	raw    json.RawMessage
}

func (in *ingester) change(kind ChangeKind, roomID, eventID string) error {
	_, err := in.tx.AddChange(string(kind), roomID, eventID)
	return err
}

func (in *ingester) skip(roomID string, err error) {
	in.malformed++
	in.log.Warn().Str("room_id", roomID).Err(err).Msg("Skipping malformed data in sync response")
}

// apply writes the whole response, including its next_batch token.
func (in *ingester) apply(resp *syncResponse) error {
	for _, roomID := range sortedKeys(resp.Rooms.Join) {
		if err := in.joinedRoom(roomID, resp.Rooms.Join[roomID]); err != nil {
			return err
		}
	}
	for _, roomID := range sortedKeys(resp.Rooms.Invite) {
		if err := in.invitedRoom(roomID, resp.Rooms.Invite[roomID]); err != nil {
			return err
		}
	}
	for _, roomID := range sortedKeys(resp.Rooms.Leave) {
		if err := in.leftRoom(roomID, resp.Rooms.Leave[roomID]); err != nil {
			return err
		}
	}
	if err := in.accountData("", resp.AccountData.Events); err != nil {
		return err
	}
	if err := in.finishAlerts(); err != nil {
		return err
	}
	if err := in.tx.SetValue(store.KeyNextBatch, resp.NextBatch); err != nil {
		return err
	}
	if err := in.change(ChangeSyncComplete, "", ""); err != nil {
		return err
	}
	return in.tx.PruneChanges(changeLogKeep)
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func validRoomID(id string) bool { return len(id) > 1 && id[0] == '!' }

func (in *ingester) joinedRoom(roomID string, raw json.RawMessage) error {
	var jr joinedRoom
	if !validRoomID(roomID) {
		in.skip(roomID, errMalformedEvent)
		return nil
	}
	if err := json.Unmarshal(raw, &jr); err != nil {
		in.skip(roomID, err)
		return nil
	}
	prev, existed, err := in.tx.Room(roomID)
	if err != nil {
		return err
	}
	// Timeline events are live only in a room we had joined before this response (a room we join
	// now arrives with its history).
	in.roomJoinedBefore = existed && prev.Membership == "join"
	room, err := in.tx.RoomOrNew(roomID, "join")
	if err != nil {
		return err
	}
	before := *room
	room.Membership = "join"
	membersChanged := false
	for _, raw := range jr.State.Events {
		ev, err := parseRoomEvent(raw)
		if err != nil || ev.StateKey == nil {
			in.skip(roomID, err)
			continue
		}
		m, err := in.putState(room, ev)
		if err != nil {
			return err
		}
		membersChanged = membersChanged || m
	}
	stored, err := in.tx.TimelineLen(roomID)
	if err != nil {
		return err
	}
	if jr.Timeline.Limited {
		in.joined.drop(id.RoomID(roomID)) // membership changes may hide in the gap
		if err := in.noteAlertGap(roomID); err != nil {
			return err
		}
	}
	if jr.Timeline.Limited && stored > 0 {
		if err := in.tx.ClearTimeline(roomID); err != nil {
			return err
		}
		if err := in.tx.DeleteSentOutgoing(roomID); err != nil {
			return err
		}
		if err := in.change(ChangeTimelineReset, roomID, ""); err != nil {
			return err
		}
		stored = 0
	}
	if stored == 0 && jr.Timeline.PrevBatch != "" {
		room.PrevBatch = jr.Timeline.PrevBatch
		room.HistoryComplete = false
	}
	for _, raw := range jr.Timeline.Events {
		m, err := in.timelineEvent(room, raw)
		if err != nil {
			return err
		}
		membersChanged = membersChanged || m
	}
	if len(jr.Summary.Heroes) > 0 {
		room.Heroes = jr.Summary.Heroes
	}
	if jr.Summary.Joined != nil {
		room.JoinedCount = *jr.Summary.Joined
	}
	if jr.Summary.Invited != nil {
		room.InvitedCount = *jr.Summary.Invited
	}
	room.NotifyCount, room.HighlightCount = jr.Unread.Notification, jr.Unread.Highlight
	if err := in.ephemeral(roomID, jr.Ephemeral.Events); err != nil {
		return err
	}
	if err := in.accountData(roomID, jr.AccountData.Events); err != nil {
		return err
	}
	if err := in.pushCounts().apply(room); err != nil {
		return err
	}
	if membersChanged {
		if err := in.change(ChangeMembers, roomID, ""); err != nil {
			return err
		}
	}
	return in.saveRoom(room, &before)
}

func (in *ingester) pushCounts() *pushCounter {
	if in.push == nil {
		in.push = newPushCounter(in.tx, in.me)
	}
	return in.push
}

func (in *ingester) saveRoom(room, before *store.Room) error {
	if reflect.DeepEqual(room, before) {
		return nil
	}
	if err := in.tx.SaveRoom(room); err != nil {
		return err
	}
	return in.change(ChangeRoom, room.ID, "")
}

// timelineEvent stores one timeline event and appends it to the room's timeline.
func (in *ingester) timelineEvent(room *store.Room, raw json.RawMessage) (membersChanged bool, err error) {
	ev, perr := parseRoomEvent(raw)
	if perr != nil {
		in.skip(room.ID, perr)
		return false, nil
	}
	in.events++
	se := toStoreEvent(room.ID, ev)
	if d, ok := in.decrypted[ev.EventID]; ok {
		applyDecryption(se, d)
	}
	if ev.Type == "m.room.member" {
		in.memberEvents = append(in.memberEvents, memberEvent{id.RoomID(room.ID), raw})
	}
	if se.Sender == in.me && se.TxnID != "" {
		// Our own message came back: the local echo is replaced by the real event.
		removed, err := in.tx.DeleteOutgoing(se.TxnID)
		if err != nil {
			return false, err
		}
		if removed {
			if err := in.change(ChangeSendState, room.ID, se.TxnID); err != nil {
				return false, err
			}
		}
	}
	rowID, inserted, err := in.tx.PutEvent(se)
	if err != nil {
		return false, err
	}
	if inserted {
		if evType, content := effective(se); isCallEvent(evType) {
			in.calls = append(in.calls, callEvent{roomID: room.ID, se: se, age: unsignedAge(ev.Unsigned), evType: evType, content: content})
		}
		if err := in.alertEvent(room.ID, se); err != nil {
			return false, err
		}
		if err := in.pushCounts().count(room, se); err != nil {
			return false, err
		}
	}
	if ev.StateKey != nil {
		if err := in.tx.SetState(room.ID, ev.Type, *ev.StateKey, rowID); err != nil {
			return false, err
		}
		membersChanged = in.deriveState(room, ev.Type, *ev.StateKey, ev.Content) == "members"
		if membersChanged {
			if err := in.saveMember(room.ID, ev, true); err != nil {
				return false, err
			}
		}
	}
	if ev.Type == "m.room.redaction" {
		if err := in.redact(ev); err != nil {
			return false, err
		}
	}
	if countsAsActivity(ev.Type) && ev.TS > room.LastActivityTS {
		room.LastActivityTS = ev.TS
	}
	if err := in.tx.AppendTimeline(room.ID, rowID); err != nil {
		return false, err
	}
	return membersChanged, in.change(ChangeTimeline, room.ID, ev.EventID)
}

// putState stores a state event from the state block (not part of the timeline).
func (in *ingester) putState(room *store.Room, ev *rawEvent) (membersChanged bool, err error) {
	rowID, _, err := in.tx.PutEvent(toStoreEvent(room.ID, ev))
	if err != nil {
		return false, err
	}
	if err := in.tx.SetState(room.ID, ev.Type, *ev.StateKey, rowID); err != nil {
		return false, err
	}
	if in.deriveState(room, ev.Type, *ev.StateKey, ev.Content) == "members" {
		return true, in.saveMember(room.ID, ev, false)
	}
	if ev.Type == "m.room.create" && room.LastActivityTS == 0 {
		room.LastActivityTS = ev.TS
	}
	return false, nil
}

func countsAsActivity(evType string) bool {
	switch evType {
	case "m.room.message", "m.room.encrypted", "m.sticker", "m.room.create":
		return true
	}
	return false
}

// deriveState updates the room summary from a state event; it returns "members" for member events.
func (in *ingester) deriveState(room *store.Room, evType, stateKey string, content json.RawMessage) string {
	var c struct {
		Name      string `json:"name"`
		Topic     string `json:"topic"`
		Alias     string `json:"alias"`
		URL       string `json:"url"`
		Algorithm string `json:"algorithm"`
	}
	_ = json.Unmarshal(content, &c)
	switch evType {
	case "m.room.name":
		room.Name = c.Name
	case "m.room.topic":
		room.Topic = c.Topic
	case "m.room.canonical_alias":
		room.Alias = c.Alias
	case "m.room.avatar":
		room.Avatar = c.URL
	case "m.room.encryption":
		// Encryption cannot be switched off again; an unknown algorithm still counts as encrypted.
		if c.Algorithm == "" {
			c.Algorithm = "unknown"
		}
		room.Encryption = c.Algorithm
	case "m.room.member":
		return "members"
	}
	return ""
}

// saveMember stores a member event; change says it came in the timeline (a membership change), not
// as lazy-loaded state.
func (in *ingester) saveMember(roomID string, ev *rawEvent, change bool) error {
	var c struct {
		Membership  string `json:"membership"`
		Displayname string `json:"displayname"`
		AvatarURL   string `json:"avatar_url"`
	}
	_ = json.Unmarshal(ev.Content, &c)
	if c.Membership == "" {
		c.Membership = "leave"
	}
	in.joined.observe(id.RoomID(roomID), id.UserID(*ev.StateKey), c.Membership, change)
	return in.tx.SaveMember(&store.Member{RoomID: roomID, UserID: *ev.StateKey, Membership: c.Membership,
		Name: c.Displayname, Avatar: c.AvatarURL})
}

func (in *ingester) redact(ev *rawEvent) error {
	target := ev.Redacts
	if target == "" {
		var c struct {
			Redacts string `json:"redacts"`
		}
		_ = json.Unmarshal(ev.Content, &c)
		target = c.Redacts
	}
	old, ok, err := in.tx.EventByID(target)
	if err != nil || !ok {
		return err
	}
	return in.tx.RedactEvent(target, ev.EventID, redactedContent(old.Type, old.Content))
}

func (in *ingester) ephemeral(roomID string, events []json.RawMessage) error {
	for _, raw := range events {
		ev, err := parseBasicEvent(raw)
		if err != nil {
			in.skip(roomID, err)
			continue
		}
		switch ev.Type {
		case "m.typing":
			var c struct {
				UserIDs []string `json:"user_ids"`
			}
			if err := json.Unmarshal(ev.Content, &c); err != nil {
				in.skip(roomID, err)
				continue
			}
			if err := in.tx.SetTyping(roomID, c.UserIDs); err != nil {
				return err
			}
			if err := in.change(ChangeTyping, roomID, ""); err != nil {
				return err
			}
		case "m.receipt":
			if err := in.receipts(roomID, ev.Content); err != nil {
				return err
			}
		}
	}
	return nil
}

func (in *ingester) receipts(roomID string, content json.RawMessage) error {
	var c map[string]map[string]map[string]struct {
		TS       int64  `json:"ts"`
		ThreadID string `json:"thread_id"`
	}
	if err := json.Unmarshal(content, &c); err != nil {
		in.skip(roomID, err)
		return nil
	}
	for eventID, types := range c {
		for rtype, users := range types {
			for userID, r := range users {
				err := in.tx.SaveReceipt(&store.Receipt{RoomID: roomID, UserID: userID, Type: rtype,
					ThreadID: r.ThreadID, EventID: eventID, TS: r.TS})
				if err != nil {
					return err
				}
			}
		}
	}
	return in.change(ChangeReceipts, roomID, "")
}

func (in *ingester) accountData(roomID string, events []json.RawMessage) error {
	for _, raw := range events {
		ev, err := parseBasicEvent(raw)
		if err != nil {
			in.skip(roomID, err)
			continue
		}
		if err := in.tx.SetAccountData(roomID, ev.Type, ev.Content); err != nil {
			return err
		}
		if roomID == "" && ev.Type == "m.direct" {
			var direct map[string][]string
			if err := json.Unmarshal(ev.Content, &direct); err != nil {
				in.skip(roomID, err)
				continue
			}
			var rooms []string
			for _, list := range direct {
				rooms = append(rooms, list...)
			}
			if err := in.tx.SetDirectRooms(rooms); err != nil {
				return err
			}
		}
		if err := in.change(ChangeAccountData, roomID, ev.Type); err != nil {
			return err
		}
	}
	return nil
}

func (in *ingester) invitedRoom(roomID string, raw json.RawMessage) error {
	var ir invitedRoom
	if !validRoomID(roomID) {
		in.skip(roomID, errMalformedEvent)
		return nil
	}
	if err := json.Unmarshal(raw, &ir); err != nil {
		in.skip(roomID, err)
		return nil
	}
	room, err := in.tx.RoomOrNew(roomID, "invite")
	if err != nil {
		return err
	}
	before := *room
	if room.Membership != "join" {
		room.Membership = "invite"
	}
	if room.LastActivityTS == 0 {
		room.LastActivityTS = time.Now().UnixMilli()
	}
	for _, raw := range ir.InviteState.Events {
		ev, err := parseBasicEvent(raw)
		if err != nil || ev.StateKey == nil {
			in.skip(roomID, err)
			continue
		}
		in.deriveState(room, ev.Type, *ev.StateKey, ev.Content)
		if ev.Type == "m.room.member" && *ev.StateKey == in.me {
			var c struct {
				IsDirect bool `json:"is_direct"`
			}
			_ = json.Unmarshal(ev.Content, &c)
			room.IsDirect = room.IsDirect || c.IsDirect
			if ev.Sender != "" {
				room.Heroes = []string{ev.Sender}
			}
		}
	}
	return in.saveRoom(room, &before)
}

func (in *ingester) leftRoom(roomID string, raw json.RawMessage) error {
	var lr leftRoom
	if !validRoomID(roomID) {
		in.skip(roomID, errMalformedEvent)
		return nil
	}
	if err := json.Unmarshal(raw, &lr); err != nil {
		in.skip(roomID, err)
		return nil
	}
	room, err := in.tx.RoomOrNew(roomID, "leave")
	if err != nil {
		return err
	}
	in.joined.drop(id.RoomID(roomID))
	before := *room
	room.Membership = "leave"
	for _, raw := range append(lr.State.Events, lr.Timeline.Events...) {
		ev, err := parseRoomEvent(raw)
		if err != nil {
			in.skip(roomID, err)
			continue
		}
		if ev.Type == "m.room.member" && ev.StateKey != nil && *ev.StateKey == in.me {
			var c struct {
				Membership string `json:"membership"`
			}
			_ = json.Unmarshal(ev.Content, &c)
			if c.Membership == "ban" {
				room.Membership = "ban"
			}
		}
	}
	if err := in.tx.SetTyping(roomID, nil); err != nil {
		return err
	}
	return in.saveRoom(room, &before)
}

func toStoreEvent(roomID string, ev *rawEvent) *store.Event {
	se := &store.Event{RoomID: roomID, EventID: ev.EventID, Sender: ev.Sender, Type: ev.Type, StateKey: ev.StateKey,
		TS: ev.TS, Content: ev.Content, Unsigned: ev.Unsigned}
	se.RelType, se.RelatesTo = relationOf(ev.Content)
	if len(ev.Unsigned) > 0 {
		var u struct {
			TxnID string `json:"transaction_id"`
		}
		if json.Unmarshal(ev.Unsigned, &u) == nil {
			se.TxnID = u.TxnID
		}
	}
	return se
}

// relationOf is the relation an event's content names, as the store indexes it: rel_type and
// event_id, else "m.in_reply_to" and the replied-to event; "" without one.
func relationOf(content json.RawMessage) (relType, target string) {
	var rel struct {
		RelatesTo struct {
			RelType   string `json:"rel_type"`
			EventID   string `json:"event_id"`
			InReplyTo struct {
				EventID string `json:"event_id"`
			} `json:"m.in_reply_to"`
		} `json:"m.relates_to"`
	}
	if json.Unmarshal(content, &rel) == nil {
		switch {
		case rel.RelatesTo.RelType != "" && rel.RelatesTo.EventID != "":
			return stableRelType(rel.RelatesTo.RelType), rel.RelatesTo.EventID
		case rel.RelatesTo.InReplyTo.EventID != "":
			return "m.in_reply_to", rel.RelatesTo.InReplyTo.EventID
		}
	}
	return "", ""
}

// stableRelType maps the unstable name of thread relations (io.element.thread, which
// matrix-js-sdk sends to servers that do not announce Matrix 1.4) to m.thread.
func stableRelType(relType string) string {
	if relType == "io.element.thread" {
		return "m.thread"
	}
	return relType
}

// redactedContent keeps the keys the spec preserves on redaction (room v1-v11, simplified).
func redactedContent(evType string, content json.RawMessage) json.RawMessage {
	keep := map[string][]string{
		"m.room.member":             {"membership", "join_authorised_via_users_server"},
		"m.room.create":             {"creator", "room_version", "type"},
		"m.room.join_rules":         {"join_rule", "allow"},
		"m.room.power_levels":       {"ban", "events", "events_default", "invite", "kick", "redact", "state_default", "users", "users_default"},
		"m.room.history_visibility": {"history_visibility"},
	}[evType]
	var full map[string]json.RawMessage
	out := map[string]json.RawMessage{}
	if json.Unmarshal(content, &full) == nil {
		for _, k := range keep {
			if v, ok := full[k]; ok {
				out[k] = v
			}
		}
	}
	b, _ := json.Marshal(out)
	return b
}
