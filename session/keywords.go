package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/pushrules"

	"bosmessenger/store"
)

// Notification keywords are content push rules, as Element writes them (element-web
// Notifications.tsx, onKeywordAdd): rule_id and pattern are the keyword, the actions notify with
// the default sound and highlight. So Element on the same account lists the same keywords, the
// server counts them in plain rooms, and the client-side evaluation (pushrules.go) highlights them
// in encrypted rooms.

// maxKeywordLen bounds a keyword (in characters).
const maxKeywordLen = 100

// keywordActions are a keyword rule's actions: notify, with sound, as a highlight.
var keywordActions = []*pushrules.PushAction{
	{Action: pushrules.ActionNotify},
	{Action: pushrules.ActionSetTweak, Tweak: pushrules.TweakSound, Value: "default"},
	{Action: pushrules.ActionSetTweak, Tweak: pushrules.TweakHighlight},
}

// Keywords lists the account's notification keywords (its own content rules, enabled or not,
// sorted) from the push rules as last synced.
func (s *Session) Keywords(ctx context.Context) ([]string, error) {
	var rules *pushrules.PushRuleset
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rules, err = rawPushRules(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("failed to read push rules: %w", err)
	}
	return keywordsOf(rules), nil
}

func keywordsOf(rules *pushrules.PushRuleset) []string {
	out := []string{}
	if rules == nil {
		return out
	}
	for _, r := range rules.Content {
		if !r.Default && r.Pattern != "" && !slices.Contains(out, r.Pattern) {
			out = append(out, r.Pattern)
		}
	}
	slices.Sort(out)
	return out
}

// checkKeyword trims a keyword and checks that it can be a push rule.
func checkKeyword(kw string) (string, error) {
	kw = strings.TrimSpace(kw)
	bad := kw == "" || utf8.RuneCountInString(kw) > maxKeywordLen || strings.ContainsAny(kw, `/\`) ||
		strings.ContainsFunc(kw, unicode.IsControl)
	if bad {
		return "", fmt.Errorf("%w: %q", ErrInvalidKeyword, kw)
	}
	return kw, nil
}

// AddKeyword adds a notification keyword (a content push rule, see Keywords): a message that
// contains it as a word notifies as a highlight, in encrypted rooms too. Adding one that exists
// changes nothing.
func (s *Session) AddKeyword(ctx context.Context, kw string) error {
	kw, err := checkKeyword(kw)
	if err != nil {
		return err
	}
	rules, err := s.fetchPushRules(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(keywordsOf(rules), kw) {
		return nil
	}
	err = s.cli.PutPushRule(ctx, "global", pushrules.ContentRule, kw, &mautrix.ReqPutPushRule{Actions: keywordActions, Pattern: kw})
	if err != nil {
		return s.classify("add the keyword", err)
	}
	_, err = s.fetchPushRules(ctx)
	return err
}

// RemoveKeyword removes a notification keyword (every content rule with it as its pattern).
// Removing one that does not exist changes nothing.
func (s *Session) RemoveKeyword(ctx context.Context, kw string) error {
	kw = strings.TrimSpace(kw)
	rules, err := s.fetchPushRules(ctx)
	if err != nil || rules == nil {
		return err
	}
	for _, r := range rules.Content {
		if r.Default || r.Pattern != kw {
			continue
		}
		if err := s.cli.DeletePushRule(ctx, "global", pushrules.ContentRule, r.RuleID); err != nil {
			return s.classify("remove the keyword", err)
		}
	}
	_, err = s.fetchPushRules(ctx)
	return err
}
