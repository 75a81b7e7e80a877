package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"bosmessenger/session"
)

// fakeEngine is an Engine for widget and dialog tests without a homeserver: it embeds a nil
// Engine (a call of a method the test did not provide panics) and overrides what a test needs.
type fakeEngine struct {
	Engine

	mu       sync.Mutex
	keywords []string
	offline  bool // RefreshPushRules fails and Keywords has nothing stored
}

var _ Engine = (*fakeEngine)(nil)

func (f *fakeEngine) RefreshPushRules(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offline {
		return errors.New("failed to fetch push rules: connection refused")
	}
	return nil
}

func (f *fakeEngine) Keywords(context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offline {
		return nil, nil
	}
	return slices.Clone(f.keywords), nil
}

func (f *fakeEngine) AddKeyword(_ context.Context, kw string) error {
	if strings.ContainsAny(kw, "/*?[]") || strings.TrimSpace(kw) == "" {
		return session.ErrInvalidKeyword
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keywords = append(f.keywords, kw)
	return nil
}

func (f *fakeEngine) RemoveKeyword(_ context.Context, kw string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keywords = slices.DeleteFunc(f.keywords, func(k string) bool { return k == kw })
	return nil
}

// The keywords tab against a fake engine: listed, an invalid one refused with a hint, added,
// removed, and the offline hint when nothing can be read.
func TestKeywordsViewFakeEngine(t *testing.T) {
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	w := dlgWindow(t)
	f := &fakeEngine{keywords: []string{"Lage"}}
	kv := newKeywordsView(ctx, w, f)
	w.SetContent(kv.View())
	loads := 0
	kv.onLoaded = func() { loads++ }
	kv.reload()
	q.until(t, "keywords loaded", func() bool { return loads == 1 })
	if !slices.Equal(kv.words, []string{"Lage"}) || kv.status.Text != "" {
		t.Fatalf("words %q, status %q", kv.words, kv.status.Text)
	}

	kv.entry.SetText("a/b")
	test.Tap(kv.add)
	q.until(t, "invalid keyword refused", func() bool { return kv.status.Text == T("keywords.invalid") })

	kv.entry.SetText("Hochwasser")
	test.Tap(kv.add)
	q.until(t, "keyword listed", func() bool {
		return slices.Equal(kv.words, []string{"Lage", "Hochwasser"}) && kv.entry.Text == ""
	})

	test.Tap(dlgButton(t, kv.View(), T("keywords.remove")))
	q.until(t, "keyword removed", func() bool { return slices.Equal(kv.words, []string{"Hochwasser"}) })

	f.mu.Lock()
	f.offline = true
	f.mu.Unlock()
	before := loads
	kv.reload()
	q.until(t, "offline hint", func() bool { return loads > before && kv.status.Text == T("keywords.offline") })
}
