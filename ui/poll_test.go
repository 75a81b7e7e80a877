package ui

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/poll"
)

// pollShown finds the poll message eventID in the timeline.
func pollShown(a *App, eventID id.EventID) *session.Message {
	for _, m := range a.Timeline().Messages() {
		if m.EventID == eventID && m.Kind == session.KindPoll && m.Poll != nil {
			return &m
		}
	}
	return nil
}

func barValues(c *pollCard) []float64 {
	out := make([]float64, len(c.bars))
	for i, b := range c.bars {
		out[i] = b.Value
	}
	return out
}

// tapChoice clicks an answer: a check box, or the radio button inside a radio group.
func tapChoice(t *testing.T, o fyne.CanvasObject) {
	t.Helper()
	if tp, ok := o.(fyne.Tappable); ok {
		test.Tap(tp)
		return
	}
	if w, ok := o.(fyne.Widget); ok {
		for _, child := range test.WidgetRenderer(w).Objects() {
			if tp, ok := child.(fyne.Tappable); ok {
				test.Tap(tp)
				return
			}
		}
	}
	t.Fatalf("nothing to tap in %T", o)
}

// bobSent waits until the queued event is sent.
func bobSent(t *testing.T, s *session.Session) func(string, error) {
	return func(txn string, err error) {
		t.Helper()
		if err == nil {
			_, err = s.WaitSent(testCtx(t), txn)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestFlowPoll: "Umfrage erstellen" from the composer sends a poll into the encrypted room; the
// card counts another member's vote, a click on an answer votes and a second click changes the
// vote; the creator ends it. An undisclosed poll hides its bars until the end.
func TestFlowPoll(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	alice := newFlowUser(t, srv, "alice")
	bob := newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	ctx := testCtx(t)
	room, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Löschzug 1", Encrypted: true, Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	if _, err := as.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	as.Close()
	_, a := openShell(t, q, alice, ShellConfig{Room: room, SyncTimeout: time.Second})
	q.until(t, "room open", func() bool {
		return a.Current() == room && !a.Composer().Entry.Disabled() && len(a.Timeline().Messages()) > 0
	})

	// The dialog: a question and two answers are needed.
	test.Tap(a.composer.pollBtn)
	f := a.pollForm
	if f == nil || len(f.answers) != 2 {
		t.Fatal("no poll dialog with two answer fields")
	}
	test.Tap(f.createBtn)
	if !f.errLabel.Visible() || f.errLabel.Text != T("poll.err_question") {
		t.Fatalf("error %q", f.errLabel.Text)
	}
	test.Type(f.question, "Wer ist heute Abend verfügbar?")
	test.Type(f.answers[0], "Verfügbar")
	test.Type(f.answers[1], "verfügbar")
	test.Tap(f.createBtn)
	if f.errLabel.Text != T("poll.err_answers") {
		t.Fatalf("duplicate answers: %q", f.errLabel.Text)
	}
	f.answers[1].SetText("Nicht verfügbar")
	test.Tap(f.addBtn)
	test.Type(f.answers[2], "Ab 20 Uhr")
	test.Tap(f.createBtn)
	var pollID id.EventID
	q.until(t, "poll sent and shown", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Kind == session.KindPoll && m.EventID != "" && m.Poll != nil {
				pollID = m.EventID
				return true
			}
		}
		return false
	})
	var card *pollCard
	q.until(t, "poll card", func() bool { card = a.Timeline().pollCardOf(pollID.String()); return card != nil })
	if card.question.Text != "📊 Umfrage: Wer ist heute Abend verfügbar?" || len(card.choices) != 3 || card.end.Hidden || card.total.Text != "0 Stimmen" {
		t.Fatalf("card: %s, %q, %d choices, end hidden %v", card, card.question.Text, len(card.choices), card.end.Hidden)
	}
	if _, ok := card.choices[0].(*widget.RadioGroup); !ok {
		t.Fatalf("a single-choice poll shows %T", card.choices[0])
	}

	// Bob votes (engine), alice clicks.
	syncUntil(t, bs, "bob has the poll", func() bool { _, err := bs.PollResults(ctx, room, pollID); return err == nil })
	bobSent(t, bs)(bs.VotePoll(ctx, room, pollID, []string{"Verfügbar"}))
	q.until(t, "bob's vote counted", func() bool {
		card = a.Timeline().pollCardOf(pollID.String())

		return card != nil && slices.Equal(barValues(card), []float64{1, 0, 0})
	})
	tapChoice(t, card.choices[1])
	q.until(t, "alice's vote counted", func() bool {
		card = a.Timeline().pollCardOf(pollID.String())
		return card != nil && slices.Equal(barValues(card), []float64{1, 1, 0}) && card.total.Text == "2 Stimmen"
	})
	if card.choices[1].(*widget.RadioGroup).Selected != "Nicht verfügbar" || card.choices[0].(*widget.RadioGroup).Selected != "" {
		t.Fatal("the card does not show alice's choice")
	}
	tapChoice(t, card.choices[0])
	q.until(t, "alice's changed vote", func() bool {
		card = a.Timeline().pollCardOf(pollID.String())
		return card != nil && slices.Equal(barValues(card), []float64{2, 0, 0})
	})
	syncUntil(t, bs, "bob sees alice's changed vote", func() bool {
		r, err := bs.PollResults(ctx, room, pollID)
		return err == nil && r.Answers[0].Votes == 2
	})

	// The creator ends it: no more voting, the result stays.
	a.endPoll(room, pollID)
	q.until(t, "poll ended", func() bool {
		card = a.Timeline().pollCardOf(pollID.String())
		return card != nil && card.msg.Poll.Ended
	})
	if !card.end.Hidden || !card.choices[0].(*widget.RadioGroup).Disabled() || card.total.Text != "Umfrage beendet · 2 Stimmen" {
		t.Fatalf("ended card: %s end hidden %v", card, card.end.Hidden)
	}

	// Bob's undisclosed multiple-choice poll: no bars until the end, alice's own choice shows.
	txn, err := bs.CreatePoll(ctx, room, poll.Poll{Question: "Wer fährt Samstag mit?", Kind: poll.KindUndisclosed, MaxSelections: 2,
		Answers: []poll.Answer{{Text: "HLF"}, {Text: "DLK"}, {Text: "MTW"}}})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := bs.WaitSent(ctx, txn)
	if err != nil {
		t.Fatal(err)
	}
	bobSent(t, bs)(bs.VotePoll(ctx, room, secret, []string{"HLF"}))
	q.until(t, "undisclosed card", func() bool {
		card = a.Timeline().pollCardOf(secret.String())
		return card != nil
	})
	if _, ok := card.choices[0].(*widget.Check); !ok || !card.end.Hidden || card.total.Text != T("poll.hidden")+" · "+T("poll.multi_hint", 2) || !card.bars[0].Hidden {
		t.Fatalf("undisclosed card: %s %T", card, card.choices[0])
	}
	tapChoice(t, card.choices[1])
	q.until(t, "alice's hidden vote", func() bool {
		m := pollShown(a, secret)
		return m != nil && slices.Equal(m.Poll.MyAnswers, []string{m.Poll.Answers[1].ID})
	})
	card = a.Timeline().pollCardOf(secret.String())
	if !card.choices[1].(*widget.Check).Checked || !card.bars[1].Hidden || card.msg.Poll.Total != 0 {
		t.Fatalf("undisclosed after the vote: %s", card)
	}
	syncUntil(t, bs, "bob has alice's hidden vote", func() bool {
		hist, err := bs.History(ctx, room, 100)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(hist, func(e session.TimelineEvent) bool {
			return e.Type == poll.TypeResponse && e.Sender == id.UserID(alice.ID) && e.RelatesTo == secret
		})
	})
	bobSent(t, bs)(bs.EndPoll(ctx, room, secret, ""))
	q.until(t, "undisclosed results after the end", func() bool {
		card = a.Timeline().pollCardOf(secret.String())
		return card != nil && card.msg.Poll.Ended && !card.bars[0].Hidden && slices.Equal(barValues(card), []float64{1, 1, 0})
	})
}
