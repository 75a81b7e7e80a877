package session

import (
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
	"bosmessenger/session/poll"
	"bosmessenger/store"
)

// Kinds of room list previews (LastMessage.Kind). The front end translates the ones without Body.
const (
	PreviewText          = "text"          // Body is the (latest edit's) text
	PreviewFile          = "file"          // Body is "📎 " and the file name (also images, video, audio)
	PreviewPoll          = "poll"          // Body is the question
	PreviewAlert         = "alert"         // Body is "ALARM " and the keyword
	PreviewUndecryptable = "undecryptable" // no Body: "🔒 Nachricht kann nicht entschlüsselt werden"
	PreviewRedacted      = "redacted"      // no Body: "Nachricht gelöscht"
)

// LastMessage is the preview of a room's newest message a room list shows: who wrote it and one
// line of its text, decrypted. Sender names follow the names.go rules; Body is cleaned of control,
// bidi and invisible characters and line breaks, and at most previewMaxRunes long.
type LastMessage struct {
	Sender     id.UserID `json:"sender"`
	SenderName string    `json:"sender_name"`
	Body       string    `json:"body"`
	Kind       string    `json:"kind"` // Preview* constants
	TS         int64     `json:"ts"`
}

// lastMessageWindow is how many of each room's newest non-state events a preview looks through.
const lastMessageWindow = 5

// previewOf makes the preview of one event; ok is false for events a room list does not show.
func previewOf(e *store.Event) (lm LastMessage, ok bool) {
	lm = LastMessage{Sender: id.UserID(e.Sender), TS: e.TS}
	switch {
	case e.Damaged || e.TxnID != "" && e.EventID == "":
		return lm, false
	case e.RedactedBy != "":
		lm.Kind = PreviewRedacted
		return lm, true
	case e.Type == "m.room.encrypted" && e.Decrypted == nil:
		lm.Kind = PreviewUndecryptable
		return lm, true
	}
	evType, raw := effective(e)
	c := parseContent(raw)
	if c.RelatesTo.RelType == "m.replace" && len(c.NewContent) > 0 {
		c = parseContent(c.NewContent) // an edit shows its new text
	}
	if p, ok := poll.ParseStart(evType, raw); ok {
		lm.Kind, lm.Body = PreviewPoll, p.Question
	} else if a, ok := alert.ParseAlert(evType, raw); ok {
		lm.Kind, lm.Body = PreviewAlert, "ALARM "+a.Keyword
	} else if evType == "m.room.message" || evType == "m.sticker" || poll.IsPollEvent(evType) {
		switch c.MsgType {
		case "m.file", "m.image", "m.video", "m.audio":
			name := c.FileName
			if name == "" {
				name = c.Body
			}
			lm.Kind, lm.Body = PreviewFile, "📎 "+name
		default:
			if c.Body == "" {
				return lm, false
			}
			lm.Kind, lm.Body = PreviewText, event.TrimReplyFallbackText(c.Body)
		}
	} else {
		return lm, false
	}
	lm.Body = truncateRunes(CleanName(lm.Body), previewMaxRunes)
	return lm, true
}
