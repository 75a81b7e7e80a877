package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session"
)

// keywordsView is the settings tab Benachrichtigungen: the notification keywords, which the
// engine keeps as push rules on the server (session.AddKeyword), so Element on the same account
// shows the same list and encrypted rooms highlight them too. UI goroutine only.
type keywordsView struct {
	ctx context.Context // ends with the settings dialog
	s   Engine
	w   fyne.Window

	words  []string
	rows   *fyne.Container // one row per keyword: the word and a remove button
	entry  *widget.Entry
	add    *widget.Button
	status *widget.Label
	view   fyne.CanvasObject

	onLoaded func() // tests: after each (re)load was shown
}

func newKeywordsView(ctx context.Context, w fyne.Window, s Engine) *keywordsView {
	v := &keywordsView{ctx: ctx, s: s, w: w, rows: container.NewVBox(), entry: widget.NewEntry()}
	intro := widget.NewLabel(T("keywords.intro"))
	intro.Wrapping = fyne.TextWrapWord
	v.status = widget.NewLabel(T("keywords.loading"))
	v.status.Importance = widget.LowImportance
	v.status.Wrapping = fyne.TextWrapWord
	v.entry.SetPlaceHolder(T("keywords.placeholder"))
	v.entry.OnSubmitted = func(string) { v.addKeyword() }
	v.add = widget.NewButtonWithIcon(T("keywords.add"), theme.ContentAddIcon(), v.addKeyword)
	v.view = container.NewBorder(container.NewVBox(intro, container.NewBorder(nil, nil, nil, v.add, v.entry), v.status),
		nil, nil, nil, container.NewVScroll(v.rows))
	return v
}

// View is the tab's content.
func (v *keywordsView) View() fyne.CanvasObject { return v.view }

// reload fetches the rules from the server (the stored ones when it cannot be reached) and shows
// the keywords.
func (v *keywordsView) reload() {
	go func() {
		refreshErr := v.s.RefreshPushRules(v.ctx)
		words, err := v.s.Keywords(v.ctx)
		do(func() { v.show(words, errors.Join(err, refreshErr)) })
	}()
}

// change runs an engine change (add or remove) off the UI goroutine, then reloads.
func (v *keywordsView) change(work func(context.Context) error) {
	v.add.Disable()
	go func() {
		err := work(v.ctx)
		do(func() {
			v.add.Enable()
			if errors.Is(err, session.ErrInvalidKeyword) {
				v.status.SetText(T("keywords.invalid"))
				return
			}
			if err != nil {
				showFailure(v.w, T("keywords.title"), err)
			} else {
				v.entry.SetText("")
			}
			v.reload()
		})
	}()
}

func (v *keywordsView) addKeyword() {
	kw := v.entry.Text
	v.change(func(ctx context.Context) error { return v.s.AddKeyword(ctx, kw) })
}

func (v *keywordsView) show(words []string, err error) {
	v.words = words
	switch {
	case err != nil && len(words) == 0:
		v.status.SetText(T("keywords.offline"))
	case len(words) == 0:
		v.status.SetText(T("keywords.none"))
	default:
		v.status.SetText("")
	}
	v.status.Hidden = v.status.Text == ""
	objs := make([]fyne.CanvasObject, 0, len(words))
	for _, kw := range words {
		remove := widget.NewButtonWithIcon(T("keywords.remove"), theme.DeleteIcon(), func() {
			v.change(func(ctx context.Context) error { return v.s.RemoveKeyword(ctx, kw) })
		})
		label := widget.NewLabel(kw)
		label.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, container.NewBorder(nil, nil, nil, remove, label))
	}
	v.rows.Objects = objs
	v.rows.Refresh()
	if v.onLoaded != nil {
		v.onLoaded()
	}
}
