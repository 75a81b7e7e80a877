package session

import (
	"encoding/json"

	"bosmessenger/store"
)

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
		Duration float64 `json:"duration"`             // milliseconds (video, audio)
		Blurhash string  `json:"xyz.amorgan.blurhash"` // as Element sends it
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
