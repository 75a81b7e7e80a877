package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session/policy"
)

// managedRow is one line of the "Verwaltet / Managed" settings page.
type managedRow struct {
	Key, Value, Channel, Source string
	Enforced                    bool
}

// managedRows lists every effective policy key: its value, the channel that set it (translated:
// Gruppenrichtlinie, MDM, Datei, Standard), the source itself and whether it is enforced;
// enforced keys first, then recommended ones, then defaults.
func managedRows(p *policy.Policy) []managedRow {
	var rows []managedRow
	for _, s := range p.Settings() {
		v := fmt.Sprint(s.Value)
		if _, isString := s.Value.(string); !isString {
			data, _ := json.Marshal(s.Value)
			v = string(data)
		}
		if v == "" {
			v = "–"
		}
		rows = append(rows, managedRow{Key: s.Key, Value: v, Channel: channelLabel(s.Source),
			Source: s.Source, Enforced: s.Enforced})
	}
	// What the administration set comes first: enforced keys, then recommended ones, then the
	// defaults, each in the key table's order.
	rank := func(r managedRow) int {
		switch {
		case r.Enforced:
			return 0
		case r.Source != policy.SourceDefault:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(rows, func(a, b managedRow) int { return rank(a) - rank(b) })
	return rows
}

// managedTab is the settings page of the admin policy: one card line per key, a lock for the
// enforced ones, the channel and the exact source (registry key, file, profile) beneath.
func managedTab(p *policy.Policy) fyne.CanvasObject {
	intro := widget.NewLabel(T("managed.intro"))
	intro.Wrapping = fyne.TextWrapWord
	list := container.NewVBox(intro, widget.NewSeparator())
	for _, r := range managedRows(p) {
		lock := T("managed.recommended")
		switch {
		case r.Enforced:
			lock = "🔒 " + T("managed.enforced")
		case r.Source == policy.SourceDefault:
			lock = "" // a default is no recommendation
		}
		key := widget.NewLabelWithStyle(r.Key, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		value := widget.NewLabel(r.Value)
		value.Wrapping = fyne.TextWrapBreak
		value.Selectable = true
		where := r.Channel
		if r.Source != policy.SourceDefault {
			where += ": " + r.Source
		}
		if lock != "" {
			where = lock + " · " + where
		}
		src := widget.NewLabel(where)
		src.Importance = widget.LowImportance
		src.Wrapping = fyne.TextWrapBreak
		list.Add(container.NewGridWithColumns(2, key, value))
		list.Add(src)
		list.Add(widget.NewSeparator())
	}
	return container.NewVScroll(list)
}

// managedSummary is the page as text (tests and the clipboard): KEY VALUE CHANNEL LOCK per line.
func managedSummary(p *policy.Policy) string {
	var b strings.Builder
	for _, r := range managedRows(p) {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%v\n", r.Key, r.Value, r.Channel, r.Enforced)
	}
	return b.String()
}

// lockManaged disables a settings control whose key the policy enforces and puts a lock note
// naming the source beneath it (Fyne has no tooltips); other controls are returned as they are.
func lockManaged(prefs *Prefs, key string, control fyne.Disableable) fyne.CanvasObject {
	obj := control.(fyne.CanvasObject)
	locked, source := prefs.Locked(key)
	if !locked {
		return obj
	}
	control.Disable()
	note := widget.NewLabel("🔒 " + T("managed.locked", channelLabel(source), source))
	note.Importance = widget.LowImportance
	note.Wrapping = fyne.TextWrapBreak
	return container.NewVBox(obj, note)
}

// channelLabel names the kind of channel a policy value came from (Gruppenrichtlinie, MDM, Datei,
// Standard).
func channelLabel(source string) string {
	switch policy.SourceKind(source) {
	case policy.KindGPO:
		return T("managed.channel.gpo")
	case policy.KindMDM:
		return T("managed.channel.mdm")
	case policy.KindDefault:
		return T("managed.channel.default")
	}
	return T("managed.channel.file")
}

// policyLockNote is the note beside a control that a policy key decides ("🔒 Von der Verwaltung
// erzwungen (Datei: /etc/bosmessenger/policy.json)"): Fyne has no tooltips, so the note names
// the channel and source where a tooltip would. ok is false without a policy or when the key is
// neither enforced nor set by a source.
func policyLockNote(p *policy.Policy, key string) (note string, ok bool) {
	if p == nil {
		return "", false
	}
	s := p.Setting(key)
	if !s.Enforced && s.Source == policy.SourceDefault {
		return "", false
	}
	return "🔒 " + T("managed.locked_by", sourceText(s.Source)), true
}

// sourceText names a policy source with its channel: "Datei: /etc/…", "Gruppenrichtlinie HKLM…",
// or only "Standard" for the built-in default (BOS mode's defaults are enforced).
func sourceText(source string) string {
	if source == policy.SourceDefault {
		return channelLabel(source)
	}
	return channelLabel(source) + ": " + source
}

// lockByPolicy disables a control whose key the session's policy enforces and puts the lock note
// beneath it; other controls are returned as they are.
func lockByPolicy(p *policy.Policy, key string, control fyne.Disableable) fyne.CanvasObject {
	obj := control.(fyne.CanvasObject)
	if p == nil || !p.Setting(key).Enforced {
		return obj
	}
	note, _ := policyLockNote(p, key)
	control.Disable()
	l := widget.NewLabel(note)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapBreak
	return container.NewVBox(obj, l)
}
