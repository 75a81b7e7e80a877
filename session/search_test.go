package session_test

import (
	"errors"
	"slices"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestSearchEncryptedHistory: messages of an encrypted and a plain room are found by normalised
// words (umlauts and German stems), across rooms and in one room, newest first; a redacted message
// and an edited-away word are not found, the edit's new word is; and search works offline after the
// server stops (from a reopened session).
func TestSearchEncryptedHistory(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	enc := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Wache", Encrypted: true})
	plain := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Kantine"})
	mustSync(t, sa)
	mustSync(t, sb)

	brand := mustSend(t, sb, enc, "Zwei Brände in der Hauptstraße gemeldet")
	ubung := mustSend(t, sb, enc, "Übung am Samstag fällt aus")
	plainBrand := mustSend(t, sa, plain, "Der Brand ist gelöscht")
	gone := mustSend(t, sb, enc, "Geheimer Einsatzort Waldweg")
	edited := mustSend(t, sb, enc, "Treffpunkt Gerätehaus")
	own := mustSend(t, sa, enc, "Ich bringe die Wärmebildkamera")
	waitForBodies(t, sa, enc, 50, "Zwei Brände in der Hauptstraße gemeldet", "Geheimer Einsatzort Waldweg", "Treffpunkt Gerätehaus")
	if err := sb.Redact(ctx(t), enc, gone, ""); err != nil {
		t.Fatal(err)
	}
	txn, err := sb.Send(ctx(t), enc, session.Draft{Text: "Treffpunkt Feuerwache", Plain: true, Edit: edited})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		mustSync(t, sa)
	}

	ids := func(hits []session.SearchHit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.EventID)
		}
		return out
	}
	check := func(s *session.Session, query string, opts session.SearchOptions, want ...string) {
		t.Helper()
		hits, err := s.Search(ctx(t), query, opts)
		if err != nil {
			t.Fatalf("search %q: %v", query, err)
		}
		if got := ids(hits); !slices.Equal(got, want) {
			t.Fatalf("search %q (%+v): got %q, want %q (%+v)", query, opts, got, want, hits)
		}
	}
	// "brand" matches "Brände" (German stem, umlaut folded) and "Brand", newest first.
	check(sa, "brand", session.SearchOptions{}, plainBrand.String(), brand.String())
	check(sa, "BRÄNDE", session.SearchOptions{}, plainBrand.String(), brand.String())
	check(sa, "brand", session.SearchOptions{RoomID: enc.String()}, brand.String())
	check(sa, "hauptstrasse brande", session.SearchOptions{}, brand.String())
	check(sa, "brand samstag", session.SearchOptions{})
	check(sa, "Übungen", session.SearchOptions{}, ubung.String())
	// Whole words only: no prefix search over hashes.
	check(sa, "haupt", session.SearchOptions{})
	// Redacted: gone. Edited: the new word finds it, the old one does not.
	check(sa, "Waldweg", session.SearchOptions{})
	check(sa, "Feuerwache", session.SearchOptions{}, edited.String())
	check(sa, "Gerätehaus", session.SearchOptions{})
	// Our own encrypted message.
	check(sa, "wärmebildkamera", session.SearchOptions{}, own.String())
	hits := mustSearch(t, sa, "hauptstraße")
	if len(hits) != 1 || hits[0].Body != "Zwei Brände in der Hauptstraße gemeldet" || hits[0].Sender != string(bob.UserID) ||
		hits[0].RoomID != enc.String() || hits[0].TS == 0 {
		t.Fatalf("hit = %+v", hits)
	}
	if _, err := sa.Search(ctx(t), " ,.! ", session.SearchOptions{}); !errors.Is(err, session.ErrEmptySearch) {
		t.Fatalf("empty search: %v", err)
	}

	// Offline: the server stops, a reopened session still finds encrypted history.
	sa.Close()
	sb.Close()
	srv.Stop()
	sa = alice.open(t)
	check(sa, "Brände", session.SearchOptions{RoomID: enc.String()}, brand.String())
}

func mustSearch(t *testing.T, s *session.Session, q string) []session.SearchHit {
	t.Helper()
	hits, err := s.Search(ctx(t), q, session.SearchOptions{})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return hits
}
