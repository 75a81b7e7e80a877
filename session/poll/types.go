package poll

import (
	"errors"
	"fmt"

	"maunium.net/go/mautrix/id"
)

// Event types and content keys (unstable MSC3381 names, as Element sends them; the stable m.*
// names are read too).
const (
	TypeStart       = "org.matrix.msc3381.poll.start"
	TypeResponse    = "org.matrix.msc3381.poll.response"
	TypeEnd         = "org.matrix.msc3381.poll.end"
	StableStart     = "m.poll.start"
	StableResponse  = "m.poll.response"
	StableEnd       = "m.poll.end"
	KeyText         = "org.matrix.msc1767.text" // MSC1767 plain text (fallback and question/answer texts)
	stableKeyText   = "m.text"
	KindDisclosed   = "org.matrix.msc3381.poll.disclosed"   // results visible while the poll runs
	KindUndisclosed = "org.matrix.msc3381.poll.undisclosed" // results only after the end
	stableDisclosed = "m.poll.disclosed"
)

// Limits: Element reads at most 20 answers and limits texts to 340 characters in its dialog.
const (
	MaxAnswers    = 20
	MinAnswers    = 2
	MaxQuestion   = 340
	MaxAnswerText = 340
	MaxAnswerID   = 100
)

// ErrInvalid is returned for a poll, vote or end that cannot be sent as given.
var ErrInvalid = errors.New("invalid poll")

// ErrDuplicateAnswer: two answers of a poll have the same text or ID. It matches ErrInvalid.
var ErrDuplicateAnswer = fmt.Errorf("%w: an answer is given twice", ErrInvalid)

// Answer is one answer of a poll.
type Answer struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Poll is the content of a poll start.
type Poll struct {
	Question      string   `json:"question"`
	Kind          string   `json:"kind"`           // KindDisclosed or KindUndisclosed
	MaxSelections int      `json:"max_selections"` // at least 1
	Answers       []Answer `json:"answers"`
}

// Disclosed tells whether the results show while the poll runs.
func (p Poll) Disclosed() bool { return p.Kind == KindDisclosed }

// Info is a poll start event as stored: the poll with where it came from.
type Info struct {
	Poll
	EventID id.EventID `json:"event_id"`
	RoomID  id.RoomID  `json:"room_id"`
	Sender  id.UserID  `json:"sender"`
	TS      int64      `json:"ts"`
}
