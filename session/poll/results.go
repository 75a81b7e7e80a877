package poll

import (
	"cmp"
	"slices"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/related"
)

// Related is an event that refers to a poll (vote or end); the type is shared with the
// other BOS features (package related).
type Related = related.Event

// AnswerResult is one answer with its votes. Votes and Users are empty while results are hidden.
type AnswerResult struct {
	ID    string      `json:"id"`
	Text  string      `json:"text"`
	Votes int         `json:"votes"`
	Users []id.UserID `json:"users,omitempty"`
}

// Results is the state of a poll: its answers with votes, who voted, whether it ended.
type Results struct {
	Info
	Answers       []AnswerResult `json:"answers"` // in the poll's order (shadows Info.Answers)
	Voters        int            `json:"voters"`  // users whose latest vote is valid
	Total         int            `json:"total"`   // votes on all answers (a voter counts once per chosen answer)
	Ended         bool           `json:"ended"`
	EndedBy       id.UserID      `json:"ended_by,omitempty"`
	EndTS         int64          `json:"end_ts,omitempty"`
	EndText       string         `json:"end_text,omitempty"`
	MyAnswers     []string       `json:"my_answers"`     // our latest valid vote (answer IDs), also when hidden
	ResultsHidden bool           `json:"results_hidden"` // undisclosed and not ended: votes are not shown
	CanEnd        bool           `json:"can_end"`        // we may end it (creator or redaction power) and it runs
}

// Tally folds the votes and ends that refer to the poll (any order) into its results, for the
// user me, by MSC3381 as matrix-js-sdk applies it: the first end by the creator or by a user
// mayEnd allows (redaction power) ends the poll; votes after it are ignored; each user's latest
// vote counts; a vote naming an unknown answer or none is spoiled (counts for nothing but still
// replaces the earlier one); a vote with more answers than max_selections keeps the first ones.
// An undisclosed poll hides all votes but ours until it ends.
func Tally(info Info, related []Related, me id.UserID, mayEnd func(id.UserID) bool) Results {
	events := slices.Clone(related)
	slices.SortStableFunc(events, func(a, b Related) int { return cmp.Compare(a.TS, b.TS) })
	r := Results{Info: info, MyAnswers: []string{}}
	allowed := func(u id.UserID) bool { return u == info.Sender || (mayEnd != nil && mayEnd(u)) }
	for _, ev := range events {
		if target, closing, ok := ParseEnd(ev.Type, ev.Content); ok && target == info.EventID && ev.Sender != "" && allowed(ev.Sender) {
			r.Ended, r.EndedBy, r.EndTS, r.EndText = true, ev.Sender, ev.TS, closing
			break
		}
	}
	latest := map[id.UserID][]string{}
	var order []id.UserID
	for _, ev := range events {
		target, answers, ok := ParseResponse(ev.Type, ev.Content)
		if !ok || target != info.EventID || ev.Sender == "" || (r.Ended && ev.TS > r.EndTS) {
			continue
		}
		if _, seen := latest[ev.Sender]; !seen {
			order = append(order, ev.Sender)
		}
		latest[ev.Sender] = validVote(info.Poll, answers)
	}
	r.ResultsHidden = !info.Disclosed() && !r.Ended
	r.CanEnd = !r.Ended && allowed(me)
	index := map[string]int{}
	r.Answers = make([]AnswerResult, len(info.Answers))
	for i, a := range info.Answers {
		r.Answers[i] = AnswerResult{ID: a.ID, Text: a.Text}
		index[a.ID] = i
	}
	if mine := latest[me]; mine != nil {
		r.MyAnswers = mine
	}
	if r.ResultsHidden {
		return r
	}
	slices.SortFunc(order, compareIDs)
	for _, user := range order {
		vote := latest[user]
		if vote == nil {
			continue
		}
		r.Voters++
		for _, a := range vote {
			ar := &r.Answers[index[a]]
			ar.Votes++
			ar.Users = append(ar.Users, user)
			r.Total++
		}
	}
	return r
}

// validVote checks a vote against the poll: nil when spoiled, else its answers without
// duplicates, cut to max_selections.
func validVote(p Poll, answers []string) []string {
	if len(answers) == 0 {
		return nil
	}
	var out []string
	for _, a := range answers {
		if !slices.ContainsFunc(p.Answers, func(x Answer) bool { return x.ID == a }) {
			return nil
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out[:min(len(out), max(p.MaxSelections, 1))]
}

// Winners are the answers with the most votes (none when nobody voted or results are hidden).
func (r Results) Winners() []AnswerResult {
	best := 0
	for _, a := range r.Answers {
		best = max(best, a.Votes)
	}
	var out []AnswerResult
	for _, a := range r.Answers {
		if best > 0 && a.Votes == best {
			out = append(out, a)
		}
	}
	return out
}

func compareIDs(a, b id.UserID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
