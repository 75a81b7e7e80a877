package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// ShellConfig tells the shell how to reach the account.
type ShellConfig struct {
	// Open opens the data dir's account; passphrase "" means the configured one or the OS keyring.
	Open func(ctx context.Context, passphrase string) (*session.Session, error)
	// Login signs in a new account (first run).
	Login LoginFunc
	// Room, when set, is opened at start.
	Room id.RoomID
	// Board, when set with Room, opens the board of that alert of the room at start.
	Board id.EventID
	// Thread: the root of a thread of Room to open beside it at start (--thread).
	Thread id.EventID
	// DataDir is shown in errors.
	DataDir string
	// Prefs are the user's settings (language, theme, text size).
	Prefs *Prefs
	// SyncTimeout is the long-poll timeout of the sync loop (default 30 s).
	SyncTimeout time.Duration
	// Homeserver is the admin's homeserver key for the sign-in form (pre-filled; locked: fixed).
	Homeserver HomeserverPolicy
	// OfflineAfter is how long without a successful sync makes the status line say "offline"
	// (default SyncTimeout + 20 s); checked every OfflineAfter/10.
	OfflineAfter time.Duration
	// Alerts are sound, notification and window attention of incoming alerts (alert_outputs.go).
	Alerts AlertOutputs
}

// Shell is the window's life cycle: open the account, or ask for the store passphrase, or sign in;
// then the main view with the sync loop. Its exported methods run on the UI goroutine.
type Shell struct {
	ctx context.Context
	w   fyne.Window
	dw  fyne.Window // w for the main view and its dialogs: mouse over overlays counts (dialog_activity.go)
	cfg ShellConfig
	wg  sync.WaitGroup

	mu      sync.Mutex
	s       *session.Session
	app     *App
	endSess context.CancelFunc // stops the session's sync loop and watchers
	appLock *AppLock           // the lock screen when the policy's app_lock is on

	login      *LoginView
	unlock     *UnlockView
	lastSync   time.Time
	offline    bool
	firstSync  *fyne.Container
	syncedOnce bool
}

// StartShell shows the window's first view and opens the account in the background.
func StartShell(ctx context.Context, w fyne.Window, cfg ShellConfig) *Shell {
	if cfg.SyncTimeout == 0 {
		cfg.SyncTimeout = 30 * time.Second
	}
	if cfg.OfflineAfter == 0 {
		cfg.OfflineAfter = cfg.SyncTimeout + 20*time.Second
	}
	sh := &Shell{ctx: ctx, w: w, cfg: cfg}
	sh.dw = withDialogActivity(w, sh.dialogActivity)
	bar := widget.NewProgressBarInfinite()
	w.SetContent(container.NewCenter(container.NewVBox(widget.NewLabel(T("shell.opening")), bar)))
	sh.goRun(func() {
		s, err := cfg.Open(ctx, "")
		do(func() { sh.opened(s, err) })
	})
	return sh
}

func (sh *Shell) goRun(f func()) {
	sh.wg.Add(1)
	go func() {
		defer sh.wg.Done()
		f()
	}()
}

func (sh *Shell) opened(s *session.Session, err error) {
	switch {
	case err == nil:
		sh.start(s)
	case errors.Is(err, session.ErrNotLoggedIn):
		v := NewLoginView(sh.ctx, sh.cfg.Login, sh.start)
		v.SetHomeserverPolicy(sh.cfg.Homeserver)
		sh.login = v
		sh.w.SetContent(v.View())
		sh.w.Canvas().Focus(v.User)
	case errors.Is(err, session.ErrPassphraseRequired), errors.Is(err, session.ErrWrongPassphrase):
		v := NewUnlockView(sh.ctx, sh.cfg.Open, sh.start)
		sh.unlock = v
		sh.w.SetContent(v.View())
		sh.w.Canvas().Focus(v.Passphrase)
	default:
		sh.w.SetContent(OpenErrorView(sh.cfg.DataDir, err))
	}
}

// Session is the open session (nil before sign-in).
func (sh *Shell) Session() *session.Session {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.s
}

// App is the main view (nil before sign-in).
func (sh *Shell) App() *App {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.app
}

// LoginForm is the sign-in form while it is shown (nil otherwise); UI goroutine only.
func (sh *Shell) LoginForm() *LoginView { return sh.login }

// UnlockForm is the store passphrase form while it is shown (nil otherwise); UI goroutine only.
func (sh *Shell) UnlockForm() *UnlockView { return sh.unlock }

// Wait waits for the shell's goroutines after the context has ended.
func (sh *Shell) Wait() { sh.wg.Wait() }

func (sh *Shell) start(s *session.Session) {
	sh.login, sh.unlock = nil, nil
	a := NewApp(sh.ctx, sh.dw, s)
	sh.mu.Lock()
	sh.s, sh.app = s, a
	sh.mu.Unlock()
	sh.firstSync = container.NewVBox(widget.NewLabel(T("shell.first_sync")), widget.NewProgressBarInfinite())
	sh.firstSync.Hide()
	sh.restartView(s, a)
	sh.startAppLock(s, a)
	ctx, end := context.WithCancel(sh.ctx)
	sh.mu.Lock()
	sh.endSess = end
	sh.mu.Unlock()
	w := sh.dw
	sh.goRun(func() { _ = WatchVerifications(ctx, w, s) })
	sh.goRun(func() { sh.syncLoop(ctx, s) })
}

// dialogActivity tells the app lock of mouse work over a dialog or pop-up (dialog_activity.go).
func (sh *Shell) dialogActivity() {
	sh.mu.Lock()
	a := sh.app
	sh.mu.Unlock()
	if a != nil {
		a.input()
	}
}

// signedOut returns to the sign-in form after this device was signed out in the settings.
func (sh *Shell) signedOut() {
	sh.mu.Lock()
	a, end := sh.app, sh.endSess
	sh.s, sh.app, sh.endSess = nil, nil, nil
	lock := sh.appLock
	sh.appLock = nil
	sh.mu.Unlock()
	if lock != nil {
		lock.Stop()
	}
	if end != nil {
		end()
	}
	if a != nil {
		a.Stop()
	}
	sh.w.SetMainMenu(nil)
	sh.opened(nil, session.ErrNotLoggedIn)
}

// remoteWiped returns to the sign-in form, saying why, after the server signed this device out
// and the engine deleted its local data.
func (sh *Shell) remoteWiped() {
	if sh.Session() == nil {
		return
	}
	sh.signedOut()
	if sh.login != nil {
		sh.login.showError(T("shell.remote_wiped"))
	}
}

// rebuild redraws the main view after a language change.
func (sh *Shell) rebuild() {
	sh.mu.Lock()
	s, old := sh.s, sh.app
	sh.mu.Unlock()
	if s == nil {
		return
	}
	room := old.Current()
	old.Stop()
	a := NewApp(sh.ctx, sh.dw, s)
	sh.mu.Lock()
	sh.app = a
	sh.mu.Unlock()
	sh.cfg.Room = room
	sh.restartView(s, a)
	sh.mu.Lock()
	lock := sh.appLock
	sh.mu.Unlock()
	if lock != nil {
		a.SetOnInput(lock.Touch)
	}
}

func (sh *Shell) restartView(s *session.Session, a *App) {
	ctx, w := sh.ctx, sh.dw
	a.SetAlertOutputs(sh.cfg.Alerts)
	a.ShowCreateRoom = func() { ShowCreateRoom(ctx, w, s, a.OpenRoom) }
	a.ShowStartDM = func() { ShowStartDM(ctx, w, s, a.OpenRoom) }
	a.ShowNewIncident = func() { ShowNewIncident(ctx, w, s, a.OpenRoom) }
	a.ShowMembers = func(r id.RoomID) { ShowMembers(ctx, w, s, r) }
	a.ShowInvite = func(r id.RoomID) { ShowInvite(ctx, w, s, r) }
	a.ShowRoomSettings = func(r id.RoomID) { ShowRoomSettings(ctx, w, s, r) }
	a.ShowSettings = func() {
		if sh.cfg.Prefs != nil {
			ShowSettings(ctx, w, s, sh.cfg.Prefs, SettingsHooks{LanguageChanged: sh.rebuild, SignedOut: sh.signedOut, Activity: a.input})
		}
	}
	a.OnRemoteWiped = sh.remoteWiped
	w.SetMainMenu(a.MainMenu())
	a.InstallShortcuts()
	if fa := fyne.CurrentApp(); fa != nil {
		fa.Lifecycle().SetOnEnteredForeground(func() { a.SetForeground(true) })
		fa.Lifecycle().SetOnExitedForeground(func() { a.SetForeground(false) })
	}
	w.SetContent(container.NewBorder(sh.firstSync, nil, nil, nil, a.View()))
	if err := a.Start(); err != nil {
		a.SetStatus(T("rooms_failed", err))
	}
	if sh.cfg.Room != "" {
		a.OpenRoom(sh.cfg.Room)
		if sh.cfg.Board != "" {
			a.OpenBoard(sh.cfg.Room, sh.cfg.Board)
			sh.cfg.Board = "" // once
		}
		if sh.cfg.Thread != "" {
			a.openThread(session.Message{EventID: sh.cfg.Thread})
		}
	}
}

// syncLoop runs the engine's sync loop. A first sync shows a progress bar; when no sync has
// succeeded for a while the status line says the client is offline.
func (sh *Shell) syncLoop(ctx context.Context, s *session.Session) {
	rooms, _ := s.Rooms(ctx)
	if len(rooms) == 0 {
		do(func() { sh.firstSync.Show() })
	}
	watchDone := make(chan struct{})
	defer close(watchDone)
	sh.goRun(func() { sh.watchOnline(ctx, watchDone) })
	err := s.Run(ctx, sh.cfg.SyncTimeout, func(session.SyncStats) {
		do(func() {
			sh.lastSync = time.Now()
			if !sh.syncedOnce {
				sh.syncedOnce = true
				sh.firstSync.Hide()
			}
			if sh.offline {
				sh.offline = false
				if a := sh.App(); a != nil {
					a.SetStatus("")
				}
			}
		})
	})
	if err != nil && ctx.Err() == nil {
		do(func() {
			if a := sh.App(); a != nil {
				a.SetStatus(T("sync_stopped", err))
			}
		})
	}
}

func (sh *Shell) watchOnline(ctx context.Context, done chan struct{}) {
	t := time.NewTicker(max(sh.cfg.OfflineAfter/10, 100*time.Millisecond))
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			do(func() {
				last := sh.lastSync
				if last.IsZero() {
					last = start
				}
				if time.Since(last) > sh.cfg.OfflineAfter && !sh.offline {
					sh.offline = true
					if a := sh.App(); a != nil {
						a.SetStatus(T("shell.offline"))
					}
				}
			})
		}
	}
}
