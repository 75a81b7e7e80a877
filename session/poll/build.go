package poll

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// question is the question object as Element writes it: the MSC1767 text plus body and msgtype
// (matrix-js-sdk's MessageEvent serialisation).
type question struct {
	event.MSC1767Message
	Body    string `json:"body"`
	MsgType string `json:"msgtype"`
}

type startBody struct {
	Kind          string             `json:"kind"`
	MaxSelections int                `json:"max_selections"`
	Question      question           `json:"question"`
	Answers       []event.PollOption `json:"answers"`
}

// StartContent is the content of an org.matrix.msc3381.poll.start event.
type StartContent struct {
	Start startBody `json:"org.matrix.msc3381.poll.start"`
	Text  string    `json:"org.matrix.msc1767.text"` // "Frage\n1. A\n2. B"
}

// EndContent is the content of an org.matrix.msc3381.poll.end event: the reference to the poll
// and a closing text (with body and msgtype, as matrix-js-sdk writes it).
type EndContent struct {
	RelatesTo event.RelatesTo   `json:"m.relates_to"`
	End       struct{}          `json:"org.matrix.msc3381.poll.end"`
	Text      string            `json:"org.matrix.msc1767.text"`
	Body      string            `json:"body"`
	MsgType   event.MessageType `json:"msgtype"`
}

// Normalize checks a poll for sending: a question, 2 to 20 distinct non-empty answers, a known
// kind (empty: disclosed) and 1 <= max_selections <= answers (0: 1). Missing answer IDs are made
// up. Texts are trimmed. Errors wrap ErrInvalid.
func (p *Poll) Normalize() error {
	p.Question = strings.TrimSpace(p.Question)
	switch {
	case p.Question == "":
		return fmt.Errorf("%w: the question is empty", ErrInvalid)
	case utf8.RuneCountInString(p.Question) > MaxQuestion:
		return fmt.Errorf("%w: the question is longer than %d characters", ErrInvalid, MaxQuestion)
	case len(p.Answers) < MinAnswers || len(p.Answers) > MaxAnswers:
		return fmt.Errorf("%w: a poll needs %d to %d answers, not %d", ErrInvalid, MinAnswers, MaxAnswers, len(p.Answers))
	}
	switch p.Kind {
	case "":
		p.Kind = KindDisclosed
	case KindDisclosed, KindUndisclosed:
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalid, p.Kind)
	}
	if p.MaxSelections == 0 {
		p.MaxSelections = 1
	}
	if p.MaxSelections < 1 || p.MaxSelections > len(p.Answers) {
		return fmt.Errorf("%w: max selections must be between 1 and %d", ErrInvalid, len(p.Answers))
	}
	texts, ids := map[string]bool{}, map[string]bool{}
	for i := range p.Answers {
		a := &p.Answers[i]
		a.Text = strings.TrimSpace(a.Text)
		if a.ID == "" {
			a.ID = newID()
		}
		key := strings.ToLower(a.Text)
		switch {
		case a.Text == "":
			return fmt.Errorf("%w: answer %d is empty", ErrInvalid, i+1)
		case utf8.RuneCountInString(a.Text) > MaxAnswerText:
			return fmt.Errorf("%w: answer %d is longer than %d characters", ErrInvalid, i+1, MaxAnswerText)
		case texts[key]:
			return fmt.Errorf("%w: %q", ErrDuplicateAnswer, a.Text)
		case ids[a.ID] || len(a.ID) > MaxAnswerID:
			if ids[a.ID] {
				return fmt.Errorf("%w: answer ID %q", ErrDuplicateAnswer, a.ID)
			}
			return fmt.Errorf("%w: answer ID %q is too long", ErrInvalid, a.ID)
		}
		texts[key], ids[a.ID] = true, true
	}
	return nil
}

// FallbackText is the text clients without poll support show: the question and the numbered
// answers, one per line (as Element writes it).
func FallbackText(p Poll) string {
	var b strings.Builder
	b.WriteString(p.Question)
	for i, a := range p.Answers {
		b.WriteString("\n" + strconv.Itoa(i+1) + ". " + a.Text)
	}
	return b.String()
}

// BuildStart normalises p and returns the content of its start event.
func BuildStart(p Poll) (*StartContent, error) {
	if err := p.Normalize(); err != nil {
		return nil, err
	}
	c := &StartContent{Text: FallbackText(p)}
	c.Start.Kind, c.Start.MaxSelections = p.Kind, p.MaxSelections
	c.Start.Question = question{MSC1767Message: event.MSC1767Message{Text: p.Question}, Body: p.Question, MsgType: string(event.MsgText)}
	for _, a := range p.Answers {
		c.Start.Answers = append(c.Start.Answers, event.PollOption{ID: a.ID, MSC1767Message: event.MSC1767Message{Text: a.Text}})
	}
	return c, nil
}

// BuildResponse returns the content of a vote for the answer IDs on the poll pollEvent. An empty
// list is a spoiled vote (it withdraws an earlier one).
func BuildResponse(pollEvent id.EventID, answers []string) *event.PollResponseEventContent {
	if answers == nil {
		answers = []string{}
	}
	return &event.PollResponseEventContent{
		RelatesTo: event.RelatesTo{Type: event.RelReference, EventID: pollEvent},
		Response:  event.PollResponse{Answers: answers},
	}
}

// BuildEnd returns the content of the end of the poll pollEvent with a closing text.
func BuildEnd(pollEvent id.EventID, text string) *EndContent {
	return &EndContent{RelatesTo: event.RelatesTo{Type: event.RelReference, EventID: pollEvent}, Text: text, Body: text,
		MsgType: event.MsgText}
}

// newID makes an answer ID as Element does: 16 random letters and digits.
func newID() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	for i, b := range buf {
		buf[i] = letters[int(b)%len(letters)]
	}
	return string(buf)
}
