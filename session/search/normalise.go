// Package search turns message text into the normalised words of the search index: it splits text
// into words at Unicode letter/digit boundaries, lower-cases them, stems them with the German
// Snowball stemmer (github.com/blevesearch/snowballstem, generated from the Snowball project's own
// algorithm) and folds umlauts (ä->a, ö->o, ü->u, ß->ss).
//
// Order: the word is stemmed in its German form first (the Snowball German algorithm knows ä, ö, ü
// and ß, and removes the umlauts itself in its last step), then folded, so "Brände", "Brand" and
// "Brande" all give "brand" and a word typed without umlauts ("Loeschzug" aside) still matches.
// Folding after stemming also covers what the stemmer leaves alone (words shorter than its regions).
//
// The package is pure: no I/O, no keys. Hashing the words for the index happens in package session.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/german"
)

// MaxWordBytes caps the length of a normalised word; longer words are cut (a search for the same
// long word is cut the same way, so it still matches).
const MaxWordBytes = 64

// MaxWords caps the number of distinct words taken from one text.
const MaxWords = 2000

// Words returns the distinct normalised words of text, in order of first appearance.
func Words(text string) []string {
	var out []string
	seen := map[string]struct{}{}
	for _, w := range split(text) {
		n := Normalise(w)
		if n == "" {
			continue
		}
		if _, ok := seen[n]; ok {
			continue
		}
		seen[n] = struct{}{}
		out = append(out, n)
		if len(out) == MaxWords {
			break
		}
	}
	return out
}

// split cuts text into runs of letters, digits and combining marks.
func split(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// Normalise returns the index form of one word: lower case, German stem, umlauts folded, at most
// MaxWordBytes bytes (cut at a rune boundary). It returns "" for a word that has no letters or
// digits.
func Normalise(word string) string {
	w := strings.ToLower(word)
	if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return ""
	}
	env := snowballstem.NewEnv(w)
	german.Stem(env)
	w = fold(env.Current())
	if len(w) > MaxWordBytes {
		cut := MaxWordBytes
		for cut > 0 && !utf8.RuneStart(w[cut]) {
			cut--
		}
		w = w[:cut]
	}
	return w
}

var folder = strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss", "ẞ", "ss")

// fold replaces the German umlauts and ß.
func fold(w string) string { return folder.Replace(w) }
