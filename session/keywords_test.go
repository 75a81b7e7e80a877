package session_test

import (
	"errors"
	"slices"
	"testing"

	"maunium.net/go/mautrix/pushrules"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// A keyword added through the engine is a content push rule on the server as Element writes one
// (another device of the account reads it with GET /pushrules/) and highlights a message in an
// encrypted room, which the server cannot read; removed, it is gone from the server and
// highlights nothing more.
func TestKeywordsArePushRules(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newAccount(t, srv, "kwA"), newAccount(t, srv, "kwB")
	sa, sb := alice.login(t), bob.login(t)
	other := plainDevice(t, bob) // pushcount_test.go
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Stichworte", Encrypted: true})
	mustSync(t, sa)
	waitCounts(t, sb, roomID, 0, 0, "after joining")
	mustSend(t, sa, roomID, "Hochwasser an der Brücke")
	waitCounts(t, sb, roomID, 1, 0, "before the keyword")

	for _, bad := range []string{"", "  ", "a/b", "zeile\nzwei"} {
		if err := sb.AddKeyword(ctx(t), bad); !errors.Is(err, session.ErrInvalidKeyword) {
			t.Errorf("AddKeyword(%q): %v, want ErrInvalidKeyword", bad, err)
		}
	}
	if err := sb.AddKeyword(ctx(t), " Hochwasser "); err != nil {
		t.Fatal(err)
	}
	if kws, err := sb.Keywords(ctx(t)); err != nil || !slices.Equal(kws, []string{"Hochwasser"}) {
		t.Fatalf("keywords %q, %v", kws, err)
	}
	serverRule := func() *pushrules.PushRule {
		rules, err := other.GetPushRules(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules.Content {
			if !r.Default && r.Pattern == "Hochwasser" {
				return r
			}
		}
		return nil
	}
	r := serverRule()
	if r == nil || r.RuleID != "Hochwasser" || !r.Enabled || !actionsOutcomeHighlight(r.Actions) {
		t.Fatalf("server content rule %+v, want Element's keyword rule", r)
	}

	mustSend(t, sa, roomID, "Das hochwasser steigt weiter")
	waitCounts(t, sb, roomID, 2, 1, "keyword in an encrypted room")

	if err := sb.RemoveKeyword(ctx(t), "Hochwasser"); err != nil {
		t.Fatal(err)
	}
	if r := serverRule(); r != nil {
		t.Fatalf("removed keyword still on the server: %+v", r)
	}
	if kws, _ := sb.Keywords(ctx(t)); len(kws) != 0 {
		t.Fatalf("keywords after removing: %q", kws)
	}
	mustSend(t, sa, roomID, "Hochwasser vorbei")
	waitCounts(t, sb, roomID, 3, 1, "after removing the keyword")
}

// actionsOutcomeHighlight reports whether actions notify as a highlight.
func actionsOutcomeHighlight(actions pushrules.PushActionArray) bool {
	notify, highlight := false, false
	for _, a := range actions {
		switch {
		case a.Action == pushrules.ActionNotify:
			notify = true
		case a.Action == pushrules.ActionSetTweak && a.Tweak == pushrules.TweakHighlight && a.Value != false:
			highlight = true
		}
	}
	return notify && highlight
}
