// Command bosmessenger is the BOS Messenger desktop app.
//
// It opens the account of a data dir (--data, default the per-OS user data dir); a new data dir
// shows the sign-in form. The store is unlocked with BOSMESSENGER_PASSPHRASE, the OS keyring, or a
// passphrase the app asks for. --room opens a room at start, --board with it an alert's board,
// --thread a thread of it beside it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/assets"
	"bosmessenger/internal/version"
	"bosmessenger/session"
	"bosmessenger/session/policy"
	"bosmessenger/ui"
)

// AppID is the app's unique ID (also in FyneApp.toml).
const AppID = "de.bos-messenger.client"

func main() {
	dataDir := flag.String("data", "", "account data dir (default: the per-OS user data dir)")
	room := flag.String("room", "", "room ID to open at start")
	board := flag.String("board", "", "with --room: the event ID of an alert whose board (Rückmeldungen) opens at start")
	thread := flag.String("thread", "", "with --room: the root event of a thread to open beside the room")
	showVersion := flag.Bool("version", false, "print version, commit and build time, then exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Get().String("bosmessenger"))
		return
	}
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "data" && *dataDir == "" {
			fmt.Fprintln(os.Stderr, "bosmessenger: --data wants a directory, not an empty string")
			os.Exit(2)
		}
	})
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
	prefs := ui.NewPrefs(a.Preferences())
	ui.ApplyPrefs(a, prefs)
	w := a.NewWindow(ui.T("app.title"))
	w.Resize(fyne.NewSize(1100, 720))
	w.SetMaster()

	ctx, cancel := context.WithCancel(context.Background())
	cfg, closeLog := config(dir)
	defer closeLog()
	cfg.ExcludeInsecureDevices = prefs.ExcludeInsecureDevices()
	cfg.KeepMediaMetadata = prefs.KeepMediaMetadata()
	cfg, pol, err := session.LoadPolicyConfig(cfg) // the admin's policy (BOS mode) decides over prefs
	if err != nil {
		// Fail closed: without a readable policy the app does not start (a windowsgui program has
		// no stderr, so the reason is shown in the window and logged).
		cfg.Log.Error().Err(err).Msg("Policy invalid")
		w.SetContent(ui.PolicyErrorView(err))
		quitGuard(5 * time.Second)
		w.ShowAndRun()
		cancel()
		os.Exit(1)
	}
	if pol.Bool(policy.KeyScreenshotProtection) {
		a.Lifecycle().SetOnStarted(func() { go protectWindow(w, cfg.Log) }) // the native window exists then
	}
	prefs.SetPolicy(pol) // enforced language and theme win, recommended ones replace the defaults
	ui.ApplyPrefs(a, prefs)
	w.SetTitle(ui.T("app.title"))
	hs, locked := pol.Homeserver()
	alerts, closeAlerts := alertOutputs(cfg.Log, os.Getenv(envSilentAlarm) == "1")
	defer closeAlerts()
	sh := ui.StartShell(ctx, w, ui.ShellConfig{
		Alerts:     alerts,
		Homeserver: ui.HomeserverPolicy{Value: hs, Locked: locked, Source: pol.Setting(policy.KeyHomeserver).Source},
		DataDir:    dir,
		Room:       id.RoomID(*room),
		Board:      id.EventID(*board),
		Thread:     id.EventID(*thread),
		Prefs:      prefs,
		Open: func(ctx context.Context, passphrase string) (*session.Session, error) {
			c := cfg
			if passphrase != "" {
				c.Passphrase = passphrase
			}
			return session.Open(ctx, c)
		},
		Login: func(ctx context.Context, homeserver, user, password, passphrase string) (*session.Session, error) {
			c := cfg
			if passphrase != "" {
				c.Passphrase = passphrase
			}
			return session.Login(ctx, c, homeserver, user, password)
		},
	})
	w.ShowAndRun()

	cancel()
	sh.Wait()
	if s := sh.Session(); s != nil {
		_ = s.Close()
	}
}

// config logs into DIR/log/bosmessenger.log (a windowsgui program has no stderr).
func config(dir string) (session.Config, func()) {
	cfg := session.Config{DataDir: dir, Log: zerolog.Nop()}
	f, err := session.OpenLogFile(dir, session.LogFileBosmessenger) // 0600 in a 0700 dir
	if err != nil {
		return cfg, func() {}
	}
	cfg.Log = zerolog.New(f).With().Timestamp().Int("pid", os.Getpid()).Logger().Level(zerolog.InfoLevel)
	return cfg, func() { _ = f.Close() }
}
