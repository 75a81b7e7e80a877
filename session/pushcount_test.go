package session_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/pushrules"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// plainDevice logs the account in once more without encryption: "the user's other device" that
// sets push rules and read receipts the way another client would.
func plainDevice(t *testing.T, a *account) *mautrix.Client {
	t.Helper()
	cli, err := mautrix.NewClient(a.srv.URL, "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cli.Login(ctx(t), &mautrix.ReqLogin{Type: mautrix.AuthTypePassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: a.Local}, Password: testPassword,
		StoreCredentials: true})
	if err != nil {
		t.Fatalf("login of the other device: %v", err)
	}
	return cli
}

func sendContent(t *testing.T, s *session.Session, roomID id.RoomID, c *event.MessageEventContent) id.EventID {
	t.Helper()
	txn, err := s.Enqueue(ctx(t), roomID, "m.room.message", c)
	if err != nil {
		t.Fatal(err)
	}
	eventID, err := s.WaitSent(ctx(t), txn)
	if err != nil {
		t.Fatal(err)
	}
	return eventID
}

// waitCounts syncs s until the room shows the given unread and highlight counts.
func waitCounts(t *testing.T, s *session.Session, roomID id.RoomID, notify, highlight int, what string) {
	t.Helper()
	eventually.NoError(t, 15*time.Second, func() error {
		mustSync(t, s)
		sum, err := s.Room(ctx(t), roomID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.NotifyCount != notify || sum.HighlightCount != highlight {
			return fmt.Errorf("%s: unread %d, highlights %d; want %d, %d", what, sum.NotifyCount, sum.HighlightCount, notify, highlight)
		}
		return nil
	})
}

// In an encrypted room the server cannot see mentions; our own push rule evaluation counts them:
// m.mentions user and @room mentions, a keyword, the display name fallback. A read receipt from
// the user's other device clears the counts; the room levels mentions and off work as push rules.
func TestPushCountsInEncryptedRoom(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	other := plainDevice(t, bob)
	if err := other.SetDisplayName(ctx(t), "Bob Baumann"); err != nil {
		t.Fatal(err)
	}
	// A keyword, as Element's notification settings write one (content rule).
	err := other.PutPushRule(ctx(t), "global", pushrules.ContentRule, "wasserrohrbruch", &mautrix.ReqPutPushRule{
		Pattern: "wasserrohrbruch",
		Actions: []*pushrules.PushAction{{Action: pushrules.ActionNotify},
			{Action: pushrules.ActionSetTweak, Tweak: pushrules.TweakSound, Value: "default"},
			{Action: pushrules.ActionSetTweak, Tweak: pushrules.TweakHighlight}},
	})
	if err != nil {
		t.Fatal(err)
	}
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Erwähnungen", Encrypted: true})
	mustSync(t, sa)
	waitCounts(t, sb, roomID, 0, 0, "after joining")

	mustSend(t, sa, roomID, "Guten Morgen")
	waitCounts(t, sb, roomID, 1, 0, "plain message")
	sendContent(t, sa, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: "Bob, Lagebesprechung",
		Mentions: &event.Mentions{UserIDs: []id.UserID{id.UserID(bob.UserID)}}})
	waitCounts(t, sb, roomID, 2, 1, "user mention in m.mentions")
	sendContent(t, sa, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: "@room Alarm",
		Mentions: &event.Mentions{Room: true}})
	waitCounts(t, sb, roomID, 3, 2, "@room by the room's admin")
	mustSend(t, sa, roomID, "Wasserrohrbruch in der Wache")
	waitCounts(t, sb, roomID, 4, 3, "keyword")
	last := sendContent(t, sa, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: "Bob Baumann, bitte melden"})
	waitCounts(t, sb, roomID, 5, 4, "display name without m.mentions")
	sum, _ := sb.Room(ctx(t), roomID)
	if !sum.Encrypted {
		t.Fatal("room is not encrypted")
	}
	if _, err := sb.Send(ctx(t), roomID, session.Draft{Text: "@room Wasserrohrbruch, eigene Nachricht", Plain: true}); err != nil {
		t.Fatal(err)
	}

	// A new display name (our member event again) reads nothing.
	if err := other.SetDisplayName(ctx(t), "Bob Baumann (Wache 1)"); err != nil {
		t.Fatal(err)
	}
	mustSync(t, sa)
	waitCounts(t, sb, roomID, 5, 4, "after a new display name")

	// Read on the other device: its receipt comes back in sync and clears the counts.
	if err := other.SendReceipt(ctx(t), roomID, last, event.ReceiptTypeRead, nil); err != nil {
		t.Fatal(err)
	}
	waitCounts(t, sb, roomID, 0, 0, "after the other device read the room")

	// Mentions only: plain messages no longer count, mentions do.
	if err := sb.SetRoomNotificationLevel(ctx(t), roomID, session.RoomNotifyMentions); err != nil {
		t.Fatal(err)
	}
	mustSend(t, sa, roomID, "Nur zur Info")
	waitCounts(t, sb, roomID, 0, 0, "plain message, mentions only")
	sendContent(t, sa, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: "Bob?",
		Mentions: &event.Mentions{UserIDs: []id.UserID{id.UserID(bob.UserID)}}})
	waitCounts(t, sb, roomID, 1, 1, "mention, mentions only")

	// Off (mute): nothing counts, not even a mention.
	if err := sb.SetRoomNotificationLevel(ctx(t), roomID, session.RoomNotifyOff); err != nil {
		t.Fatal(err)
	}
	sendContent(t, sa, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: "Bob!!",
		Mentions: &event.Mentions{UserIDs: []id.UserID{id.UserID(bob.UserID)}}})
	mustSend(t, sa, roomID, "Wasserrohrbruch")
	mustSync(t, sa)
	waitCounts(t, sb, roomID, 1, 1, "muted room")
	if lvl, err := sb.RoomNotificationLevel(ctx(t), roomID); err != nil || lvl != session.RoomNotifyOff {
		t.Fatalf("level after setting off: %q %v", lvl, err)
	}
	if err := sb.SetRoomNotificationLevel(ctx(t), roomID, "laut"); !errors.Is(err, session.ErrInvalidNotificationLevel) {
		t.Fatalf("invalid level: %v", err)
	}
}

// The room levels are stored as the push rules Element writes, and a level Element sets shows here.
// The shapes are those of element-web src/RoomNotifs.ts (setRoomNotifsStateMuted: override rule
// {rule_id: roomId, conditions: [{kind: "event_match", key: "room_id", pattern: roomId}],
// actions: ["dont_notify"]}; setRoomNotifsStateUnmuted with MentionsOnly: room rule {rule_id:
// roomId, actions: ["dont_notify"]}; AllMessages: both deleted).
func TestRoomNotificationLevelRulesAgreeWithElement(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	sa := alice.login(t)
	other := plainDevice(t, alice)
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Stumm", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, sa)
	rules := func() map[string]json.RawMessage {
		t.Helper()
		var raw struct {
			Global map[string][]json.RawMessage `json:"global"`
		}
		_, err := other.MakeRequest(ctx(t), "GET", other.BuildClientURL("v3", "pushrules")+"/", nil, &raw)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]json.RawMessage{}
		for kind, list := range raw.Global {
			for _, r := range list {
				var head struct {
					RuleID string `json:"rule_id"`
				}
				_ = json.Unmarshal(r, &head)
				if head.RuleID == roomID.String() {
					out[kind] = r
				}
			}
		}
		return out
	}
	type rule struct {
		Actions    []any            `json:"actions"`
		Conditions []map[string]any `json:"conditions"`
		Enabled    bool             `json:"enabled"`
	}
	parse := func(raw json.RawMessage) rule {
		var r rule
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}

	if err := sa.SetRoomNotificationLevel(ctx(t), roomID, session.RoomNotifyOff); err != nil {
		t.Fatal(err)
	}
	got := rules()
	if len(got) != 1 || got["override"] == nil {
		t.Fatalf("off: want exactly an override rule, got %s", got)
	}
	r := parse(got["override"])
	if !r.Enabled || len(r.Actions) != 1 || r.Actions[0] != "dont_notify" || len(r.Conditions) != 1 ||
		r.Conditions[0]["kind"] != "event_match" || r.Conditions[0]["key"] != "room_id" ||
		r.Conditions[0]["pattern"] != roomID.String() {
		t.Fatalf("off: not Element's mute rule: %s", got["override"])
	}

	if err := sa.SetRoomNotificationLevel(ctx(t), roomID, session.RoomNotifyMentions); err != nil {
		t.Fatal(err)
	}
	got = rules()
	if len(got) != 1 || got["room"] == nil {
		t.Fatalf("mentions: want exactly a room rule, got %s", got)
	}
	if r := parse(got["room"]); !r.Enabled || len(r.Actions) != 1 || r.Actions[0] != "dont_notify" {
		t.Fatalf("mentions: not Element's mentions-only rule: %s", got["room"])
	}

	if err := sa.SetRoomNotificationLevel(ctx(t), roomID, session.RoomNotifyAll); err != nil {
		t.Fatal(err)
	}
	if got = rules(); len(got) != 0 {
		t.Fatalf("all: rules of the room left: %s", got)
	}

	// Element mutes the room (with the empty actions newer versions write): sync shows it here.
	err = other.PutPushRule(ctx(t), "global", pushrules.OverrideRule, roomID.String(), &mautrix.ReqPutPushRule{
		Actions:    []*pushrules.PushAction{},
		Conditions: []*pushrules.PushCondition{{Kind: pushrules.KindEventMatch, Key: "room_id", Pattern: roomID.String()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually.NoError(t, 10*time.Second, func() error {
		mustSync(t, sa)
		lvl, err := sa.RoomNotificationLevel(ctx(t), roomID)
		if err != nil {
			t.Fatal(err)
		}
		if lvl != session.RoomNotifyOff {
			return fmt.Errorf("level after Element muted the room: %q", lvl)
		}
		return nil
	})
}

// A mention that could not be decrypted when it arrived is counted when its key arrives later.
func TestPushCountsLateDecryptedMention(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Späte Erwähnung", Encrypted: true})
	mustSync(t, sa)
	sendContent(t, sa, roomID, &event.MessageEventContent{MsgType: event.MsgText, Body: "Bob, bitte kommen",
		Mentions: &event.Mentions{UserIDs: []id.UserID{id.UserID(bob.UserID)}}})
	waitCounts(t, sb, roomID, 1, 1, "first device")

	// bob's second device cannot read the mention (no key yet): nothing to count.
	bob2 := &account{UserID: bob.UserID, Local: bob.Local, Dir: t.TempDir(), srv: srv, log: bob.log}
	sb2 := bob2.login(t)
	waitCounts(t, sb2, roomID, 0, 0, "second device without the key")
	keys, err := sb.ExportRoomKeys(ctx(t), "export passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if n, _, err := sb2.ImportRoomKeys(ctx(t), "export passphrase", keys); err != nil || n == 0 {
		t.Fatalf("import: %d keys, %v", n, err)
	}
	waitCounts(t, sb2, roomID, 1, 1, "second device after the key arrived")
}
