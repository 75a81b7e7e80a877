package session_test

import (
	"strings"
	"testing"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestDisplayNameSpoofing: members of a real room call themselves what another member is called
// ("Leitstelle"), use look-alike letters (digits, Cyrillic), a bidi override, or another member's
// Matrix ID. The member list, the timeline's senders and ShownNames show the same computed names:
// look-alikes with their Matrix IDs, overrides stripped, a spoofed ID replaced by the real one.
// The organisation hook fills the badge fields once set.
func TestDisplayNameSpoofing(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	leit := newAccount(t, srv, "leit").login(t)
	others := map[string]*session.Session{}
	for _, p := range []string{"fake", "digits", "cyr", "rlo", "thw", "idlike"} {
		others[p] = newAccount(t, srv, p).login(t)
	}
	uid := func(s *session.Session) id.UserID { return s.Account().UserID }
	names := map[id.UserID]string{
		uid(leit):             "Leitstelle",
		uid(others["fake"]):   "Leitstelle",
		uid(others["digits"]): "Leitste11e",
		uid(others["cyr"]):    "L\u0435itstelle", // Cyrillic е
		uid(others["rlo"]):    "Wache\u202e Nord\u200b",
		uid(others["thw"]):    "THW Ortsverband",
		uid(others["idlike"]): string(uid(leit)),
	}
	roomID, err := leit.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Lage", Encrypted: false})
	if err != nil {
		t.Fatal(err)
	}
	all := append([]*session.Session{leit}, others["fake"], others["digits"], others["cyr"], others["rlo"], others["thw"], others["idlike"])
	for _, s := range all[1:] {
		if err := leit.Invite(ctx(t), roomID, uid(s)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Join(ctx(t), roomID.String()); err != nil {
			t.Fatal(err)
		}
	}
	var bodies []string
	for _, s := range all {
		if err := s.ClientForTest().SetDisplayName(ctx(t), names[uid(s)]); err != nil {
			t.Fatalf("set display name: %v", err)
		}
		body := "Meldung von " + uid(s).String()
		mustSend(t, s, roomID, body)
		bodies = append(bodies, body)
	}
	waitForBodies(t, leit, roomID, 100, bodies...)

	want := map[id.UserID]string{
		uid(leit):             "Leitstelle (" + uid(leit).String() + ")",
		uid(others["fake"]):   "Leitstelle (" + uid(others["fake"]).String() + ")",
		uid(others["digits"]): "Leitste11e (" + uid(others["digits"]).String() + ")",
		uid(others["cyr"]):    "L\u0435itstelle (" + uid(others["cyr"]).String() + ")",
		uid(others["rlo"]):    "Wache Nord",
		uid(others["thw"]):    "THW Ortsverband",
		uid(others["idlike"]): uid(others["idlike"]).String(),
	}

	// The member list (as the GUI's members dialog, mentions, typing and receipts use it).
	list, err := leit.MemberList(ctx(t), roomID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[id.UserID]string{}
	for _, m := range list {
		got[m.UserID] = m.DisplayName
		if m.Organisation != "" || m.Vetted {
			t.Fatalf("organisation without a lookup: %+v", m)
		}
	}
	checkNames(t, "MemberList", got, want)

	// The timeline's senders (after the profile changes: the names at the end).
	msgs := timelineUntil(t, leit, roomID, "all messages", func(msgs []session.Message) bool {
		n := 0
		for _, m := range msgs {
			if strings.HasPrefix(m.Body, "Meldung von ") {
				n++
			}
		}
		return n == len(all)
	})
	got = map[id.UserID]string{}
	for _, m := range msgs {
		if strings.HasPrefix(m.Body, "Meldung von ") {
			got[m.Sender] = m.SenderName
		}
		if m.Kind == session.KindState && strings.ContainsAny(m.StateArg, "\u202e\u200b") {
			t.Fatalf("membership event shows the raw name: %+v", m)
		}
	}
	checkNames(t, "Timeline", got, want)

	// ShownNames (bosctl members).
	shown, err := leit.ShownNames(ctx(t), roomID)
	if err != nil {
		t.Fatal(err)
	}
	got = map[id.UserID]string{}
	for u, n := range shown {
		got[u] = n.DisplayName
	}
	checkNames(t, "ShownNames", got, want)

	// BOS mode's organisation lookup fills the badge of members and senders.
	server := uid(leit).Homeserver()
	leit.SetOrgLookup(func(name string) (string, bool, bool) {
		if name == server {
			return "Integrierte Leitstelle", true, true
		}
		return "", false, false
	})
	list, err = leit.MemberList(ctx(t), roomID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Organisation != "Integrierte Leitstelle" || !m.Vetted {
			t.Fatalf("member without its organisation: %+v", m)
		}
	}
	msgs, err = leit.Timeline(ctx(t), roomID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.SenderOrganisation != "Integrierte Leitstelle" || !m.SenderVetted {
			t.Fatalf("sender without its organisation: %+v", m)
		}
	}
}

func checkNames(t *testing.T, what string, got, want map[id.UserID]string) {
	t.Helper()
	for u, w := range want {
		if got[u] != w {
			t.Errorf("%s: %s shown as %q, want %q", what, u, got[u], w)
		}
	}
}
