package session

import (
	"context"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/format"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// mentionPattern finds user IDs (@localpart:server) written in a message. The server part is a
// host name, IPv4 or [IPv6] address with an optional port.
var mentionPattern = regexp.MustCompile(`(^|[\s(\[,;!?])(@[a-zA-Z0-9._=\-/+]+:(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9\-]+(?:\.[a-zA-Z0-9\-]+)*)(?::[0-9]{1,5})?)`)

// renderedText is the content of a text message written in markdown.
type renderedText struct {
	Body          string
	FormattedBody string // "" when the text renders to plain text
	Mentions      []id.UserID
}

// content returns the message content (msgtype m.text) with m.mentions (always present, empty
// when nobody is mentioned, so that clients do not guess mentions from the body).
func (r renderedText) content() *event.MessageEventContent {
	c := &event.MessageEventContent{MsgType: event.MsgText, Body: r.Body, Mentions: &event.Mentions{UserIDs: r.Mentions}}
	if r.FormattedBody != "" {
		c.Format, c.FormattedBody = event.FormatHTML, r.FormattedBody
	}
	return c
}

// renderMarkdown renders a message typed by the user. Plain text stays plain; markdown gets an
// HTML formatted_body; user IDs outside code become matrix.to links (pills) and are listed as
// mentions. names gives the link text of a user ID (nil or a missing name: the user ID itself).
func renderMarkdown(text string, names func(id.UserID) string) renderedText {
	text = strings.TrimSpace(text)
	out := renderedText{Body: text}
	seen := map[id.UserID]bool{}
	md := replaceOutsideCode(text, func(segment string) string {
		return mentionPattern.ReplaceAllStringFunc(segment, func(m string) string {
			sub := mentionPattern.FindStringSubmatch(m)
			prefix, raw := sub[1], strings.TrimRight(sub[2], ".")
			tail := sub[2][len(raw):]
			user := id.UserID(raw)
			if _, _, err := user.Parse(); err != nil {
				return m
			}
			if !seen[user] {
				seen[user] = true
				out.Mentions = append(out.Mentions, user)
			}
			name := ""
			if names != nil {
				name = names(user)
			}
			if name == "" {
				name = raw
			}
			return prefix + format.MarkdownMentionWithName(name, user) + tail
		})
	})
	rendered := format.RenderMarkdown(md, true, true)
	htmlBody := rendered.FormattedBody
	if htmlBody == "" {
		htmlBody = html.EscapeString(rendered.Body)
	}
	if !isPlainHTML(htmlBody, text) {
		out.FormattedBody = htmlBody
	}
	return out
}

var brPattern = regexp.MustCompile(`<br\s*/?>\n?`)

// isPlainHTML reports whether htmlBody is just text, escaped, with line breaks.
func isPlainHTML(htmlBody, text string) bool {
	s := strings.TrimSpace(htmlBody)
	if strings.HasPrefix(s, "<p>") && strings.HasSuffix(s, "</p>") {
		s = strings.ReplaceAll(s[len("<p>"):len(s)-len("</p>")], "</p>\n<p>", "\n\n")
	}
	s = brPattern.ReplaceAllString(s, "\n")
	return !strings.Contains(s, "<") && html.UnescapeString(s) == text
}

// replaceOutsideCode applies fn to the parts of markdown text that are not code (``` blocks or
// `inline` spans).
func replaceOutsideCode(text string, fn func(string) string) string {
	var b strings.Builder
	for text != "" {
		i := strings.IndexByte(text, '`')
		if i < 0 {
			b.WriteString(fn(text))
			break
		}
		b.WriteString(fn(text[:i]))
		text = text[i:]
		n := len(text) - len(strings.TrimLeft(text, "`"))
		fence := text[:n]
		end := strings.Index(text[n:], fence)
		if end < 0 {
			b.WriteString(fn(text))
			break
		}
		b.WriteString(text[:n+end+n])
		text = text[n+end+n:]
	}
	return b.String()
}

// memberNames returns a lookup of display names in a room, for mention pills.
func (s *Session) memberNames(ctx context.Context, roomID id.RoomID) func(id.UserID) string {
	return func(user id.UserID) (name string) {
		_ = s.db.Read(ctx, func(tx *store.Tx) error {
			m, ok, err := tx.Member(roomID.String(), user.String())
			if ok {
				name = m.Name
			}
			return err
		})
		return name
	}
}

// sendMarkdown queues a text message written in markdown and returns its transaction ID. Plain
// text is sent as it is; markdown also gets an HTML formatted_body. User IDs (@user:server) become
// mention pills and are listed in m.mentions.
func (s *Session) sendMarkdown(ctx context.Context, roomID id.RoomID, text string) (string, error) {
	return s.Enqueue(ctx, roomID, "m.room.message", renderMarkdown(text, s.memberNames(ctx, roomID)).content())
}

// sendReplyMarkdown queues a markdown reply (m.in_reply_to, without a fallback quote) to another
// event of the room; the sender of the replied-to event is mentioned.
func (s *Session) sendReplyMarkdown(ctx context.Context, roomID id.RoomID, inReplyTo id.EventID, text string) (string, error) {
	r := renderMarkdown(text, s.memberNames(ctx, roomID))
	if orig, ok, err := s.Event(ctx, inReplyTo); err != nil {
		return "", err
	} else if ok && orig.Sender != s.account.UserID && !slices.Contains(r.Mentions, orig.Sender) {
		r.Mentions = append(r.Mentions, orig.Sender)
	}
	c := r.content()
	c.RelatesTo = (&event.RelatesTo{}).SetReplyTo(inReplyTo)
	return s.Enqueue(ctx, roomID, "m.room.message", c)
}

// sendEditMarkdown queues a new markdown text for one of our earlier messages (m.replace with
// m.new_content); clients without edit support show the fallback "* text". The edit's own
// m.mentions lists only users the original message did not mention.
func (s *Session) sendEditMarkdown(ctx context.Context, roomID id.RoomID, original id.EventID, text string) (string, error) {
	r := renderMarkdown(text, s.memberNames(ctx, roomID))
	// The edit event itself mentions only users the original did not, so nobody is notified twice.
	var before struct {
		Mentions struct {
			UserIDs []id.UserID `json:"user_ids"`
		} `json:"m.mentions"`
	}
	if orig, ok, err := s.Event(ctx, original); err != nil {
		return "", err
	} else if ok {
		_ = json.Unmarshal(orig.Content, &before)
	}
	c := renderedText{Body: "* " + r.Body}
	for _, u := range r.Mentions {
		if !slices.Contains(before.Mentions.UserIDs, u) {
			c.Mentions = append(c.Mentions, u)
		}
	}
	if r.FormattedBody != "" {
		c.FormattedBody = "* " + r.FormattedBody
	}
	content := c.content()
	content.NewContent = r.content()
	content.RelatesTo = (&event.RelatesTo{}).SetReplace(original)
	return s.Enqueue(ctx, roomID, "m.room.message", content)
}
