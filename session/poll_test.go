package session_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/poll"
)

// waitPoll syncs s until the poll's results satisfy ok.
func waitPoll(t *testing.T, s *session.Session, roomID id.RoomID, pollID id.EventID, what string, ok func(*poll.Results) bool) *poll.Results {
	t.Helper()
	var r *poll.Results
	eventually.NoError(t, 45*time.Second, func() error {
		if _, err := s.SyncOnce(ctx(t), 500*time.Millisecond); err != nil {
			t.Logf("sync: %v", err)
		}
		var err error
		r, err = s.PollResults(ctx(t), roomID, pollID)
		if err != nil && !errors.Is(err, session.ErrUnknownPoll) {
			t.Fatalf("results: %v", err)
		}
		if err == nil && ok(r) {
			return nil
		}
		return fmt.Errorf("poll never showed %s: %+v (%v)", what, r, err)
	})
	return r
}

func pollVotes(r *poll.Results) []int {
	out := make([]int, len(r.Answers))
	for i, a := range r.Answers {
		out[i] = a.Votes
	}
	return out
}

var availability = poll.Poll{Question: "Wer ist heute Abend verfügbar?", Answers: []poll.Answer{{Text: "Verfügbar"},
	{Text: "Nicht verfügbar"}, {Text: "Ab 20 Uhr"}}}

// A disclosed poll in an encrypted room: votes count, a changed vote moves, only the creator ends
// it, a vote after the end is ignored; everything travels encrypted and the timeline shows the
// poll with its results.
func TestPollEncrypted(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	wf, fm := newAccount(t, srv, "wehrfuehrer"), newAccount(t, srv, "maschinist")
	sa, sb := wf.login(t), fm.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Löschzug", Encrypted: true})
	waitJoined(t, sa, roomID, 2)
	mustSync(t, sb)

	if _, err := sa.CreatePoll(ctx(t), roomID, poll.Poll{Question: "Q", Answers: []poll.Answer{{Text: "A"}}}); !errors.Is(err, poll.ErrInvalid) {
		t.Fatalf("one answer: %v", err)
	}
	pollID := sentBy(t, sa)(sa.CreatePoll(ctx(t), roomID, availability))
	r := waitPoll(t, sb, roomID, pollID, "the poll", func(*poll.Results) bool { return true })
	if r.Question != availability.Question || len(r.Answers) != 3 || r.Kind != poll.KindDisclosed || r.Sender != sa.Account().UserID || r.CanEnd {
		t.Fatalf("b sees %+v", r)
	}
	sentBy(t, sb)(sb.VotePoll(ctx(t), roomID, pollID, []string{"verfügbar"}))
	r = waitPoll(t, sa, roomID, pollID, "b's vote", func(r *poll.Results) bool { return r.Total == 1 })
	if !slices.Equal(pollVotes(r), []int{1, 0, 0}) || r.Answers[0].Users[0] != sb.Account().UserID || !r.CanEnd {
		t.Fatalf("after b's vote: %+v", r)
	}
	// b changes the vote; a votes too.
	sentBy(t, sb)(sb.VotePoll(ctx(t), roomID, pollID, []string{r.Answers[2].ID}))
	sentBy(t, sa)(sa.VotePoll(ctx(t), roomID, pollID, []string{"2"}))
	r = waitPoll(t, sa, roomID, pollID, "the changed vote", func(r *poll.Results) bool { return slices.Equal(pollVotes(r), []int{0, 1, 1}) })
	if r.Voters != 2 || !slices.Equal(r.MyAnswers, []string{r.Answers[1].ID}) {
		t.Fatalf("after the change: %+v", r)
	}
	if _, err := sb.VotePoll(ctx(t), roomID, pollID, []string{"Verfügbar", "Ab 20 Uhr"}); !errors.Is(err, poll.ErrInvalid) {
		t.Fatalf("two answers on a single-choice poll: %v", err)
	}
	if _, err := sb.EndPoll(ctx(t), roomID, pollID, ""); !errors.Is(err, session.ErrPollNotAllowed) {
		t.Fatalf("b ends a's poll: %v", err)
	}
	if _, err := sa.PollResults(ctx(t), roomID, "$nichtda"); !errors.Is(err, session.ErrUnknownPoll) {
		t.Fatalf("unknown poll: %v", err)
	}
	endID := sentBy(t, sa)(sa.EndPoll(ctx(t), roomID, pollID, ""))
	r = waitPoll(t, sb, roomID, pollID, "the end", func(r *poll.Results) bool { return r.Ended })
	if r.EndText != "Die Umfrage ist beendet. Ergebnis: Verfügbar 0, Nicht verfügbar 1, Ab 20 Uhr 1 (2 Stimmen)." || r.EndedBy != sa.Account().UserID {
		t.Fatalf("ended: %+v", r)
	}
	if _, err := sb.VotePoll(ctx(t), roomID, pollID, []string{"Verfügbar"}); !errors.Is(err, session.ErrPollEnded) {
		t.Fatalf("vote on an ended poll: %v", err)
	}
	// A late vote sent anyway (as another client might) is ignored.
	lateID := sentBy(t, sb)(sb.Enqueue(ctx(t), roomID, poll.TypeResponse, poll.BuildResponse(pollID, []string{r.Answers[0].ID})))
	waitForEvent(t, sa, roomID, lateID)
	r, err := sa.PollResults(ctx(t), roomID, pollID)
	if err != nil || !slices.Equal(pollVotes(r), []int{0, 1, 1}) || !r.Ended {
		t.Fatalf("after the late vote: %+v %v", r, err)
	}

	// Everything was encrypted; the timeline shows the poll with its results and the end.
	hist, err := sa.History(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, e := range hist {
		if poll.IsPollEvent(e.Type) {
			if !e.Encrypted || !e.Decrypted {
				t.Fatalf("poll event in the clear: %+v", e)
			}
			types[e.Type]++
		}
		if e.EventID == pollID && !strings.HasPrefix(e.Body, "Wer ist heute Abend verfügbar?\n1. Verfügbar\n2. ") {
			t.Fatalf("history body %q", e.Body)
		}
	}
	if types[poll.TypeStart] != 1 || types[poll.TypeResponse] != 4 || types[poll.TypeEnd] != 1 {
		t.Fatalf("event types %v", types)
	}
	tl, err := sb.Timeline(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var sawPoll, sawEnd bool
	for _, m := range tl {
		switch {
		case m.EventID == pollID:
			sawPoll = m.Kind == session.KindPoll && m.Poll != nil && m.Poll.Ended && m.Poll.Total == 2
		case m.EventID == endID:
			sawEnd = m.Kind == session.KindPollEnd && strings.HasPrefix(m.Body, "Die Umfrage ist beendet.")
		}
	}
	if !sawPoll || !sawEnd {
		t.Fatalf("timeline poll %v end %v: %+v", sawPoll, sawEnd, tl)
	}
	// Votes are no timeline entries: they do not push the poll out of a short window.
	if tl, err = sb.Timeline(ctx(t), roomID, 2); err != nil || len(tl) != 2 || tl[0].EventID != pollID || tl[1].EventID != endID {
		t.Fatalf("timeline of 2: %+v %v", tl, err)
	}
}

// waitForEvent syncs s until the event is stored.
func waitForEvent(t *testing.T, s *session.Session, roomID id.RoomID, eventID id.EventID) {
	t.Helper()
	eventually.True(t, 45*time.Second, fmt.Sprintf("event %s in %s", eventID, roomID), func() bool {
		mustSync(t, s)
		_, ok, err := s.Event(ctx(t), eventID)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	})
}

// An undisclosed poll with two choices: nobody sees the votes (but their own) until the end, the
// creator neither.
func TestPollUndisclosed(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	wf, fm := newAccount(t, srv, "wehrfuehrer"), newAccount(t, srv, "maschinist")
	sa, sb := wf.login(t), fm.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Geheim", Encrypted: true})
	waitJoined(t, sa, roomID, 2)
	mustSync(t, sb)
	p := availability
	p.Kind, p.MaxSelections = poll.KindUndisclosed, 2
	pollID := sentBy(t, sa)(sa.CreatePoll(ctx(t), roomID, p))
	waitPoll(t, sb, roomID, pollID, "the poll", func(*poll.Results) bool { return true })
	sentBy(t, sb)(sb.VotePoll(ctx(t), roomID, pollID, []string{"Verfügbar", "Ab 20 Uhr"}))
	sentBy(t, sa)(sa.VotePoll(ctx(t), roomID, pollID, []string{"Nicht verfügbar"}))
	waitForEvent(t, sa, roomID, pollID)
	rb := waitPoll(t, sb, roomID, pollID, "own vote", func(r *poll.Results) bool { return len(r.MyAnswers) == 2 })
	if !rb.ResultsHidden || rb.Total != 0 || rb.Voters != 0 || !slices.Equal(pollVotes(rb), []int{0, 0, 0}) {
		t.Fatalf("b sees undisclosed results: %+v", rb)
	}
	ra, err := sa.PollResults(ctx(t), roomID, pollID)
	if err != nil || !ra.ResultsHidden || ra.Total != 0 || len(ra.MyAnswers) != 1 {
		t.Fatalf("a sees undisclosed results: %+v %v", ra, err)
	}
	// The closing text tells the full result, though the creator does not see it yet.
	if text, err := sa.EndPollText(ctx(t), roomID, pollID, "en"); err != nil ||
		text != "The poll has ended. Result: Verfügbar 1, Nicht verfügbar 1, Ab 20 Uhr 1 (3 votes)." {
		t.Fatalf("closing text %q %v", text, err)
	}
	sentBy(t, sa)(sa.EndPoll(ctx(t), roomID, pollID, "Danke!"))
	rb = waitPoll(t, sb, roomID, pollID, "the end", func(r *poll.Results) bool { return r.Ended })
	if rb.ResultsHidden || !slices.Equal(pollVotes(rb), []int{1, 1, 1}) || rb.Voters != 2 || rb.Total != 3 || rb.EndText != "Danke!" {
		t.Fatalf("after the end: %+v", rb)
	}
}
