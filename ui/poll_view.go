package ui

// Polls in the timeline (MSC3381, as Element shows them): a card with the question, the answers
// as radio buttons (one choice) or check boxes (several), votes and bars, and "Umfrage beenden"
// for whoever may end it.

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
	"bosmessenger/session/poll"
)

// pollCard is the poll part of a timeline row; hidden for other messages. Rows are recycled, so
// set rebuilds the answers for the message bound.
type pollCard struct {
	t        *Timeline
	question *widget.Label
	answers  *fyne.Container
	total    *widget.Label
	end      *widget.Button
	view     *fyne.Container
	msg      session.Message
	// choices are the answers' radio groups or check boxes, in the poll's order (for tests).
	choices []fyne.CanvasObject
	bars    []*widget.ProgressBar
}

func newPollCard(t *Timeline) *pollCard {
	c := &pollCard{t: t, question: widget.NewLabel(""), total: widget.NewLabel("")}
	c.question.TextStyle.Bold = true
	c.question.Wrapping = fyne.TextWrapWord
	c.total.Importance = widget.LowImportance
	c.total.Wrapping = fyne.TextWrapWord
	c.answers = container.New(layout.NewCustomPaddedVBoxLayout(0))
	c.end = widget.NewButtonWithIcon(T("poll.end"), theme.MediaStopIcon(), func() {
		if c.t.OnEndPoll != nil {
			c.t.OnEndPoll(c.msg)
		}
	})
	c.view = container.New(layout.NewCustomPaddedVBoxLayout(0), c.question, c.answers, c.total, container.NewHBox(c.end))
	c.view.Hide()
	return c
}

// votesText is "1 Stimme" or "n Stimmen".
func votesText(n int) string {
	if n == 1 {
		return T("poll.votes_one")
	}
	return T("poll.votes_n", n)
}

// set shows m's poll, or hides the card when m is no poll.
func (c *pollCard) set(m session.Message) {
	c.msg = m
	r := m.Poll
	if m.Kind != session.KindPoll || r == nil {
		c.view.Hide()
		return
	}
	setLabel(c.question, T("poll.title")+": "+r.Question, c.question.Importance)
	open := !r.Ended && m.EventID != ""
	c.choices, c.bars = c.choices[:0], c.bars[:0]
	rows := make([]fyne.CanvasObject, 0, len(r.Answers))
	maxVotes := 1
	for _, a := range r.Answers {
		maxVotes = max(maxVotes, a.Votes)
	}
	for _, a := range r.Answers {
		mine := slices.Contains(r.MyAnswers, a.ID)
		var choice fyne.CanvasObject
		if r.MaxSelections > 1 {
			ch := widget.NewCheck(a.Text, nil)
			ch.Checked = mine // before OnChanged: setting it must not vote
			id := a.ID
			ch.OnChanged = func(on bool) { c.toggle(id, on) }
			choice = ch
			if !open {
				ch.Disable()
			}
		} else {
			rg := widget.NewRadioGroup([]string{a.Text}, nil)
			rg.Required = true
			if mine {
				rg.Selected = a.Text
			}
			id := a.ID
			rg.OnChanged = func(s string) {
				if s != "" {
					c.vote([]string{id})
				}
			}
			choice = rg
			if !open {
				rg.Disable()
			}
		}
		bar := widget.NewProgressBar()
		bar.Max, bar.Value = float64(maxVotes), float64(a.Votes)
		votes := a.Votes
		bar.TextFormatter = func() string { return votesText(votes) }
		bar.Hidden = r.ResultsHidden
		c.choices, c.bars = append(c.choices, choice), append(c.bars, bar)
		rows = append(rows, choice, bar)
	}
	c.answers.Objects = rows
	c.answers.Refresh()
	setLabel(c.total, pollTotal(r), c.total.Importance)
	c.end.Hidden = !r.CanEnd || m.EventID == ""
	c.view.Show()
	c.view.Refresh()
}

// fit gives the wrapping labels the row's width, so that they measure their real height.
func (c *pollCard) fit(width float32) {
	if c.view.Visible() {
		for _, l := range []*widget.Label{c.question, c.total} {
			l.Resize(fyne.NewSize(width, l.MinSize().Height))
		}
	}
}

// pollTotal is the line under the answers.
func pollTotal(r *poll.Results) string {
	var s string
	switch {
	case r.ResultsHidden:
		s = T("poll.hidden")
	case r.MaxSelections > 1:
		s = T("poll.voters", votesText(r.Total), r.Voters)
	default:
		s = votesText(r.Total)
	}
	if r.Ended {
		return T("poll.ended", s)
	}
	if r.MaxSelections > 1 {
		s += " · " + T("poll.multi_hint", r.MaxSelections)
	}
	return s
}

// toggle changes one answer of a multiple-choice vote; past max_selections the oldest choice goes.
func (c *pollCard) toggle(answer string, on bool) {
	r := c.msg.Poll
	if r == nil {
		return
	}
	answers := slices.DeleteFunc(slices.Clone(r.MyAnswers), func(a string) bool { return a == answer })
	if on {
		answers = append(answers, answer)
	}
	if len(answers) > r.MaxSelections {
		answers = answers[len(answers)-r.MaxSelections:]
	}
	if len(answers) == 0 {
		c.set(c.msg) // a vote cannot be withdrawn to nothing: show the current one again
		return
	}
	c.vote(answers)
}

func (c *pollCard) vote(answers []string) {
	if c.t.OnVote != nil {
		c.t.OnVote(c.msg, answers)
	}
}

// pollCardOf returns the card of the row that shows the poll eventID (tests; nil when no row
// shows it).
func (t *Timeline) pollCardOf(eventID string) *pollCard {
	for _, r := range t.rows {
		if r.poll.msg.EventID.String() == eventID && r.poll.view.Visible() {
			return r.poll
		}
	}
	return nil
}

// String describes the card for test failures.
func (c *pollCard) String() string {
	return fmt.Sprintf("poll %s: %s", c.msg.EventID, c.total.Text)
}
