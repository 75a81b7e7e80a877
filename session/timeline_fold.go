package session

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
	"bosmessenger/session/poll"
	"bosmessenger/store"
)

// Folding: one stored event with the relations gathered for it (timeline_relations.go) becomes a
// Message: the latest edit's content, reactions, reply quote, kind, file, location, mentions,
// alert or status. Receipts (timeline_receipts.go), thread summaries and polls are added by the
// build (timeline_build.go).

// timelineBuilder holds what one Timeline call has loaded.
type timelineBuilder struct {
	tx       *store.Tx
	room     *store.Room
	me       string
	members  map[string]*store.Member // all stored members of the room
	names    *nameTable               // shown (disambiguated) names
	myNameRE *regexp.Regexp           // our display name as a word; nil without one
	folded   int                      // stored rows folded into messages (tests count rebuilt rows)
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
	if m.Kind == KindAudio && !m.Edited {
		_, raw := effective(e)
		m.Voice = voiceOf(raw)
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
		Height: int(c.Info.H), MXC: c.URL, DurationMS: int64(max(c.Info.Duration, 0)), Blurhash: c.Info.Blurhash}
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
