// Package ui holds the widgets of the BOS Messenger desktop window. It never imports
// fyne.io/fyne/v2/app (only cmd/bosmessenger builds the app), so it compiles without a display or GL
// and is tested headless with fyne.io/fyne/v2/test.
//
// Threading: widgets are touched only on the Fyne UI goroutine. Data from the session is loaded on
// other goroutines and handed over with one fyne.Do per batch of changes.
//
// The main window (room list, timeline, composer), sign-in and unlock forms, dialogs and settings
// render state from the session engine and hand user intents back to it.
package ui
