package session

import (
	"encoding/json"
	"fmt"
	"strings"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/pushrules"

	"bosmessenger/store"
)

// Push rules on the client. The homeserver cannot read encrypted events, so its unread and
// highlight counts cannot see mentions or keywords in encrypted rooms. We evaluate the account's
// push rules (the m.push_rules account data, fetched once with GET /pushrules/ when sync has not
// delivered it) on the decrypted events ourselves.

// pushRulesType is the account data type the server keeps the push rules under.
const pushRulesType = "m.push_rules"

// loadPushRules reads the account's global push rules from the store; nil when none are known.
// Intentional mention rules of the current spec that an older server does not know are added.
func loadPushRules(tx *store.Tx, me string) (*pushrules.PushRuleset, error) {
	rules, err := rawPushRules(tx)
	if err != nil || rules == nil {
		return nil, err // unknown or unreadable rules: the server's counts stay in charge
	}
	rules.Override = withSpecOverrides(rules.Override, me)
	return rules, nil
}

// specOverrides are server-default override rules of the current spec (v1.7 and later) that older
// servers (Dendrite 0.13) lack: intentional mentions (m.mentions) and edits. Each goes before the
// rule named in before (or last), which is its place in the spec's list of default rules.
var specOverrides = []struct {
	before string
	rule   string
}{
	{".m.rule.contains_display_name", `{"rule_id":".m.rule.is_user_mention","default":true,"enabled":true,
		"conditions":[{"kind":"event_property_contains","key":"content.m\\.mentions.user_ids","value":"USER_ID"}],
		"actions":["notify",{"set_tweak":"sound","value":"default"},{"set_tweak":"highlight"}]}`},
	{".m.rule.roomnotif", `{"rule_id":".m.rule.is_room_mention","default":true,"enabled":true,
		"conditions":[{"kind":"event_property_is","key":"content.m\\.mentions.room","value":true},
		{"kind":"sender_notification_permission","key":"room"}],
		"actions":["notify",{"set_tweak":"highlight"}]}`},
	{"", `{"rule_id":".m.rule.suppress_edits","default":true,"enabled":true,
		"conditions":[{"kind":"event_property_is","key":"content.m\\.relates_to.rel_type","value":"m.replace"}],
		"actions":[]}`},
}

func withSpecOverrides(rules pushrules.PushRuleArray, me string) pushrules.PushRuleArray {
	quotedMe, _ := json.Marshal(me)
	known := map[string]bool{}
	for _, r := range rules {
		known[r.RuleID] = true
	}
	for _, so := range specOverrides {
		var r pushrules.PushRule
		text := strings.ReplaceAll(so.rule, `"USER_ID"`, string(quotedMe))
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			panic(fmt.Sprintf("session: bad spec push rule: %v", err))
		}
		if known[r.RuleID] {
			continue
		}
		r.Type = pushrules.OverrideRule
		at := len(rules)
		for i, have := range rules {
			if have.RuleID == so.before {
				at = i
				break
			}
		}
		rules = append(rules[:at:at], append(pushrules.PushRuleArray{&r}, rules[at:]...)...)
	}
	return rules
}

// pushRoom is the room context push rule conditions need.
type pushRoom struct {
	displayName string
	members     int
	power       *event.PowerLevelsEventContent
}

func (r *pushRoom) GetOwnDisplayname() string                      { return r.displayName }
func (r *pushRoom) GetMemberCount() int                            { return r.members }
func (r *pushRoom) GetPowerLevels() *event.PowerLevelsEventContent { return r.power }

func loadPushRoom(tx *store.Tx, room *store.Room, me string) (*pushRoom, error) {
	pr := &pushRoom{members: room.JoinedCount}
	if m, ok, err := tx.Member(room.ID, me); err != nil {
		return nil, err
	} else if ok {
		pr.displayName = m.Name
	}
	ev, ok, err := tx.StateEvent(room.ID, "m.room.power_levels", "")
	if err != nil {
		return nil, err
	}
	if ok {
		var pl event.PowerLevelsEventContent
		if json.Unmarshal(ev.Content, &pl) == nil {
			pr.power = &pl
		}
	}
	return pr, nil
}

// pushOutcome is what the rules say about one event.
type pushOutcome struct {
	notify, highlight bool
}

// evaluatePush runs the rules on an event as the room sees it (the decrypted type and content of an
// encrypted event).
func evaluatePush(rules *pushrules.PushRuleset, room *pushRoom, roomID string, se *store.Event, evType string,
	content json.RawMessage) pushOutcome {
	var raw map[string]any
	if err := json.Unmarshal(content, &raw); err != nil || raw == nil {
		return pushOutcome{}
	}
	evt := &event.Event{Type: event.Type{Type: evType}, Sender: id.UserID(se.Sender), RoomID: id.RoomID(roomID),
		ID: id.EventID(se.EventID), Timestamp: se.TS, StateKey: se.StateKey, Content: event.Content{Raw: raw}}
	rule := rules.GetMatchingRule(room, evt)
	if rule == nil {
		return pushOutcome{}
	}
	return actionsOutcome(rule.Actions)
}

// actionsOutcome reads notify and the highlight tweak from a rule's actions (without the type
// assertions of PushActionArray.Should, which panic on a malformed sound tweak).
func actionsOutcome(actions pushrules.PushActionArray) pushOutcome {
	var o pushOutcome
	for _, a := range actions {
		switch {
		case a == nil:
		case a.Action == pushrules.ActionNotify:
			o.notify = true
		case a.Action == pushrules.ActionSetTweak && a.Tweak == pushrules.TweakHighlight:
			v, isBool := a.Value.(bool)
			o.highlight = v || !isBool
		}
	}
	o.highlight = o.highlight && o.notify
	return o
}
