package session

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/session/alert"
	"bosmessenger/session/poll"
	"bosmessenger/store"
)

// Kinds of timeline messages (Message.Kind).
const (
	KindText          = "text"
	KindNotice        = "notice"
	KindEmote         = "emote"
	KindImage         = "image"
	KindFile          = "file"
	KindVideo         = "video"
	KindAudio         = "audio"
	KindState         = "state"
	KindUndecryptable = "undecryptable"
	KindRedacted      = "redacted"
	KindUnknown       = "unknown"
	KindVerification  = "verification" // an in-room verification request (m.key.verification.request)
	KindLocation      = "location"     // m.location (Message.Location)
)

// Kinds of state changes (Message.StateKind).
const (
	StateJoined     = "joined"
	StateLeft       = "left"
	StateInvited    = "invited"
	StateKicked     = "kicked"
	StateBanned     = "banned"
	StateName       = "name"
	StateTopic      = "topic"
	StateEncryption = "encryption"
	StateCreate     = "create"
	StateOther      = "other"
)

// Stable reasons why an event could not be decrypted (Message.DecryptionReason, history's
// decryption_reason): the codes crypto classifies and the store keeps (crypto.Reason).
const (
	ReasonMissingSession   = string(e2ee.ReasonMissingKey)       // the room key has not arrived (yet)
	ReasonWithheld         = string(e2ee.ReasonWithheld)         // the sender refused to share the key
	ReasonUnverifiedDevice = string(e2ee.ReasonUnverifiedDevice) // withheld: this device is not verified (m.unverified)
	ReasonUnknownDevice    = string(e2ee.ReasonUnknownDevice)    // withheld: the sender has no channel to this device (m.no_olm)
	ReasonTampered         = string(e2ee.ReasonTampered)         // replayed, corrupted, wrong room or mismatching device keys
	ReasonUnknownAlgorithm = string(e2ee.ReasonUnknownAlgorithm) // encrypted with an algorithm other than megolm v1
	ReasonDeviceLocked     = string(e2ee.ReasonDeviceLocked)     // not decrypted: policy requires this device to be verified first
	ReasonOther            = string(e2ee.ReasonOther)
)

// Send states of local echoes (Message.SendState); "" for events the server has.
const (
	SendStateQueued = "queued"
	SendStateFailed = "failed"
)

// Message is one entry of a room timeline as a GUI shows it: the event with its edits, reactions,
// read receipts and reply quote folded in.
type Message struct {
	EventID    id.EventID `json:"event_id,omitempty"`
	TxnID      string     `json:"txn_id,omitempty"` // local echo: the transaction ID of the outgoing event
	Sender     id.UserID  `json:"sender"`
	SenderName string     `json:"sender_name"` // the name to show: cleaned, disambiguated (names.go)
	AvatarURL  string     `json:"avatar_url,omitempty"`
	TS         int64      `json:"ts"`
	Kind       string     `json:"kind"` // Kind* constants
	// SenderOrganisation runs the sender's homeserver, SenderVetted tells it is on the vetted list
	// (BOS mode, see OrgLookup; empty without it).
	SenderOrganisation string `json:"sender_organisation,omitempty"`
	SenderVetted       bool   `json:"sender_vetted,omitempty"`
	// SenderUnvetted: a valid list is in effect and the sender's server is not on it.
	SenderUnvetted bool `json:"-"`

	Body          string       `json:"body,omitempty"`           // plain text, without a reply fallback
	FormattedBody string       `json:"formatted_body,omitempty"` // org.matrix.custom.html without <mx-reply>, unsanitised
	Reply         *Quote       `json:"reply,omitempty"`
	Edited        bool         `json:"edited,omitempty"` // Body and FormattedBody are the latest edit's
	Redacted      bool         `json:"redacted,omitempty"`
	Damaged       bool         `json:"damaged,omitempty"`   // the stored event could not be read (Kind unknown, no content)
	Mentioned     bool         `json:"mentioned,omitempty"` // mentions us (user ID, display name or m.mentions)
	File          *MessageFile `json:"file,omitempty"`      // media messages
	Location      *Location    `json:"location,omitempty"`  // Kind location

	// Thread: the summary of the thread this message is the root of (nil without replies);
	// ThreadRoot: the root of the thread this message is a reply in.
	Thread     *ThreadSummary `json:"thread,omitempty"`
	ThreadRoot id.EventID     `json:"thread_root,omitempty"`

	StateKind string `json:"state_kind,omitempty"` // Kind "state": State* constants
	StateArg  string `json:"state_arg,omitempty"`  // new name or topic, or the affected user's name

	Reactions []Reaction  `json:"reactions,omitempty"`
	ReadBy    []id.UserID `json:"read_by,omitempty"` // users (not us) whose m.read receipt is at this event

	Encrypted        bool   `json:"encrypted,omitempty"`
	DecryptionError  string `json:"decryption_error,omitempty"`
	DecryptionReason string `json:"decryption_reason,omitempty"` // Reason* constants
	SenderTrust      string `json:"sender_trust,omitempty"`      // mautrix trust state of the sender's device
	SenderVerified   bool   `json:"sender_verified,omitempty"`

	SendState string `json:"send_state,omitempty"` // SendState* constants
	SendError string `json:"send_error,omitempty"`

	// Alert is set when the message is an alert (de.bos.alert, docs/PROTOCOL.md): the board of
	// its responses is Session.AlertBoard(room, EventID).
	Alert *alert.Alert `json:"alert,omitempty"`
	// Status is set when the message is a unit's FMS status (de.bos.status).
	Status *alert.UnitStatus `json:"status,omitempty"`
	Poll   *poll.Results     `json:"poll,omitempty"` // Kind "poll": the poll with its results (polls.go)
	Call   *CallSummary      `json:"call,omitempty"` // Kind "call": a call's history line (callhistory.go)
}

// Quote is the event a message replies to. Sender and Body are empty when it is not stored.
type Quote struct {
	EventID    id.EventID `json:"event_id"`
	Sender     id.UserID  `json:"sender,omitempty"`
	SenderName string     `json:"sender_name,omitempty"`
	Body       string     `json:"body,omitempty"`
}

// Reaction is one reaction key on a message with the users who reacted with it.
type Reaction struct {
	Key     string      `json:"key"`
	Count   int         `json:"count"`
	Mine    bool        `json:"mine,omitempty"`
	Senders []id.UserID `json:"senders"`
}

// MessageFile describes the attachment of a media message; DownloadFile(EventID) fetches it.
type MessageFile struct {
	Name      string `json:"name"`
	MimeType  string `json:"mimetype,omitempty"`
	Size      int64  `json:"size,omitempty"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	MXC       string `json:"mxc,omitempty"`
	Encrypted bool   `json:"encrypted,omitempty"` // the file is encrypted (key in the event)
}

// Bounds of the server requests one Timeline call makes: a GUI must not wait long for them.
const (
	timelineBackfillRounds  = 3
	timelineBackfillTimeout = 10 * time.Second
)

// Timeline returns the last limit messages of a room, oldest first, as a GUI shows them, followed
// by our outgoing messages that the server has not echoed yet (local echo, with their send state).
// Edits, reactions and redactions are folded into the messages they refer to. When the store
// holds fewer messages and the room's history goes further back, older events are fetched from
// the server first (as History does); if that fails, the stored messages are returned.
func (s *Session) Timeline(ctx context.Context, roomID id.RoomID, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = 50
	}
	for round := 0; ; round++ {
		var out []Message
		var stored int
		var room *store.Room
		err := s.db.Read(ctx, func(tx *store.Tx) error {
			var ok bool
			var err error
			if room, ok, err = tx.Room(roomID.String()); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
			}
			out, stored, err = buildTimeline(tx, room, s.account.UserID.String(), limit, &s.orgs)
			return err
		})
		if err != nil {
			return nil, err
		}
		if stored >= limit || room.HistoryComplete || room.PrevBatch == "" || round >= timelineBackfillRounds {
			return out, nil
		}
		bctx, cancel := context.WithTimeout(ctx, timelineBackfillTimeout)
		_, err = s.Backfill(bctx, roomID, max(limit-stored, 20))
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.log.Warn().Str("room_id", roomID.String()).Err(err).Msg("Loading older messages failed; showing stored ones")
			return out, nil
		}
	}
}

// msgContent is the part of an event's content a timeline needs.
type msgContent struct {
	MsgType       string `json:"msgtype"`
	Body          string `json:"body"`
	Format        string `json:"format"`
	FormattedBody string `json:"formatted_body"`
	FileName      string `json:"filename"`
	URL           string `json:"url"`
	File          *struct {
		URL string `json:"url"`
	} `json:"file"`
	Info struct {
		MimeType string  `json:"mimetype"`
		Size     float64 `json:"size"`
		W        float64 `json:"w"`
		H        float64 `json:"h"`
	} `json:"info"`
	RelatesTo struct {
		RelType       string `json:"rel_type"`
		EventID       string `json:"event_id"`
		Key           string `json:"key"`
		IsFallingBack bool   `json:"is_falling_back"`
		InReplyTo     struct {
			EventID string `json:"event_id"`
		} `json:"m.in_reply_to"`
	} `json:"m.relates_to"`
	NewContent json.RawMessage `json:"m.new_content"`
	GeoURI     string          `json:"geo_uri"`
	Location   *struct {
		URI         string `json:"uri"`
		Description string `json:"description"`
	} `json:"org.matrix.msc3488.location"`
	Asset *struct {
		Type string `json:"type"`
	} `json:"org.matrix.msc3488.asset"`
	Mentions *struct {
		UserIDs []string `json:"user_ids"`
	} `json:"m.mentions"`
	// State event fields.
	Membership  string `json:"membership"`
	Displayname string `json:"displayname"`
	Name        string `json:"name"`
	Topic       string `json:"topic"`
}

func parseContent(raw json.RawMessage) *msgContent {
	var c msgContent
	_ = json.Unmarshal(raw, &c) // best effort: fields of the wrong type stay empty
	c.RelatesTo.RelType = stableRelType(c.RelatesTo.RelType)
	return &c
}

// effective returns the type and content of an event as its sender wrote it (the plaintext of
// decrypted events).
func effective(e *store.Event) (string, json.RawMessage) {
	if e.Decrypted != nil {
		return e.DecryptedType, e.Decrypted
	}
	return e.Type, e.Content
}

// relation returns the relation of an event: from the plaintext, else from the cleartext
// m.relates_to that encrypted events carry.
func relation(e *store.Event, c *msgContent) (relType, target, key, inReplyTo string) {
	r := c.RelatesTo
	if r.RelType == "" && r.InReplyTo.EventID == "" && e.Decrypted != nil {
		r = parseContent(e.Content).RelatesTo
	}
	return stableRelType(r.RelType), r.EventID, r.Key, r.InReplyTo.EventID
}

// fallingBack tells whether an event's m.in_reply_to is only the thread fallback (is_falling_back).
func fallingBack(e *store.Event, c *msgContent) bool {
	if c.RelatesTo.RelType == "" && e.Decrypted != nil {
		return parseContent(e.Content).RelatesTo.IsFallingBack
	}
	return c.RelatesTo.IsFallingBack
}

// timelineBuilder holds what one Timeline call has loaded.
type timelineBuilder struct {
	tx       *store.Tx
	room     *store.Room
	me       string
	members  map[string]*store.Member // all stored members of the room
	names    *nameTable               // shown (disambiguated) names
	myNameRE *regexp.Regexp           // our display name as a word; nil without one
}

func (b *timelineBuilder) member(user string) *store.Member {
	return b.members[user]
}

// name is the name shown for user: the cleaned display name, disambiguated (names.go).
func (b *timelineBuilder) name(user string) string {
	raw := ""
	if m := b.member(user); m != nil {
		raw = m.Name
	}
	return b.names.name(user, raw)
}

func localpart(user string) string {
	l := strings.TrimPrefix(user, "@")
	if i := strings.IndexByte(l, ':'); i >= 0 {
		l = l[:i]
	}
	return l
}

// pendingRelation is a stored or queued edit or reaction.
type pendingRelation struct {
	sender  string
	relType string
	key     string
	content *msgContent
}

// buildTimeline assembles the room's newest limit messages and its local echoes; stored is the
// number of messages that came from the store.
func buildTimeline(tx *store.Tx, room *store.Room, me string, limit int, orgs *atomic.Pointer[OrgLookup]) (out []Message, stored int, err error) {
	return buildWindow(tx, room, me, limit, "", orgs)
}

// buildWindow is buildTimeline for the room's main timeline (thread "": thread replies show as
// summaries under their roots) or for the thread of root thread (the root, its replies, and the
// receipts with that thread_id).
func buildWindow(tx *store.Tx, room *store.Room, me string, limit int, thread string, orgs *atomic.Pointer[OrgLookup]) (out []Message, stored int, err error) {
	var events []*store.Event
	if thread == "" {
		events, err = tx.TimelineMessages(room.ID, limit)
	} else {
		events, err = tx.ThreadMessages(room.ID, thread, limit)
	}
	if err != nil {
		return nil, 0, err
	}
	outgoing, err := tx.OutgoingInRoom(room.ID)
	if err != nil {
		return nil, 0, err
	}
	members, err := tx.Members(room.ID, "")
	if err != nil {
		return nil, 0, err
	}
	b := &timelineBuilder{tx: tx, room: room, me: me, members: make(map[string]*store.Member, len(members)),
		names: newNameTable(members, orgs)}
	for _, m := range members {
		b.members[m.UserID] = m
	}
	if m := b.member(me); m != nil && m.Name != "" {
		b.myNameRE = wordPattern(m.Name)
	}

	ids := make([]string, len(events))
	inWindow := make(map[string]int, len(events))
	for i, e := range events {
		ids[i] = e.EventID
		inWindow[e.EventID] = i
	}
	// Edits and reactions pointing into the window, stored and queued (oldest first).
	relEvents, err := tx.RelationsTo(room.ID, ids, "m.annotation", "m.replace")
	if err != nil {
		return nil, 0, err
	}
	rels := map[string][]pendingRelation{}
	addRel := func(sender, evType string, raw json.RawMessage, wire *store.Event) {
		c := parseContent(raw)
		relType, target, key := c.RelatesTo.RelType, c.RelatesTo.EventID, c.RelatesTo.Key
		if wire != nil {
			relType, target, key, _ = relation(wire, c)
		}
		if _, ok := inWindow[target]; !ok {
			return
		}
		switch {
		case relType == "m.annotation" && key != "":
		case relType == "m.replace" && evType == "m.room.message" && len(c.NewContent) > 0:
		default:
			return
		}
		rels[target] = append(rels[target], pendingRelation{sender: sender, relType: relType, key: key, content: c})
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
			addRel(me, o.Type, o.Content, nil)
		}
	}

	// Replied-to events that are not in the window.
	contents := make([]*msgContent, len(events))
	var missing []string
	for i, e := range events {
		_, raw := effective(e)
		contents[i] = parseContent(raw)
		if _, _, _, reply := relation(e, contents[i]); reply != "" {
			if _, ok := inWindow[reply]; !ok && !slices.Contains(missing, reply) {
				missing = append(missing, reply)
			}
		}
	}
	quoted := map[string]*store.Event{}
	if len(missing) > 0 {
		list, err := tx.EventsByIDs(room.ID, missing)
		if err != nil {
			return nil, 0, err
		}
		for _, e := range list {
			quoted[e.EventID] = e
		}
	}

	readBy := map[string][]id.UserID{}
	receipts, err := tx.Receipts(room.ID)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range receipts {
		if r.Type != "m.read" || r.UserID == me {
			continue
		}
		if (thread == "" && (r.ThreadID == "" || r.ThreadID == "main")) || (thread != "" && (r.ThreadID == thread || r.ThreadID == "")) {
			readBy[r.EventID] = append(readBy[r.EventID], id.UserID(r.UserID))
		}
	}
	var threads map[string]*ThreadSummary
	if thread == "" {
		if threads, err = b.threadSummaries(ids, receipts); err != nil {
			return nil, 0, err
		}
	}

	out = make([]Message, 0, len(events)+len(outgoing))
	for i, e := range events {
		m := b.message(e, contents[i], rels[e.EventID])
		m.ReadBy = readBy[e.EventID]
		m.Thread = threads[e.EventID]
		out = append(out, m)
	}
	// Reply quotes, from the (edited) messages in the window or from the store.
	for i := range out {
		if out[i].Reply != nil {
			b.fillQuote(out[i].Reply, out, inWindow, quoted)
		}
	}
	stored = len(out)
	for _, o := range outgoing {
		if o.Type != "m.room.message" && o.Type != "m.sticker" && o.Type != poll.TypeStart {
			continue
		}
		if _, ok := inWindow[o.EventID]; ok && o.EventID != "" {
			continue
		}
		c := parseContent(o.Content)
		if c.RelatesTo.RelType == "m.replace" {
			continue
		}
		if inThread := c.RelatesTo.RelType == "m.thread"; (thread == "") == inThread || (inThread && c.RelatesTo.EventID != thread) {
			continue // a thread reply shows in its thread, nothing else there
		}
		se := &store.Event{RoomID: room.ID, EventID: o.EventID, Sender: me, Type: o.Type, TS: o.CreatedTS, Content: o.Content}
		m := b.message(se, c, nil)
		m.TxnID = o.TxnID
		m.Encrypted = room.Encryption != ""
		switch o.State {
		case store.SendQueued:
			m.SendState = SendStateQueued
		case store.SendFailed:
			m.SendState, m.SendError = SendStateFailed, o.Error
		}
		if m.Reply != nil {
			b.fillQuote(m.Reply, out[:stored], inWindow, quoted)
		}
		out = append(out, m)
	}
	if err := foldPolls(tx, room.ID, id.UserID(me), out, events, outgoing); err != nil {
		return nil, 0, err
	}
	return foldCalls(out, events, stored, time.Now()), stored, nil
}

func (b *timelineBuilder) fillQuote(q *Quote, window []Message, inWindow map[string]int, quoted map[string]*store.Event) {
	if i, ok := inWindow[q.EventID.String()]; ok && i < len(window) {
		q.Sender, q.SenderName, q.Body = window[i].Sender, window[i].SenderName, window[i].Body
		return
	}
	e, ok := quoted[q.EventID.String()]
	if !ok {
		return
	}
	q.Sender, q.SenderName = id.UserID(e.Sender), b.name(e.Sender)
	if e.RedactedBy != "" || (e.Type == "m.room.encrypted" && e.Decrypted == nil) {
		return
	}
	_, raw := effective(e)
	c := parseContent(raw)
	_, _, _, reply := relation(e, c)
	q.Body = c.Body
	if reply != "" {
		q.Body = event.TrimReplyFallbackText(c.Body)
	}
}

// message converts one event (c: its parsed content) with its edits and reactions.
func (b *timelineBuilder) message(e *store.Event, c *msgContent, rels []pendingRelation) Message {
	m := Message{EventID: id.EventID(e.EventID), Sender: id.UserID(e.Sender), SenderName: b.name(e.Sender), TS: e.TS,
		Encrypted: e.Type == "m.room.encrypted"}
	if mem := b.member(e.Sender); mem != nil {
		m.AvatarURL = mem.Avatar
	}
	m.SenderOrganisation, m.SenderVetted, m.SenderUnvetted = b.names.org(e.Sender)
	if e.Decrypted != nil {
		trust := id.TrustState(e.SenderTrust)
		m.SenderTrust = trust.String()
		m.SenderVerified = trust >= id.TrustStateCrossSignedVerified
	}
	evType, _ := effective(e)
	switch {
	case e.Damaged:
		m.Kind, m.Damaged = KindUnknown, true
		return m
	case e.StateKey != nil:
		m.Kind = KindState
		m.Redacted = e.RedactedBy != ""
		m.StateKind, m.StateArg = b.stateSummary(e, c)
		m.Body = strings.TrimSpace(m.StateKind + " " + m.StateArg)
		return m
	case e.RedactedBy != "":
		m.Kind, m.Redacted = KindRedacted, true
		return m
	case e.Type == "m.room.encrypted" && e.Decrypted == nil:
		m.Kind = KindUndecryptable
		m.DecryptionError = e.DecryptionError
		m.DecryptionReason = decryptionReason(e)
		return m
	case poll.IsPollEvent(evType):
		pollMessage(&m, e)
		return m
	case evType != "m.room.message" && evType != "m.sticker":
		m.Kind = KindUnknown
		return m
	}
	relType, target, _, reply := relation(e, c)
	if relType == "m.thread" {
		m.ThreadRoot = id.EventID(target)
	}
	if reply != "" && !(relType == "m.thread" && fallingBack(e, c)) {
		m.Reply = &Quote{EventID: id.EventID(reply)}
	}
	// The latest edit by the original sender replaces the content.
	final := c
	for _, r := range rels {
		if r.relType == "m.replace" && r.sender == e.Sender {
			if nc := parseContent(r.content.NewContent); nc.MsgType != "" || nc.Body != "" {
				final, m.Edited = nc, true
			}
		}
	}
	m.Kind = messageKind(evType, final)
	m.Body = final.Body
	if final.Format == "org.matrix.custom.html" {
		m.FormattedBody = final.FormattedBody
	}
	if reply != "" && !m.Edited {
		m.Body = event.TrimReplyFallbackText(m.Body)
		m.FormattedBody = event.TrimReplyFallbackHTML(m.FormattedBody)
	}
	if f := fileInfo(m.Kind, final); f != nil {
		m.File = f
	}
	if m.Kind == KindLocation {
		m.Location = locationOf(final, e.TS)
		if m.Location == nil {
			m.Kind = KindText // no usable geo URI: the body is all there is
		}
	}
	m.Mentioned = e.Sender != b.me && b.mentions(final, m.Body)
	m.Reactions = aggregateReactions(rels, b.me)
	if a, ok := alert.ParseAlert(effective(e)); ok {
		m.Alert = &a
	} else if st, ok := alert.ParseStatus(effective(e)); ok {
		m.Status = &st
	}
	return m
}

func messageKind(evType string, c *msgContent) string {
	if evType == "m.sticker" {
		return KindImage
	}
	switch c.MsgType {
	case "m.key.verification.request":
		return KindVerification
	case "m.text":
		return KindText
	case "m.notice":
		return KindNotice
	case "m.emote":
		return KindEmote
	case "m.image":
		return KindImage
	case "m.file":
		return KindFile
	case "m.video":
		return KindVideo
	case "m.audio":
		return KindAudio
	case "m.location":
		return KindLocation
	}
	if c.Body != "" {
		return KindText // unknown msgtypes show their body (spec)
	}
	return KindUnknown
}

func fileInfo(kind string, c *msgContent) *MessageFile {
	switch kind {
	case KindImage, KindFile, KindVideo, KindAudio:
	default:
		return nil
	}
	f := &MessageFile{Name: c.Body, MimeType: c.Info.MimeType, Size: int64(c.Info.Size), Width: int(c.Info.W),
		Height: int(c.Info.H), MXC: c.URL}
	if c.FileName != "" {
		f.Name = c.FileName
	}
	if c.File != nil {
		f.MXC, f.Encrypted = c.File.URL, true
	}
	return f
}

func (b *timelineBuilder) mentions(c *msgContent, body string) bool {
	if c.Mentions != nil && slices.Contains(c.Mentions.UserIDs, b.me) {
		return true
	}
	if strings.Contains(body, b.me) {
		return true
	}
	return b.myNameRE != nil && b.myNameRE.MatchString(body)
}

// wordPattern matches word (case-insensitively) where it is not part of another word.
func wordPattern(word string) *regexp.Regexp {
	re, err := regexp.Compile(`(?i)(^|[^\p{L}\p{N}_])` + regexp.QuoteMeta(word) + `($|[^\p{L}\p{N}_])`)
	if err != nil {
		return nil
	}
	return re
}

func aggregateReactions(rels []pendingRelation, me string) []Reaction {
	var out []Reaction
	index := map[string]int{}
	for _, r := range rels {
		if r.relType != "m.annotation" {
			continue
		}
		i, ok := index[r.key]
		if !ok {
			i = len(out)
			index[r.key] = i
			out = append(out, Reaction{Key: r.key})
		}
		if slices.Contains(out[i].Senders, id.UserID(r.sender)) {
			continue
		}
		out[i].Senders = append(out[i].Senders, id.UserID(r.sender))
		out[i].Count++
		out[i].Mine = out[i].Mine || r.sender == me
	}
	return out
}

// stateSummary classifies a state event and names what it changed.
func (b *timelineBuilder) stateSummary(e *store.Event, c *msgContent) (kind, arg string) {
	evType, _ := effective(e)
	switch evType {
	case "m.room.member":
		var prev struct {
			PrevContent struct {
				Membership  string `json:"membership"`
				Displayname string `json:"displayname"`
			} `json:"prev_content"`
		}
		_ = json.Unmarshal(e.Unsigned, &prev)
		target := *e.StateKey
		switch {
		case c.Displayname != "":
			arg = b.names.name(target, c.Displayname) // the name the event set, shown as names are
		case prev.PrevContent.Displayname != "":
			arg = b.names.name(target, prev.PrevContent.Displayname)
		default:
			arg = b.name(target)
		}
		self := e.Sender == target
		switch c.Membership {
		case "join":
			if prev.PrevContent.Membership == "join" {
				return StateOther, arg // profile change
			}
			return StateJoined, arg
		case "invite":
			return StateInvited, arg
		case "ban":
			return StateBanned, arg
		case "leave":
			if self {
				return StateLeft, arg
			}
			if prev.PrevContent.Membership == "ban" {
				return StateOther, arg // unbanned
			}
			return StateKicked, arg
		}
		return StateOther, arg
	case "m.room.name":
		return StateName, CleanName(c.Name)
	case "m.room.topic":
		return StateTopic, c.Topic
	case "m.room.encryption":
		return StateEncryption, ""
	case "m.room.create":
		return StateCreate, ""
	}
	return StateOther, evType
}

// decryptionReason is the stored reason code of an undecryptable event; "other" when the event
// was stored without one.
func decryptionReason(e *store.Event) string {
	if e.DecryptionReason == "" {
		return ReasonOther
	}
	return e.DecryptionReason
}
