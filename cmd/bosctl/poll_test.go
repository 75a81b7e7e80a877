package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
)

type pollJSON struct {
	Question      string `json:"question"`
	Kind          string `json:"kind"`
	MaxSelections int    `json:"max_selections"`
	Answers       []struct {
		ID    string   `json:"id"`
		Text  string   `json:"text"`
		Votes int      `json:"votes"`
		Users []string `json:"users"`
	} `json:"answers"`
	Voters        int      `json:"voters"`
	Ended         bool     `json:"ended"`
	Total         int      `json:"total"`
	MyAnswers     []string `json:"my_answers"`
	ResultsHidden bool     `json:"results_hidden"`
}

func (u *user) pollShow(roomID, pollID string) pollJSON {
	u.t.Helper()
	var p pollJSON
	r := u.ok("poll", "show", roomID, pollID, "--json")
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		u.t.Fatalf("poll show --json: %v: %v", err, r)
	}
	return p
}

// waitPollShow runs poll show until ok (a vote may need a moment to reach the other account).
func (u *user) waitPollShow(roomID, pollID, what string, ok func(pollJSON) bool) pollJSON {
	u.t.Helper()
	var p pollJSON
	eventually.NoError(u.t, 45*time.Second, func() error {
		if p = u.pollShow(roomID, pollID); !ok(p) {
			return fmt.Errorf("poll show never gave %s: %+v", what, p)
		}
		return nil
	})
	return p
}

func (p pollJSON) votes() []int {
	out := make([]int, len(p.Answers))
	for i, a := range p.Answers {
		out[i] = a.Votes
	}
	return out
}

// Polls with bosctl in an encrypted room: create, vote, change the vote, end, a vote after the
// end refused, undisclosed results hidden until the end.
func TestPollCommands(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "umfrager"), loggedIn(t, srv, "umfragt")
	roomID := a.createRoom("--name", "Verfügbarkeit", "--invite", b.id)
	if got := oneID(t, b.ok("join", roomID), roomIDRe); got != roomID {
		t.Fatalf("join printed %s", got)
	}
	if !a.rooms()[roomID].Encrypted {
		t.Fatal("the room is not encrypted")
	}
	mustFail(t, a.run("poll", "create", roomID, "--question", "Q", "--answer", "nur eine"), 2, "needs 2 to 20 answers")
	mustFail(t, a.run("poll", "create", roomID, "--answer", "A", "--answer", "B"), 2, "question is empty")
	mustFail(t, a.run("poll", "create", roomID, "--question", "Q", "--answer", "A", "--answer", "B", "--max-selections", "3"), 2, "max selections")
	mustFail(t, a.run("poll", "create", roomID, "--question", "Q", "--json"), 2, "unknown flag --json")
	mustFail(t, a.run("poll", "bogus"), 2, "unknown poll command")

	pollID := oneID(t, a.ok("poll", "create", roomID, "--question", "Wer kommt zur Übung?", "--answer", "Ich komme",
		"--answer", "Ich komme nicht", "--answer", "Später"), eventIDRe)
	p := b.pollShow(roomID, pollID)
	if p.Question != "Wer kommt zur Übung?" || p.Kind != "org.matrix.msc3381.poll.disclosed" || p.MaxSelections != 1 || len(p.Answers) != 3 ||
		p.Answers[2].Text != "Später" || p.Ended || p.Total != 0 || p.MyAnswers == nil {
		t.Fatalf("b's poll show: %+v", p)
	}
	oneID(t, b.ok("poll", "vote", roomID, pollID, "--answer", "ich komme"), eventIDRe)
	p = a.waitPollShow(roomID, pollID, "b's vote", func(p pollJSON) bool { return p.Total == 1 })
	if !slices.Equal(p.votes(), []int{1, 0, 0}) || p.Voters != 1 || p.Answers[0].Users[0] != b.id {
		t.Fatalf("after the vote: %+v", p)
	}
	// Change the vote (by answer ID), and a votes by number.
	oneID(t, b.ok("poll", "vote", roomID, pollID, "--answer", p.Answers[2].ID), eventIDRe)
	oneID(t, a.ok("poll", "vote", roomID, pollID, "--answer", "2"), eventIDRe)
	p = a.waitPollShow(roomID, pollID, "the changed vote", func(p pollJSON) bool { return slices.Equal(p.votes(), []int{0, 1, 1}) })
	if !slices.Equal(p.MyAnswers, []string{p.Answers[1].ID}) {
		t.Fatalf("my answers: %+v", p)
	}
	mustFail(t, b.run("poll", "vote", roomID, pollID, "--answer", "vielleicht"), 1, "none of the answers")
	mustFail(t, b.run("poll", "end", roomID, pollID), 1, "only the poll's creator")
	mustFail(t, b.run("poll", "show", roomID, "$unbekannt"), 1, "unknown poll")
	oneID(t, a.ok("poll", "end", roomID, pollID), eventIDRe)
	p = b.waitPollShow(roomID, pollID, "the end", func(p pollJSON) bool { return p.Ended })
	if !slices.Equal(p.votes(), []int{0, 1, 1}) {
		t.Fatalf("ended: %+v", p)
	}
	mustFail(t, b.run("poll", "vote", roomID, pollID, "--answer", "1"), 1, "poll has ended")
	plain := b.ok("poll", "show", roomID, pollID).stdout
	if !strings.HasPrefix(plain, "Wer kommt zur Übung?\nended, disclosed, up to 1 answer(s), 2 voter(s), 2 vote(s)\n") ||
		!strings.Contains(plain, "* 3. Später ["+p.Answers[2].ID+"]: 1 ("+b.id+")") {
		t.Fatalf("plain show: %q", plain)
	}
	hist := a.ok("history", roomID).stdout
	if !strings.Contains(hist, "Wer kommt zur Übung?") || !strings.Contains(hist, "Die Umfrage ist beendet. Ergebnis: Ich komme 0, Ich komme nicht 1, Später 1 (2 Stimmen).") {
		t.Fatalf("history: %s", hist)
	}

	// Undisclosed, two choices: hidden for both until the end.
	secret := oneID(t, a.ok("poll", "create", roomID, "--question", "Wer hat Zeit am Samstag?", "--answer", "Vormittag",
		"--answer", "Nachmittag", "--answer", "Gar nicht", "--undisclosed", "--max-selections", "2"), eventIDRe)
	oneID(t, b.ok("poll", "vote", roomID, secret, "--answer", "Vormittag", "--answer", "Nachmittag"), eventIDRe)
	p = b.pollShow(roomID, secret)
	if !p.ResultsHidden || p.Total != 0 || p.Voters != 0 || len(p.MyAnswers) != 2 || p.Kind != "org.matrix.msc3381.poll.undisclosed" {
		t.Fatalf("b sees %+v", p)
	}
	p = a.waitPollShow(roomID, secret, "the poll", func(p pollJSON) bool { return p.Question != "" })
	if !p.ResultsHidden || p.Total != 0 || !slices.Equal(p.votes(), []int{0, 0, 0}) {
		t.Fatalf("a sees undisclosed results: %+v", p)
	}
	if plain := a.ok("poll", "show", roomID, secret).stdout; !strings.Contains(plain, "results are shown when the poll ends") || strings.Contains(plain, ": 0") {
		t.Fatalf("plain undisclosed: %q", plain)
	}
	oneID(t, a.ok("poll", "end", roomID, secret, "--text", "Danke, Samstag Vormittag."), eventIDRe)
	p = b.waitPollShow(roomID, secret, "the end", func(p pollJSON) bool { return p.Ended })
	if p.ResultsHidden || !slices.Equal(p.votes(), []int{1, 1, 0}) || p.Voters != 1 || p.Total != 2 {
		t.Fatalf("after the end: %+v", p)
	}
}
