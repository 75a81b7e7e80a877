package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"bosmessenger/session/applock"
	"bosmessenger/session/policy"
)

// appLockMinLength is the shortest PIN or passphrase the GUI accepts when one is set.
const appLockMinLength = 6

// AppLockConfig is what the lock screen needs: the policy's settings, where its state lives and
// what a wipe does. The durations and the clock are fields so that tests need not wait.
type AppLockConfig struct {
	// Idle is the time without input after which the window locks (policy idle_lock_minutes);
	// 0 locks only at start.
	Idle time.Duration
	// MaxAttempts is the number of wrong attempts that wipe the account (app_lock_max_attempts;
	// 0: never).
	MaxAttempts int
	// Load returns the stored state (nil: none yet; an error keeps the window locked for good);
	// Save stores it (never the secret itself, only the Argon2id hash with its salt and the
	// failure count).
	Load func() ([]byte, error)
	Save func([]byte)
	// Wipe runs the engine's wipe of the account's local data after too many wrong attempts.
	Wipe func()
	// Locked, when set, is told each change of the lock (notifications show nothing while locked).
	Locked func(bool)
	// IsStorePassphrase, when set, tells the store's passphrase, which the set-up refuses as PIN.
	IsStorePassphrase func(string) bool
	// Params are the Argon2id parameters (default applock.DefaultParams).
	Params *applock.Params
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// AppLock is the full-window lock screen of the app lock (policy app_lock): it hides the
// window's content until the PIN or passphrase is entered. UI goroutine only, except Touch.
type AppLock struct {
	w     fyne.Window
	cfg   AppLockConfig
	lock  *applock.Lock
	saved fyne.CanvasObject // the content under the lock view
	shown bool              // the lock or set-up view is on screen

	entry, repeat *widget.Entry
	msg           *widget.Label
	button        *widget.Button

	mu        sync.Mutex
	lastInput time.Time
	stop      chan struct{}
	typed     string // the focused entry's length and cursor at the last idle check (CheckIdle)
}

// NewAppLock attaches the app lock to w and shows it at once: the set-up view when no PIN is set
// yet, else the lock view.
func NewAppLock(w fyne.Window, cfg AppLockConfig) *AppLock {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &AppLock{w: w, cfg: cfg, lock: &applock.Lock{MaxAttempts: cfg.MaxAttempts, Now: cfg.Now}, lastInput: cfg.Now()}
	var loadErr error
	if cfg.Load != nil {
		data, err := cfg.Load()
		if len(data) > 0 && err == nil {
			l.lock.State, err = applock.Unmarshal(data)
		}
		loadErr = err
	}
	l.trackInput()
	if loadErr != nil {
		// Fail closed: without its state the lock cannot tell a first set-up from a removed one.
		l.Lock()
		l.msg.SetText(T("applock.unreadable"))
		l.entry.Disable()
		l.button.Disable()
		return l
	}
	if l.lock.IsSet() {
		l.Lock()
	} else {
		l.showSetup()
	}
	return l
}

// IsLocked says whether the lock (or set-up) view hides the content.
func (l *AppLock) IsLocked() bool { return l.shown }

// Touch records user input (resets the idle time). Safe from any goroutine.
func (l *AppLock) Touch() {
	l.mu.Lock()
	l.lastInput = l.cfg.Now()
	l.mu.Unlock()
}

// CheckIdle locks the window when the idle time has passed since the last input. Typing into a
// focused entry (a dialog's, the room filter: Fyne gives the canvas no key events while a widget
// has the focus) shows as a change of the entry's length or cursor since the last check.
func (l *AppLock) CheckIdle() {
	if !l.shown {
		mark := ""
		if e, ok := l.w.Canvas().Focused().(*widget.Entry); ok {
			mark = fmt.Sprintf("%p %d %d %d", e, len(e.Text), e.CursorRow, e.CursorColumn) // never the text
		}
		if mark != l.typed && mark != "" {
			l.Touch()
		}
		l.typed = mark
	}
	l.mu.Lock()
	last := l.lastInput
	l.mu.Unlock()
	if l.shown || l.cfg.Idle <= 0 || !l.lock.IsSet() {
		return
	}
	if l.cfg.Now().Sub(last) >= l.cfg.Idle {
		l.Lock()
	}
}

// Start checks the idle time every tick until Stop.
func (l *AppLock) Start(tick time.Duration) {
	if l.cfg.Idle <= 0 || l.stop != nil {
		return
	}
	l.stop = make(chan struct{})
	stop := l.stop
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				do(l.CheckIdle)
			}
		}
	}()
}

// Stop ends the idle checks.
func (l *AppLock) Stop() {
	if l.stop != nil {
		close(l.stop)
		l.stop = nil
	}
}

// trackInput counts the window's key input as activity, keeping the handlers set before. The
// mouse is seen by the activity layer of the main view and the lists' scroll relays (activity.go)
// and, over dialogs and pop-ups, by the shell's dialog window (dialog_activity.go), which call
// App.input.
func (l *AppLock) trackInput() {
	c := l.w.Canvas()
	prevKey, prevRune := c.OnTypedKey(), c.OnTypedRune()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		l.Touch()
		if prevKey != nil {
			prevKey(ev)
		}
	})
	c.SetOnTypedRune(func(r rune) {
		l.Touch()
		if prevRune != nil {
			prevRune(r)
		}
	})
}

func (l *AppLock) cover(view fyne.CanvasObject, name string) {
	Trace("applock_shown view=%s", name)
	if !l.shown {
		// Open dialogs and pop-ups lie over the content: they are closed, not hidden behind.
		ov := l.w.Canvas().Overlays()
		for o := ov.Top(); o != nil; o = ov.Top() {
			ov.Remove(o)
		}
		l.saved = l.w.Content()
		l.shown = true
		if l.cfg.Locked != nil {
			l.cfg.Locked(true)
		}
	}
	l.w.SetContent(view)
	l.w.Canvas().Focus(l.entry)
}

func (l *AppLock) uncover() {
	Trace("applock_unlocked")
	l.shown = false
	if l.saved != nil {
		l.w.SetContent(l.saved)
	}
	l.saved = nil
	l.Touch()
	if l.cfg.Locked != nil {
		l.cfg.Locked(false)
	}
}

// Lock hides the content behind the lock view.
func (l *AppLock) Lock() {
	l.entry = widget.NewPasswordEntry()
	l.entry.SetPlaceHolder(T("applock.placeholder"))
	l.msg = widget.NewLabel("")
	l.msg.Wrapping = fyne.TextWrapWord
	l.button = widget.NewButton(T("applock.unlock"), func() { l.Submit(l.entry.Text) })
	l.button.Importance = widget.HighImportance
	l.entry.OnSubmitted = l.Submit
	title := widget.NewLabelWithStyle(T("applock.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, l.entry, l.button, l.msg)
	l.cover(container.NewCenter(container.NewGridWrap(fyne.NewSize(360, box.MinSize().Height+40), box)), "lock")
}

// Submit tries secret on the lock view.
func (l *AppLock) Submit(secret string) {
	err := l.lock.Unlock(secret)
	l.persist()
	if l.entry != nil {
		l.entry.SetText("")
	}
	switch {
	case err == nil:
		l.uncover()
	case errors.Is(err, applock.ErrWipe):
		l.msg.SetText(T("applock.wiped"))
		l.button.Disable()
		l.entry.Disable()
		if l.cfg.Wipe != nil {
			l.cfg.Wipe()
		}
	default:
		l.msg.SetText(l.failureText())
	}
}

// failureText says what went wrong and how long to wait, from the lock's rate limit.
func (l *AppLock) failureText() string {
	text := T("applock.wrong")
	if m := l.cfg.MaxAttempts; m > 0 {
		text = T("applock.wrong_left", m-l.lock.State.Failures)
	}
	if wait := l.lock.State.NotUntil.Sub(l.cfg.Now()); wait > 0 {
		text += " " + T("applock.wait", wait.Round(time.Second).String())
	}
	return text
}

func (l *AppLock) persist() {
	if l.cfg.Save == nil {
		return
	}
	if data, err := l.lock.State.Marshal(); err == nil {
		l.cfg.Save(data)
	}
}

// showSetup asks for a new PIN or passphrase, twice.
func (l *AppLock) showSetup() {
	l.entry = widget.NewPasswordEntry()
	l.entry.SetPlaceHolder(T("applock.placeholder"))
	l.repeat = widget.NewPasswordEntry()
	l.repeat.SetPlaceHolder(T("applock.set_repeat"))
	l.msg = widget.NewLabel("")
	l.msg.Wrapping = fyne.TextWrapWord
	l.button = widget.NewButton(T("applock.set_ok"), func() { l.SetSecret(l.entry.Text, l.repeat.Text) })
	l.button.Importance = widget.HighImportance
	l.repeat.OnSubmitted = func(string) { l.SetSecret(l.entry.Text, l.repeat.Text) }
	intro := widget.NewLabel(T("applock.set_intro", appLockMinLength))
	intro.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(T("applock.set_title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, intro, l.entry, l.repeat, l.button, l.msg)
	l.cover(container.NewCenter(container.NewGridWrap(fyne.NewSize(400, box.MinSize().Height+80), box)), "setup")
}

// SetSecret sets the PIN or passphrase from the set-up view (secret entered twice).
func (l *AppLock) SetSecret(secret, again string) {
	switch {
	case utf8.RuneCountInString(secret) < appLockMinLength:
		l.msg.SetText(T("applock.too_short", appLockMinLength))
		return
	case secret != again:
		l.msg.SetText(T("applock.mismatch"))
		return
	case l.cfg.IsStorePassphrase != nil && l.cfg.IsStorePassphrase(secret):
		l.msg.SetText(T("applock.is_store"))
		return
	}
	p := applock.DefaultParams
	if l.cfg.Params != nil {
		p = *l.cfg.Params
	}
	if err := l.lock.SetSecret(secret, p); err != nil {
		l.msg.SetText(T("applock.too_short", appLockMinLength))
		return
	}
	l.persist()
	l.entry.SetText("")
	l.repeat.SetText("")
	l.uncover()
}

// SetLocked tells the notifier that the app lock hides the window: notifications then show
// neither room nor sender (as notification_content none).
func (a *App) SetLocked(on bool) { a.notes.locked = on }

// SetOnInput sets what the view tells of user activity it sees (the app lock's idle time).
func (a *App) SetOnInput(f func()) {
	a.mu.Lock()
	a.onInput = f
	a.mu.Unlock()
}

// input tells the app lock of user activity: typing in the composer, opening a room, the mouse
// over the main view and scrolling its lists (activity.go).
func (a *App) input() {
	a.mu.Lock()
	f := a.onInput
	a.mu.Unlock()
	if f != nil {
		f()
	}
}

// appLockTick is how often the shell checks the idle time.
const appLockTick = 5 * time.Second

// appLockParams are the shell's Argon2id parameters (nil: applock.DefaultParams; tests set cheap ones).
var appLockParams *applock.Params

// startAppLock puts the lock screen over the main view when the policy's app_lock is on. After
// the policy's number of wrong attempts the account's local data is wiped (session.WipeLocal:
// without the server, which is then only asked to sign the device out, best effort).
func (sh *Shell) startAppLock(s Engine, a *App) {
	p := s.ManagedPolicy()
	if p == nil || !p.Bool(policy.KeyAppLock) {
		return
	}
	fa := fyne.CurrentApp()
	if fa == nil {
		return
	}
	prefs := fa.Preferences()
	key := "applock.state." + s.DataDir() // where the state was kept before it moved into the store
	var l *AppLock
	l = NewAppLock(sh.w, AppLockConfig{
		Idle:              time.Duration(p.Int(policy.KeyIdleLockMinutes)) * time.Minute,
		MaxAttempts:       p.Int(policy.KeyAppLockMaxAttempts),
		Params:            appLockParams,
		IsStorePassphrase: s.IsStorePassphrase,
		Load: func() ([]byte, error) {
			st, err := s.AppLockState(sh.ctx)
			if err == nil && st == nil {
				if old := prefs.String(key); old != "" { // from the preferences into the store, once
					st = []byte(old)
					if s.SetAppLockState(sh.ctx, st) == nil {
						prefs.RemoveValue(key)
					}
				}
			}
			return st, err
		},
		Save: func(b []byte) {
			if err := s.SetAppLockState(context.WithoutCancel(sh.ctx), b); err != nil {
				a.SetStatus(err.Error())
			}
		},
		Locked: func(on bool) {
			if cur := sh.App(); cur != nil {
				cur.SetLocked(on) // also turns the shortcuts off
				if on {
					sh.w.SetMainMenu(nil) // no menu item reaches the content while locked
				} else {
					sh.w.SetMainMenu(cur.MainMenu())
				}
			}
		},
		Wipe: func() {
			l.Stop()
			sh.goRun(func() {
				// Local first, even offline; the server's sign-out is only best effort after it.
				err := s.WipeLocal(context.WithoutCancel(sh.ctx))
				do(func() {
					if err != nil {
						a.SetStatus(err.Error())
						return
					}
					prefs.RemoveValue(key)
					sh.signedOut()
					if sh.login != nil {
						sh.login.showError(T("applock.wiped"))
					}
				})
			})
		},
	})
	l.Start(appLockTick)
	a.SetOnInput(l.Touch)
	sh.mu.Lock()
	sh.appLock = l
	sh.mu.Unlock()
}
