package poll

import (
	"fmt"
	"strings"
)

// EndText is the closing text of an end event: the result in a line ("Die Umfrage ist beendet.
// Ergebnis: Ja 3, Nein 1 (4 Stimmen)."), in German, or in English when lang is "en".
func EndText(r Results, lang string) string {
	en := lang == "en"
	if r.Total == 0 {
		if en {
			return "The poll has ended. No votes were cast."
		}
		return "Die Umfrage ist beendet. Es wurden keine Stimmen abgegeben."
	}
	parts := make([]string, len(r.Answers))
	for i, a := range r.Answers {
		parts[i] = fmt.Sprintf("%s %d", a.Text, a.Votes)
	}
	unit := "Stimmen"
	if en {
		unit = "votes"
	}
	if r.Total == 1 {
		unit = map[bool]string{false: "Stimme", true: "vote"}[en]
	}
	if en {
		return fmt.Sprintf("The poll has ended. Result: %s (%d %s).", strings.Join(parts, ", "), r.Total, unit)
	}
	return fmt.Sprintf("Die Umfrage ist beendet. Ergebnis: %s (%d %s).", strings.Join(parts, ", "), r.Total, unit)
}

// Resolve maps what a user typed for answers (an answer ID, an answer's text ignoring case, or its
// number from 1) to answer IDs. Errors wrap ErrInvalid.
func Resolve(p Poll, inputs []string) ([]string, error) {
	var out []string
	for _, in := range inputs {
		id, ok := resolveOne(p, strings.TrimSpace(in))
		if !ok {
			return nil, fmt.Errorf("%w: %q is none of the answers", ErrInvalid, in)
		}
		if !contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no answer given", ErrInvalid)
	}
	if len(out) > p.MaxSelections {
		return nil, fmt.Errorf("%w: at most %d answers may be chosen", ErrInvalid, p.MaxSelections)
	}
	return out, nil
}

func resolveOne(p Poll, in string) (string, bool) {
	for _, a := range p.Answers {
		if a.ID == in {
			return a.ID, true
		}
	}
	for _, a := range p.Answers {
		if strings.EqualFold(a.Text, in) {
			return a.ID, true
		}
	}
	var n int
	if _, err := fmt.Sscanf(in, "%d", &n); err == nil && fmt.Sprint(n) == in && n >= 1 && n <= len(p.Answers) {
		return p.Answers[n-1].ID, true
	}
	return "", false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
