package session

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/pushrules"

	"bosmessenger/store"
)

// RoomNotificationLevel is what a room notifies for. It is stored as push rules on the server,
// in the shapes Element writes (element-web src/RoomNotifs.ts, setRoomNotifsStateMuted and
// setRoomNotifsStateUnmuted), so Element on the same account shows and changes the same setting:
//
//   - all:      no room rule and no mute override rule for the room (the defaults apply);
//   - mentions: room rule, rule_id = room ID, actions ["dont_notify"] ("Mentions & keywords":
//     the override and content rules for mentions and keywords still match first);
//   - off:      override rule, rule_id = room ID, conditions [{kind: event_match, key: room_id,
//     pattern: room ID}], actions ["dont_notify"] (mute: nothing notifies).
//
// Reading follows Element's getRoomNotifsState: an enabled override with that one room_id condition
// and no notify action is "off"; else an enabled room rule without notify is "mentions"; else "all".
type RoomNotificationLevel string

// The room notification levels (bosctl notify, room settings).
const (
	RoomNotifyAll      RoomNotificationLevel = "all"
	RoomNotifyMentions RoomNotificationLevel = "mentions"
	RoomNotifyOff      RoomNotificationLevel = "off"
)

// ParseRoomNotificationLevel checks a level given by name.
func ParseRoomNotificationLevel(s string) (RoomNotificationLevel, error) {
	switch l := RoomNotificationLevel(s); l {
	case RoomNotifyAll, RoomNotifyMentions, RoomNotifyOff:
		return l, nil
	}
	return "", fmt.Errorf("%w: %q (all, mentions or off)", ErrInvalidNotificationLevel, s)
}

// actionDontNotify is the older spelling of "no actions" that Element still writes (mautrix marks
// its constant deprecated).
const actionDontNotify pushrules.PushActionType = "dont_notify"

var dontNotify = []*pushrules.PushAction{{Action: actionDontNotify}}

// RoomNotificationLevel reads the room's level from the account's push rules as last synced.
func (s *Session) RoomNotificationLevel(ctx context.Context, roomID id.RoomID) (RoomNotificationLevel, error) {
	var rules *pushrules.PushRuleset
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rules, err = rawPushRules(tx)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("failed to read push rules: %w", err)
	}
	return levelFromRules(rules, roomID), nil
}

// SetRoomNotificationLevel writes the room's level as push rules (see RoomNotificationLevel) and
// stores the server's rules afterwards, so the counts follow at once.
func (s *Session) SetRoomNotificationLevel(ctx context.Context, roomID id.RoomID, level RoomNotificationLevel) error {
	if _, err := ParseRoomNotificationLevel(string(level)); err != nil {
		return err
	}
	if !validRoomID(roomID.String()) {
		return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
	}
	rules, err := s.fetchPushRules(ctx)
	if err != nil {
		return err
	}
	rid := roomID.String()
	hasRoomRule := rules != nil && rules.Room.Map[rid] != nil
	muteRules := muteRulesFor(rules, roomID)
	del := func(kind pushrules.PushRuleType, ruleID string) error {
		if err := s.cli.DeletePushRule(ctx, "global", kind, ruleID); err != nil {
			return s.classify("delete push rule", err)
		}
		return nil
	}
	switch level {
	case RoomNotifyOff:
		if hasRoomRule {
			if err := del(pushrules.RoomRule, rid); err != nil {
				return err
			}
		}
		err = s.cli.PutPushRule(ctx, "global", pushrules.OverrideRule, rid, &mautrix.ReqPutPushRule{
			Actions:    dontNotify,
			Conditions: []*pushrules.PushCondition{{Kind: pushrules.KindEventMatch, Key: "room_id", Pattern: rid}},
		})
	default:
		for _, r := range muteRules {
			if err := del(pushrules.OverrideRule, r.RuleID); err != nil {
				return err
			}
		}
		if level == RoomNotifyMentions {
			err = s.cli.PutPushRule(ctx, "global", pushrules.RoomRule, rid, &mautrix.ReqPutPushRule{Actions: dontNotify})
		} else if hasRoomRule {
			err = del(pushrules.RoomRule, rid)
		}
	}
	if err != nil {
		return s.classify("set push rule", err)
	}
	if _, err := s.fetchPushRules(ctx); err != nil {
		return err
	}
	return s.recountRoom(ctx, roomID)
}

// recountRoom puts the room's counts as they stand into the room summary (after a rule change).
func (s *Session) recountRoom(ctx context.Context, roomID id.RoomID) error {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if err != nil || !ok {
			return err
		}
		if _, err := tx.AddChange(string(ChangeRoom), room.ID, ""); err != nil {
			return err
		}
		if err := newPushCounter(tx, s.account.UserID.String()).apply(room); err != nil {
			return err
		}
		return tx.SaveRoom(room)
	})
	if err != nil {
		return fmt.Errorf("failed to update room counts: %w", err)
	}
	s.bus.notify()
	return nil
}

// RefreshPushRules loads the account's push rules from the server now (sync keeps them current
// too), for a caller that has not synced lately.
func (s *Session) RefreshPushRules(ctx context.Context) error {
	_, err := s.fetchPushRules(ctx)
	return err
}

// fetchPushRules loads the account's push rules from the server and stores them as the m.push_rules
// account data (where sync keeps them current).
func (s *Session) fetchPushRules(ctx context.Context) (*pushrules.PushRuleset, error) {
	u, err := url.Parse(s.cli.BuildClientURL("v3", "pushrules"))
	if err != nil {
		return nil, fmt.Errorf("failed to fetch push rules: %w", err)
	}
	u.Path += "/" // the endpoint is /pushrules/ with the slash
	var raw json.RawMessage
	_, err = s.cli.MakeFullRequest(ctx, mautrix.FullRequest{Method: http.MethodGet, URL: u.String(),
		ResponseJSON: &raw, MaxAttempts: 1})
	if err != nil {
		return nil, s.classify("fetch push rules", err)
	}
	var rules *pushrules.PushRuleset
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetAccountData("", pushRulesType, raw); err != nil {
			return err
		}
		rules, err = rawPushRules(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("failed to store push rules: %w", err)
	}
	return rules, nil
}

// ensurePushRules fetches the push rules once when sync has not delivered them yet (some servers
// only send m.push_rules after a change). A failure is retried at the next sync.
func (s *Session) ensurePushRules(ctx context.Context) {
	var have bool
	_ = s.db.Read(ctx, func(tx *store.Tx) error {
		raw, err := tx.AccountData("", pushRulesType)
		have = err != nil || len(raw) > 0
		return nil
	})
	if have {
		return
	}
	if _, err := s.fetchPushRules(ctx); err != nil {
		s.log.Debug().Err(err).Msg("Fetching push rules failed")
	}
}

// rawPushRules is the stored global ruleset as the server has it (nil when unknown).
func rawPushRules(tx *store.Tx) (*pushrules.PushRuleset, error) {
	raw, err := tx.AccountData("", pushRulesType)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	var c struct {
		Global *pushrules.PushRuleset `json:"global"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return nil, nil
	}
	return c.Global, nil
}

func levelFromRules(rules *pushrules.PushRuleset, roomID id.RoomID) RoomNotificationLevel {
	if rules == nil {
		return RoomNotifyAll
	}
	if len(muteRulesFor(rules, roomID)) > 0 {
		return RoomNotifyOff
	}
	if r := rules.Room.Map[roomID.String()]; r != nil && r.Enabled && isMuteActions(r.Actions) {
		return RoomNotifyMentions
	}
	return RoomNotifyAll
}

// muteRulesFor finds Element's mute rules of the room: enabled override rules with exactly one
// condition, event_match on room_id with the room's ID, that do not notify.
func muteRulesFor(rules *pushrules.PushRuleset, roomID id.RoomID) []*pushrules.PushRule {
	if rules == nil {
		return nil
	}
	var out []*pushrules.PushRule
	for _, r := range rules.Override {
		if r.Enabled && len(r.Conditions) == 1 && r.Conditions[0].Kind == pushrules.KindEventMatch &&
			r.Conditions[0].Key == "room_id" && r.Conditions[0].Pattern == roomID.String() && isMuteActions(r.Actions) {
			out = append(out, r)
		}
	}
	return out
}

// isMuteActions: no actions, or only dont_notify (the same thing, older spelling).
func isMuteActions(actions pushrules.PushActionArray) bool {
	return len(actions) == 0 || (len(actions) == 1 && actions[0] != nil && actions[0].Action == actionDontNotify)
}
