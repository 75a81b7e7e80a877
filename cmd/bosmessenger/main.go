// Command bosmessenger is the BOS Messenger desktop app. This skeleton opens the account of a data
// dir and shows its room list, kept live by the sync loop; the full GUI replaces it.
//
// The store is unlocked with BOSMESSENGER_PASSPHRASE or, where there is none, the OS keyring (see
// package session). Sign in with bosctl first.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/rs/zerolog"

	"bosmessenger/assets"
	"bosmessenger/session"
	"bosmessenger/ui"
)

// AppID is the app's unique ID (also in FyneApp.toml).
const AppID = "de.bos-messenger.client"

func main() {
	dataDir := flag.String("data", "", "account data dir (default: the per-OS user data dir)")
	flag.Parse()
	dir := *dataDir
	if dir == "" {
		var err error
		if dir, err = session.DefaultDataDir(); err != nil {
			fmt.Fprintln(os.Stderr, "bosmessenger:", err)
			os.Exit(1)
		}
	}

	a := app.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	w := a.NewWindow(ui.T("app.title"))
	w.Resize(fyne.NewSize(1000, 700))

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	cfg, closeLog := config(dir)
	defer closeLog()
	s, err := session.Open(ctx, cfg)
	if err != nil {
		w.SetContent(ui.OpenErrorView(dir, err))
	} else {
		rl := ui.NewRoomList(nil)
		status := widget.NewLabel(string(s.Account().UserID))
		w.SetContent(container.NewBorder(status, nil, nil, nil, rl.View()))
		report := func(key string, err error) {
			if err != nil && ctx.Err() == nil {
				fyne.Do(func() { status.SetText(ui.T(key, err)) })
			}
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			report("sync_stopped", s.Run(ctx, 30*time.Second, nil))
		}()
		go func() {
			defer wg.Done()
			report("rooms_failed", ui.FollowSession(ctx, s, rl))
		}()
	}
	w.ShowAndRun()

	cancel()
	wg.Wait()
	if s != nil {
		_ = s.Close()
	}
}

// config logs into DIR/log/bosmessenger.log (a windowsgui program has no stderr).
func config(dir string) (session.Config, func()) {
	cfg := session.Config{DataDir: dir, Log: zerolog.Nop()}
	if err := os.MkdirAll(filepath.Join(dir, "log"), 0o700); err != nil {
		return cfg, func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, "log", "bosmessenger.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return cfg, func() {}
	}
	cfg.Log = zerolog.New(f).With().Timestamp().Int("pid", os.Getpid()).Logger().Level(zerolog.InfoLevel)
	return cfg, func() { _ = f.Close() }
}
