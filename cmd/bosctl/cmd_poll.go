package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/poll"
)

const pollUsage = "poll create ROOM --question Q --answer A --answer B [--answer C]... [--undisclosed] [--max-selections N]" +
	" | poll vote ROOM POLL_EVENT --answer ID_TEXT_OR_NUMBER [--answer …]" +
	" | poll end ROOM POLL_EVENT [--text CLOSING_TEXT] | poll show ROOM POLL_EVENT [--json]"

func init() {
	commands["poll"] = command{pollUsage, cmdPoll}
	boolFlags["undisclosed"] = true
}

func cmdPoll(ctx context.Context, a *args) error {
	if len(a.pos) == 0 {
		return usageError{"usage: bosctl " + pollUsage}
	}
	sub := a.pos[0]
	a.pos = a.pos[1:]
	allowed := map[string][]string{
		"create": {"question", "answer", "undisclosed", "max-selections", "timeout"},
		"vote":   {"answer", "timeout"},
		"end":    {"text", "timeout"},
		"show":   {"json"},
	}
	flags, ok := allowed[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown poll command %q (create, vote, end, show)", sub)}
	}
	for name := range a.flags {
		if name != "data" && name != "help" && !slices.Contains(flags, name) {
			return usageError{fmt.Sprintf("unknown flag --%s for poll %s", name, sub)}
		}
	}
	switch sub {
	case "create":
		return cmdPollCreate(ctx, a)
	case "vote":
		return cmdPollVote(ctx, a)
	case "end":
		return cmdPollEnd(ctx, a)
	}
	return cmdPollShow(ctx, a)
}

func cmdPollCreate(ctx context.Context, a *args) error {
	pos, err := a.exactly(1, "poll create ROOM --question Q --answer A --answer B [--answer C]... [--undisclosed] [--max-selections N]")
	if err != nil {
		return err
	}
	p := poll.Poll{Question: a.str("question"), Kind: poll.KindDisclosed}
	for _, text := range a.list("answer") {
		p.Answers = append(p.Answers, poll.Answer{Text: text})
	}
	if a.bool("undisclosed") {
		p.Kind = poll.KindUndisclosed
	}
	if p.MaxSelections, err = a.int("max-selections", 1); err != nil {
		return err
	}
	if err := p.Normalize(); err != nil {
		return usageError{err.Error()}
	}
	roomID := id.RoomID(pos[0])
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) { return s.CreatePoll(ctx, roomID, p) })
}

// knownPoll syncs once when the poll is not stored yet (a fresh data dir, a poll just sent).
func knownPoll(ctx context.Context, s *session.Session, roomID id.RoomID, pollEvent id.EventID) {
	if _, err := s.PollResults(ctx, roomID, pollEvent); errors.Is(err, session.ErrUnknownPoll) {
		_, _ = s.SyncOnce(ctx, 0)
	}
}

func cmdPollVote(ctx context.Context, a *args) error {
	pos, err := a.exactly(2, "poll vote ROOM POLL_EVENT --answer ID_TEXT_OR_NUMBER [--answer …]")
	if err != nil {
		return err
	}
	answers := a.list("answer")
	if len(answers) == 0 {
		return usageError{"poll vote needs --answer"}
	}
	roomID, pollEvent := id.RoomID(pos[0]), id.EventID(pos[1])
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		knownPoll(ctx, s, roomID, pollEvent)
		return s.VotePoll(ctx, roomID, pollEvent, answers)
	})
}

func cmdPollEnd(ctx context.Context, a *args) error {
	pos, err := a.exactly(2, "poll end ROOM POLL_EVENT [--text CLOSING_TEXT]")
	if err != nil {
		return err
	}
	roomID, pollEvent := id.RoomID(pos[0]), id.EventID(pos[1])
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		knownPoll(ctx, s, roomID, pollEvent)
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0) // the closing text tells the result: count the latest votes
		cancel()
		return s.EndPoll(ctx, roomID, pollEvent, a.str("text"))
	})
}

func cmdPollShow(ctx context.Context, a *args) error {
	pos, err := a.exactly(2, "poll show ROOM POLL_EVENT [--json]")
	if err != nil {
		return err
	}
	roomID, pollEvent := id.RoomID(pos[0]), id.EventID(pos[1])
	return withSession(ctx, a, func(s *session.Session) error {
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0) // catch up; offline, the stored results are shown
		cancel()
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		r, err := s.PollResults(ctx, roomID, pollEvent)
		if err != nil {
			return err
		}
		if a.bool("json") {
			return printJSON(a.stdout, r)
		}
		return printPoll(a, r)
	})
}

func printPoll(a *args, r *poll.Results) error {
	state := "open"
	if r.Ended {
		state = "ended"
	}
	kind := "disclosed"
	if !r.Disclosed() {
		kind = "undisclosed"
	}
	lines := []string{safe(r.Question), fmt.Sprintf("%s, %s, up to %d answer(s), %d voter(s), %d vote(s)", state, kind, r.MaxSelections, r.Voters, r.Total)}
	if r.ResultsHidden {
		lines[1] = fmt.Sprintf("%s, %s, up to %d answer(s): results are shown when the poll ends", state, kind, r.MaxSelections)
	}
	for i, ans := range r.Answers {
		mark := " "
		if slices.Contains(r.MyAnswers, ans.ID) {
			mark = "*"
		}
		l := fmt.Sprintf("%s %d. %s [%s]", mark, i+1, ans.Text, ans.ID)
		if !r.ResultsHidden {
			users := make([]string, len(ans.Users))
			for j, u := range ans.Users {
				users[j] = string(u)
			}
			l += fmt.Sprintf(": %d", ans.Votes)
			if len(users) > 0 {
				l += " (" + strings.Join(users, ", ") + ")"
			}
		}
		lines = append(lines, safe(l))
	}
	_, err := fmt.Fprintln(a.stdout, strings.Join(lines, "\n"))
	return err
}
