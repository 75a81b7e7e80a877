package jspeer

// Event is a room event as the js peer sees it, decrypted where possible.
type Event struct {
	EventID  string  `json:"event_id"`
	RoomID   string  `json:"room_id"`
	Sender   string  `json:"sender"`
	Type     string  `json:"type"` // the decrypted type; "m.room.encrypted" when decryption failed
	StateKey *string `json:"state_key,omitempty"`
	// Content is the clear content (decrypted for encrypted events, the
	// original content for edited ones). The m.relates_to of an encrypted
	// event, which travels unencrypted, is copied into it.
	Content map[string]any `json:"content"`
	// Encrypted tells whether the event was sent encrypted.
	Encrypted bool `json:"encrypted"`
	// DecryptionFailure is the js-sdk's failure code and message (for example
	// "MEGOLM_UNKNOWN_INBOUND_SESSION_ID: ** Unable to decrypt ... **"), "" when
	// decrypted. Type is then "m.room.encrypted" and Content the SDK's
	// placeholder (msgtype m.bad.encrypted).
	DecryptionFailure string `json:"decryption_failure"`
	OriginServerTS    int64  `json:"origin_server_ts"`
	// ThreadRootID is the SDK's threadRootId: the root of the thread the event is a reply in.
	ThreadRootID string `json:"thread_root_id,omitempty"`
}

// Body returns content.body, or "".
func (e Event) Body() string {
	s, _ := e.Content["body"].(string)
	return s
}

// Relation returns the rel_type and event_id of content["m.relates_to"].
func (e Event) Relation() (relType, eventID string) {
	rel, _ := e.Content["m.relates_to"].(map[string]any)
	relType, _ = rel["rel_type"].(string)
	eventID, _ = rel["event_id"].(string)
	return relType, eventID
}

// InReplyTo returns the event ID this event replies to, or "".
func (e Event) InReplyTo() string {
	rel, _ := e.Content["m.relates_to"].(map[string]any)
	reply, _ := rel["m.in_reply_to"].(map[string]any)
	id, _ := reply["event_id"].(string)
	return id
}

// settled reports whether e was decrypted (or needed no decryption).
func (e Event) settled() bool {
	return e.DecryptionFailure == "" && e.Type != "m.room.encrypted"
}
