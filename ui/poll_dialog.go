package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/poll"
)

// pollForm is the "Umfrage erstellen" dialog's state; its fields are touched on the UI goroutine
// only.
type pollForm struct {
	ctx  context.Context
	s    Engine
	room id.RoomID

	question          *widget.Entry
	answers           []*widget.Entry
	answerBox         *fyne.Container
	addBtn            *widget.Button
	undisclosed, many *widget.Check
	errLabel          *widget.Label
	createBtn, cancel *widget.Button
	dlg               *dialog.CustomDialog
}

// ShowCreatePoll opens "Umfrage erstellen" for the room on screen (from the composer).
func (a *App) ShowCreatePoll() {
	if room := a.Current(); room != "" {
		a.pollForm = newPollForm(a.ctx, a.w, a.s, room)
		a.pollForm.dlg.Show()
	}
}

func newPollForm(ctx context.Context, w fyne.Window, s Engine, room id.RoomID) *pollForm {
	f := &pollForm{ctx: ctx, s: s, room: room}
	f.question = widget.NewEntry()
	f.question.SetPlaceHolder(T("poll.question_placeholder"))
	f.answerBox = container.NewVBox()
	f.addBtn = widget.NewButtonWithIcon(T("poll.add_answer"), theme.ContentAddIcon(), f.addAnswer)
	f.addAnswer()
	f.addAnswer()
	f.undisclosed = widget.NewCheck(T("poll.undisclosed"), nil)
	f.many = widget.NewCheck(T("poll.max_selections"), nil)
	f.errLabel = errorLabel()
	f.createBtn = widget.NewButton(T("poll.create"), f.submit)
	f.createBtn.Importance = widget.HighImportance
	f.cancel = widget.NewButton(T("dlg.cancel"), func() { f.dlg.Hide() })
	content := container.NewVBox(widget.NewLabel(T("poll.question")), f.question, f.answerBox, container.NewHBox(f.addBtn),
		f.undisclosed, f.many, f.errLabel)
	f.dlg = dialog.NewCustomWithoutButtons(T("poll.create_title"), content, w)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.createBtn})
	fitDialog(f.dlg, widthForm)
	return f
}

func (f *pollForm) addAnswer() {
	if len(f.answers) >= poll.MaxAnswers {
		return
	}
	e := widget.NewEntry()
	e.SetPlaceHolder(T("poll.answer_n", len(f.answers)+1))
	f.answers = append(f.answers, e)
	f.answerBox.Add(e)
	if len(f.answers) >= poll.MaxAnswers {
		f.addBtn.Disable()
	}
	if f.dlg != nil {
		fitDialog(f.dlg, widthForm)
	}
}

// validate returns the poll to send, or the error text to show.
func (f *pollForm) validate() (poll.Poll, string) {
	p := poll.Poll{Question: strings.TrimSpace(f.question.Text), Kind: poll.KindDisclosed, MaxSelections: 1}
	if p.Question == "" {
		return p, T("poll.err_question")
	}
	for _, e := range f.answers {
		if t := strings.TrimSpace(e.Text); t != "" {
			p.Answers = append(p.Answers, poll.Answer{Text: t})
		}
	}
	if f.undisclosed.Checked {
		p.Kind = poll.KindUndisclosed
	}
	if f.many.Checked {
		p.MaxSelections = max(len(p.Answers), 1)
	}
	if len(p.Answers) < poll.MinAnswers {
		return p, T("poll.err_answers")
	}
	if err := p.Normalize(); err != nil {
		if errors.Is(err, poll.ErrDuplicateAnswer) {
			return p, T("poll.err_answers")
		}
		return p, T("poll.err_invalid", err)
	}
	return p, ""
}

func (f *pollForm) submit() {
	p, problem := f.validate()
	setError(f.errLabel, problem)
	fitDialog(f.dlg, widthForm)
	if problem != "" {
		return
	}
	f.createBtn.Disable()
	go func() {
		_, err := f.s.CreatePoll(f.ctx, f.room, p)
		do(func() {
			f.createBtn.Enable()
			if err != nil {
				setError(f.errLabel, T("poll.create_failed", err))
				fitDialog(f.dlg, widthForm)
				return
			}
			f.dlg.Hide()
		})
	}()
}

// vote sends a vote from a poll card.
func (a *App) vote(m session.Message, answers []string) {
	room := a.Current()
	go func() {
		if _, err := a.s.VotePoll(a.ctx, room, m.EventID, answers); err != nil {
			a.showError(T("poll.vote_failed", err))
		}
	}()
}

// confirmEndPoll asks before a poll is ended.
func (a *App) confirmEndPoll(m session.Message) {
	room := a.Current()
	dialog.ShowConfirm(T("poll.end"), T("poll.end_confirm"), func(ok bool) {
		if ok {
			a.endPoll(room, m.EventID)
		}
	}, a.w)
}

func (a *App) endPoll(room id.RoomID, pollID id.EventID) {
	go func() {
		text, err := a.s.EndPollText(a.ctx, room, pollID, Lang())
		if err == nil {
			_, err = a.s.EndPoll(a.ctx, room, pollID, text)
		}
		if err != nil {
			a.showError(T("poll.end_failed", err))
		}
	}()
}
