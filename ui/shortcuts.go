package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Shortcuts are the window's keyboard shortcuts.
var (
	ShortcutSwitcher = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault}
	ShortcutNextRoom = &desktop.CustomShortcut{KeyName: fyne.KeyDown, Modifier: fyne.KeyModifierAlt}
	ShortcutPrevRoom = &desktop.CustomShortcut{KeyName: fyne.KeyUp, Modifier: fyne.KeyModifierAlt}
	ShortcutSearch   = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	ShortcutNewRoom  = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	ShortcutSettings = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutNewIncident opens "Neuer Einsatz" (an incident room from a template).
	ShortcutNewIncident = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutSearchAll opens the search across all rooms (searchview.go).
	ShortcutSearchAll = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	// ShortcutCall calls the other member of the shown 1:1 room (callapp.go).
	ShortcutCall = &desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	// ShortcutGroupCall joins or starts the shown room's group call (groupcall.go).
	ShortcutGroupCall = &desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
)

// Shortcut runs a window shortcut; it reports whether it knew it.
func (a *App) Shortcut(s fyne.Shortcut) bool {
	if a.isBlock || a.notes.locked {
		return true // BOS mode is blocked or the app lock is on: nothing but that view
	}
	switch s.ShortcutName() {
	case ShortcutSwitcher.ShortcutName():
		a.OpenSwitcher()
	case ShortcutNextRoom.ShortcutName():
		a.StepRoom(1)
	case ShortcutPrevRoom.ShortcutName():
		a.StepRoom(-1)
	case ShortcutSearch.ShortcutName():
		a.FocusSearch()
	case ShortcutNewRoom.ShortcutName():
		a.call(a.ShowCreateRoom)
	case ShortcutSettings.ShortcutName():
		a.call(a.ShowSettings)
	case ShortcutNewIncident.ShortcutName():
		a.call(a.ShowNewIncident)
	case ShortcutSearchAll.ShortcutName():
		a.OpenSearchView()
	case ShortcutCall.ShortcutName():
		a.PlaceCall()
	case ShortcutGroupCall.ShortcutName():
		a.JoinGroupCall()
	default:
		return false
	}
	return true
}

// InstallShortcuts registers the shortcuts on the window's canvas (for when no entry has focus).
func (a *App) InstallShortcuts() {
	for _, s := range []*desktop.CustomShortcut{ShortcutSwitcher, ShortcutNextRoom, ShortcutPrevRoom, ShortcutSearch, ShortcutNewRoom, ShortcutSettings, ShortcutNewIncident, ShortcutSearchAll, ShortcutCall, ShortcutGroupCall} {
		a.w.Canvas().AddShortcut(s, func(sc fyne.Shortcut) { a.Shortcut(sc) })
	}
	a.w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { a.SendFiles(uris) })
	a.w.Canvas().SetOnTypedRune(func(r rune) { _ = a.alerts.typedRune(r) || a.fmsRune(r) }) // alert view, FMS dialog
	a.w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			if a.selected != nil {
				a.clearSelection()
			} else {
				a.composer.CancelReplyEdit()
			}
		}
	})
}

// MainMenu is the window menu; its items carry the shortcuts, so they work whatever has the focus.
func (a *App) MainMenu() *fyne.MainMenu {
	item := func(key string, sc fyne.Shortcut, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(T(key), f)
		it.Shortcut = sc
		return it
	}
	return fyne.NewMainMenu(
		fyne.NewMenu(T("menu.file"),
			item(tkey("menu.new_incident"), ShortcutNewIncident, func() { a.call(a.ShowNewIncident) }),
			item(tkey("menu.new_room"), ShortcutNewRoom, func() { a.call(a.ShowCreateRoom) }),
			item(tkey("menu.new_dm"), nil, func() { a.call(a.ShowStartDM) }),
			item(tkey("menu.settings"), ShortcutSettings, func() { a.call(a.ShowSettings) })),
		fyne.NewMenu(T("menu.go"),
			item(tkey("menu.switcher"), ShortcutSwitcher, a.OpenSwitcher),
			item(tkey("menu.next_room"), ShortcutNextRoom, func() { a.StepRoom(1) }),
			item(tkey("menu.prev_room"), ShortcutPrevRoom, func() { a.StepRoom(-1) }),
			item(tkey("menu.search"), ShortcutSearch, a.FocusSearch),
			item(tkey("menu.search_all"), ShortcutSearchAll, a.OpenSearchView),
			item(tkey("menu.call"), ShortcutCall, a.PlaceCall),
			item(tkey("menu.group_call"), ShortcutGroupCall, a.JoinGroupCall)),
	)
}

// OpenSwitcher shows the Ctrl+K room switcher.
func (a *App) OpenSwitcher() {
	if a.switcher != nil {
		a.switcher.Close()
	}
	a.switcher = ShowSwitcher(a.w.Canvas(), a.rooms.All(), a.OpenRoom)
}

// Switcher is the open (or last) room switcher.
func (a *App) Switcher() *Switcher { return a.switcher }

// StepRoom opens the next (1) or previous (-1) room of the list.
func (a *App) StepRoom(d int) {
	if r := a.rooms.Neighbour(d); r != "" {
		a.OpenRoom(r)
	}
}

// FocusSearch opens the search in the shown room (Ctrl+F); without a room it focuses the room search.
func (a *App) FocusSearch() {
	if a.Current() == "" {
		a.w.Canvas().Focus(a.search)
		return
	}
	a.find.Show()
	a.relayout()
	a.w.Canvas().Focus(a.find.entry)
}
