package session_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session/poll"
)

// waitJSPoll asks the js peer for the poll until ok.
func waitJSPoll(t *testing.T, js *jspeer.Peer, roomID id.RoomID, pollID id.EventID, what string, ok func(jspeer.Poll) bool) jspeer.Poll {
	t.Helper()
	var p jspeer.Poll
	eventually.NoError(t, 45*time.Second, func() error {
		var err error
		if p, err = js.Poll(ctx(t), roomID.String(), pollID.String()); err == nil && ok(p) {
			return nil
		}
		return fmt.Errorf("js never showed %s: %+v %v", what, p, err)
	})
	return p
}

// Polls with matrix-js-sdk in an encrypted room: it reads our poll with its fallback text and as
// a Poll model, its vote (as Element sends it) counts for us, it parses our vote as valid, sees
// our end, and we show a poll it started.
func TestPollInteropJS(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	wf, bob := newAccount(t, srv, "wehrfuehrer"), newAccount(t, srv, "bob")
	sa := wf.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "Umfrage JS")

	pollID := sentBy(t, sa)(sa.CreatePoll(ctx(t), roomID, availability))
	ev, err := js.WaitForEvent(ctx(t), roomID.String(), func(e jspeer.Event) bool { return e.EventID == pollID.String() })
	if err != nil {
		t.Fatal(err)
	}
	want := "Wer ist heute Abend verfügbar?\n1. Verfügbar\n2. Nicht verfügbar\n3. Ab 20 Uhr"
	if !ev.Encrypted || ev.DecryptionFailure != "" || ev.Type != poll.TypeStart || ev.Content[poll.KeyText] != want {
		t.Fatalf("js sees the poll as %+v", ev)
	}
	jp := waitJSPoll(t, js, roomID, pollID, "the poll model", func(jspeer.Poll) bool { return true })
	if jp.Question != availability.Question || jp.Kind != poll.KindDisclosed || jp.MaxSelections != 1 || len(jp.Answers) != 3 ||
		jp.Answers[2].Text != "Ab 20 Uhr" || jp.Ended {
		t.Fatalf("js poll: %+v", jp)
	}

	// js votes as Element does (PollResponseEvent.from(...).serialize()).
	_, err = js.SendEvent(ctx(t), roomID.String(), poll.TypeResponse, map[string]any{
		"m.relates_to":                     map[string]any{"rel_type": "m.reference", "event_id": pollID.String()},
		"org.matrix.msc3381.poll.response": map[string]any{"answers": []string{jp.Answers[2].ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := waitPoll(t, sa, roomID, pollID, "js's vote", func(r *poll.Results) bool { return r.Total == 1 })
	if !slices.Equal(pollVotes(r), []int{0, 0, 1}) || r.Answers[2].Users[0] != id.UserID(bob.UserID) {
		t.Fatalf("after js's vote: %+v", r)
	}
	// Our vote is valid for the SDK; our end ends its Poll model.
	sentBy(t, sa)(sa.VotePoll(ctx(t), roomID, pollID, []string{"Verfügbar"}))
	jp = waitJSPoll(t, js, roomID, pollID, "our vote", func(p jspeer.Poll) bool {
		return slices.ContainsFunc(p.Responses, func(v jspeer.PollVote) bool { return v.Sender == sa.Account().UserID.String() })
	})
	for _, v := range jp.Responses {
		if v.Sender == sa.Account().UserID.String() && (v.Spoiled || !slices.Equal(v.Answers, []string{jp.Answers[0].ID})) {
			t.Fatalf("js reads our vote as %+v", v)
		}
	}
	endID := sentBy(t, sa)(sa.EndPoll(ctx(t), roomID, pollID, ""))
	waitJSPoll(t, js, roomID, pollID, "the end", func(p jspeer.Poll) bool { return p.Ended })
	ev, err = js.WaitForEvent(ctx(t), roomID.String(), func(e jspeer.Event) bool { return e.EventID == endID.String() })
	if err != nil || ev.Body() != "Die Umfrage ist beendet. Ergebnis: Verfügbar 1, Nicht verfügbar 0, Ab 20 Uhr 1 (2 Stimmen)." {
		t.Fatalf("js sees the end as %+v %v", ev, err)
	}

	// A poll started by js as Element sends it (PollStartEvent.from(...).serialize()).
	q := "Fahrzeugbesatzung morgen?"
	jsPoll, err := js.SendEvent(ctx(t), roomID.String(), poll.TypeStart, map[string]any{
		"org.matrix.msc3381.poll.start": map[string]any{
			"question":       map[string]any{poll.KeyText: q, "body": q, "msgtype": "m.text"},
			"kind":           "org.matrix.msc3381.poll.undisclosed",
			"max_selections": 1,
			"answers":        []any{map[string]any{"id": "x1", poll.KeyText: "HLF"}, map[string]any{"id": "x2", poll.KeyText: "DLK"}},
		},
		poll.KeyText: q + "\n1. HLF\n2. DLK",
	})
	if err != nil {
		t.Fatal(err)
	}
	r = waitPoll(t, sa, roomID, id.EventID(jsPoll), "js's poll", func(*poll.Results) bool { return true })
	if r.Question != q || r.Disclosed() || len(r.Answers) != 2 || r.Answers[1].Text != "DLK" || !r.CanEnd { // we created the room: moderator
		t.Fatalf("js's poll: %+v", r)
	}
	sentBy(t, sa)(sa.VotePoll(ctx(t), roomID, id.EventID(jsPoll), []string{"DLK"}))
	jp = waitJSPoll(t, js, roomID, id.EventID(jsPoll), "our vote on its poll", func(p jspeer.Poll) bool { return len(p.Responses) == 1 })
	if jp.Responses[0].Spoiled || !slices.Equal(jp.Responses[0].Answers, []string{"x2"}) {
		t.Fatalf("js reads our vote as %+v", jp.Responses[0])
	}
}
