package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormaliseGerman(t *testing.T) {
	cases := map[string]string{
		"Brände":     "brand",
		"Brand":      "brand",
		"BRANDE":     "brand",
		"Einsätze":   "einsatz",
		"Einsatz":    "einsatz",
		"Straße":     "strass",
		"Strasse":    "strass",
		"Übung":      "ubung",
		"übungen":    "ubung",
		"Löschzug":   "loschzug",
		"Feuerwehr":  "feuerwehr",
		"112":        "112",
		"Fahrzeuge":  "fahrzeug",
		"Fahrzeugen": "fahrzeug",
	}
	for in, want := range cases {
		if got := Normalise(in); got != want {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	got := Words("Brand in der Hauptstraße 5! Brände, brand… Einsatz-Übung.")
	want := []string{"brand", "in", "der", "hauptstrass", "5", "einsatz", "ubung"}
	if !slices.Equal(got, want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
	if w := Words("  ,.!? \n"); len(w) != 0 {
		t.Fatalf("Words of punctuation = %q", w)
	}
}

func TestLongWordCut(t *testing.T) {
	long := strings.Repeat("ä", 100)
	n := Normalise(long)
	if len(n) > MaxWordBytes || !utf8.ValidString(n) {
		t.Fatalf("Normalise(long) = %q (%d bytes)", n, len(n))
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"Brände in der Straße", "", "ÄÖÜß ẞ", "a\xffb", "日本語のテキスト", "x̃y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := Words(s)
		seen := map[string]bool{}
		for _, w := range words {
			if w == "" || len(w) > MaxWordBytes {
				t.Fatalf("bad word %q", w)
			}
			if seen[w] {
				t.Fatalf("duplicate word %q", w)
			}
			seen[w] = true
			if strings.ContainsAny(w, "äöüßẞ") {
				t.Fatalf("umlaut left in %q", w)
			}
			// Normalising is stable for the words a query is made of: the same text gives the
			// same words.
			if !slices.Equal(Words(s), words) {
				t.Fatal("Words is not deterministic")
			}
		}
	})
}
