// Package assets holds the files built into BOS Messenger, for now the app icon (also named in
// FyneApp.toml for `fyne package`).
package assets
