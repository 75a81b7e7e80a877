package poll

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"maunium.net/go/mautrix/id"
)

// text reads an MSC1767 text object: org.matrix.msc1767.text, m.text, the first text/plain
// rendering of org.matrix.msc1767.message, or body.
func text(raw json.RawMessage) string {
	var t struct {
		Text       json.RawMessage `json:"org.matrix.msc1767.text"`
		StableText json.RawMessage `json:"m.text"`
		Message    []struct {
			MimeType string `json:"mimetype"`
			Body     string `json:"body"`
		} `json:"org.matrix.msc1767.message"`
		Body json.RawMessage `json:"body"`
	}
	if json.Unmarshal(raw, &t) != nil {
		return ""
	}
	for _, r := range []json.RawMessage{t.Text, t.StableText} {
		var s string
		if json.Unmarshal(r, &s) == nil && s != "" {
			return s
		}
	}
	for _, m := range t.Message {
		if (m.MimeType == "" || m.MimeType == "text/plain") && m.Body != "" {
			return m.Body
		}
	}
	var s string
	_ = json.Unmarshal(t.Body, &s)
	return s
}

func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// pick returns the object under the unstable key, else under the stable one.
func pick(content json.RawMessage, unstable, stable string) (json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(content, &m) != nil {
		return nil, false
	}
	if v, ok := m[unstable]; ok && len(v) > 0 && v[0] == '{' {
		return v, true
	}
	if v, ok := m[stable]; ok && len(v) > 0 && v[0] == '{' {
		return v, true
	}
	return nil, false
}

// ParseStart reads a poll start event (type and plaintext content) as matrix-js-sdk does: a
// question is required, an unknown kind counts as undisclosed, max_selections below 1 counts as 1,
// at most 20 answers are read and each needs a non-empty ID (duplicates after the first are left
// out). ok is false for anything that is no valid poll.
func ParseStart(evType string, content json.RawMessage) (Poll, bool) {
	if evType != TypeStart && evType != StableStart {
		return Poll{}, false
	}
	obj, ok := pick(content, TypeStart, StableStart)
	if !ok {
		return Poll{}, false
	}
	var w struct {
		Question      json.RawMessage   `json:"question"`
		Kind          json.RawMessage   `json:"kind"`
		MaxSelections json.RawMessage   `json:"max_selections"`
		Answers       []json.RawMessage `json:"answers"`
	}
	if json.Unmarshal(obj, &w) != nil || len(w.Question) == 0 || w.Question[0] != '{' {
		return Poll{}, false
	}
	p := Poll{Question: clip(text(w.Question), MaxQuestion), Kind: KindUndisclosed, MaxSelections: 1}
	var kind string
	if json.Unmarshal(w.Kind, &kind) == nil && (kind == KindDisclosed || kind == stableDisclosed) {
		p.Kind = KindDisclosed
	}
	var maxSel float64
	if json.Unmarshal(w.MaxSelections, &maxSel) == nil && maxSel >= 1 {
		p.MaxSelections = int(min(maxSel, MaxAnswers))
	}
	seen := map[string]bool{}
	for _, raw := range w.Answers[:min(len(w.Answers), MaxAnswers)] {
		var a struct {
			ID json.RawMessage `json:"id"`
		}
		var aid string
		if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &a) != nil || json.Unmarshal(a.ID, &aid) != nil || aid == "" {
			return Poll{}, false // matrix-js-sdk refuses the whole poll
		}
		if seen[aid] {
			continue
		}
		seen[aid] = true
		p.Answers = append(p.Answers, Answer{ID: clip(aid, MaxAnswerID), Text: clip(text(raw), MaxAnswerText)})
	}
	if len(p.Answers) == 0 {
		return Poll{}, false
	}
	return p, true
}

// reference reads an m.reference relation's target.
func reference(content json.RawMessage) id.EventID {
	var w struct {
		RelatesTo struct {
			RelType string `json:"rel_type"`
			EventID string `json:"event_id"`
		} `json:"m.relates_to"`
	}
	if json.Unmarshal(content, &w) != nil || w.RelatesTo.RelType != "m.reference" {
		return ""
	}
	return id.EventID(w.RelatesTo.EventID)
}

// ParseResponse reads a vote: the poll it refers to and the answer IDs. A vote without an array
// of strings, or with an empty one, is spoiled (answers nil); ok is false for anything that is no
// vote.
func ParseResponse(evType string, content json.RawMessage) (target id.EventID, answers []string, ok bool) {
	if evType != TypeResponse && evType != StableResponse {
		return "", nil, false
	}
	if target = reference(content); target == "" {
		return "", nil, false
	}
	obj, found := pick(content, TypeResponse, StableResponse)
	if !found {
		return target, nil, true
	}
	var w struct {
		Answers []json.RawMessage `json:"answers"`
	}
	if json.Unmarshal(obj, &w) != nil {
		return target, nil, true
	}
	for _, raw := range w.Answers {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return target, nil, true
		}
		answers = append(answers, s)
	}
	return target, answers, true
}

// ParseEnd reads the end of a poll: the poll it refers to and the closing text.
func ParseEnd(evType string, content json.RawMessage) (target id.EventID, closing string, ok bool) {
	if evType != TypeEnd && evType != StableEnd {
		return "", "", false
	}
	if target = reference(content); target == "" {
		return "", "", false
	}
	return target, clip(text(content), 4000), true
}

// IsPollEvent tells whether evType is one of the poll event types.
func IsPollEvent(evType string) bool {
	switch evType {
	case TypeStart, TypeResponse, TypeEnd, StableStart, StableResponse, StableEnd:
		return true
	}
	return false
}
