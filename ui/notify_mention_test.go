package ui

import (
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// A mention in an encrypted room (which the server cannot see) notifies as "Sie wurden erwähnt";
// after the room is muted, a further mention does not notify.
func TestMentionInEncryptedRoomNotifies(t *testing.T) {
	SetLang("de")
	srv := testserver.Shared(t)
	au, bu := newFlowUser(t, srv, "erwa"), newFlowUser(t, srv, "erwb")
	sa, sb := au.login(t), bu.login(t)
	ctx := testCtx(t)
	room, err := sa.CreateRoom(ctx, session.CreateRoomOptions{Name: "Zug 1", Encrypted: true, Invite: []id.UserID{id.UserID(bu.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Join(ctx, room.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.SyncOnce(ctx, 0); err != nil {
		t.Fatal(err)
	}
	var got []string
	n := newNotifier()
	n.send = func(title, body string) { got = append(got, body) }
	rooms := func() []session.RoomSummary {
		list, err := sb.Rooms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	n.update(rooms(), "")
	mention := func(body string) {
		txn, err := sa.Enqueue(ctx, room, "m.room.message", &event.MessageEventContent{MsgType: event.MsgText, Body: body,
			Mentions: &event.Mentions{UserIDs: []id.UserID{id.UserID(bu.ID)}}})
		if err == nil {
			_, err = sa.WaitSent(ctx, txn)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	mention("Lagemeldung bitte")
	syncUntil(t, sb, "the mention", func() bool { r, _ := sb.Room(ctx, room); return r.HighlightCount == 1 })
	n.update(rooms(), "")
	if len(got) != 1 || got[0] != T("notify.mention") {
		t.Fatalf("notifications after a mention: %q", got)
	}

	if err := sb.SetRoomNotificationLevel(ctx, room, session.RoomNotifyOff); err != nil {
		t.Fatal(err)
	}
	n.last = map[id.RoomID]time.Time{} // no throttling gap in the way
	mention("Noch einmal")
	syncUntil(t, sb, "the second mention", func() bool {
		h, _ := sb.History(ctx, room, 20)
		return len(h) > 0 && h[len(h)-1].Body == "Noch einmal"
	})
	n.update(rooms(), "")
	if len(got) != 1 {
		t.Fatalf("muted room notified: %q", got)
	}
}
