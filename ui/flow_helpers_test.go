package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/rs/zerolog"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

// uiQueue stands in for the UI goroutine in tests: do() queues, and the test goroutine runs the
// queued functions while it waits. Widgets touched anywhere else show up as races under -race.
type uiQueue struct{ ch chan func() }

// useTestUIQueue makes the test goroutine the UI goroutine until the test ends. Call it before any
// goroutine of the package starts.
func useTestUIQueue(t *testing.T) *uiQueue {
	q := &uiQueue{ch: make(chan func(), 100000)}
	old := setDo(func(f func()) { q.ch <- f })
	t.Cleanup(func() { setDo(old) })
	return q
}

// drain runs what is queued now.
func (q *uiQueue) drain() {
	for {
		select {
		case f := <-q.ch:
			f()
		default:
			return
		}
	}
}

// until runs queued UI work until cond (checked on the UI goroutine) holds.
func (q *uiQueue) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, 60*time.Second, what, func() bool {
		q.drain()
		return cond()
	})
}

const flowPassword = "flow-test-passwort"

var flowUserSeq atomic.Int64

// flowUser is a registered account on the test server with its own data dir.
type flowUser struct {
	Local, ID, Dir string
	srv            *testserver.Server
}

func newFlowUser(t *testing.T, srv *testserver.Server, prefix string) *flowUser {
	local := fmt.Sprintf("%s%d", prefix, flowUserSeq.Add(1))
	u := &flowUser{Local: local, Dir: t.TempDir(), srv: srv}
	u.ID = srv.Register(t, local, flowPassword)
	return u
}

func (u *flowUser) config(t *testing.T) session.Config {
	if err := os.MkdirAll(filepath.Join(u.Dir, "log"), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(u.Dir, "log", "test.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return session.Config{DataDir: u.Dir, Passphrase: "flow store passphrase", Log: zerolog.New(f).Level(zerolog.DebugLevel),
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		KeyParams: &storekey.Params{Time: 1, MemoryKiB: 1024, Threads: 1}}
}

// login signs the user in directly (no GUI) and closes the session at cleanup.
func (u *flowUser) login(t *testing.T) *session.Session {
	s, err := session.Login(testCtx(t), u.config(t), u.srv.URL, u.Local, flowPassword)
	if err != nil {
		t.Fatalf("login %s: %v", u.Local, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return c
}

// syncUntil runs sync rounds of s until cond holds.
func syncUntil(t *testing.T, s *session.Session, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, 60*time.Second, what, func() bool {
		if cond() {
			return true
		}
		if _, err := s.SyncOnce(testCtx(t), time.Second); err != nil {
			t.Fatalf("sync: %v", err)
		}
		return cond()
	})
}

// typeKey sends one key to a focusable widget.
func typeKey(w fyne.Focusable, k fyne.KeyName) { w.TypedKey(&fyne.KeyEvent{Name: k}) }

// openShell starts the shell on u's data dir, which holds a signed-in account (u.login, closed),
// and waits for the main view. The shell stops at cleanup.
func openShell(t *testing.T, q *uiQueue, u *flowUser, cfg ShellConfig) (*Shell, *App) {
	t.Helper()
	return openShellWith(t, q, u, u.config(t), cfg)
}

// openShellWith is openShell with the session config scfg (a policy, say).
func openShellWith(t *testing.T, q *uiQueue, u *flowUser, scfg session.Config, cfg ShellConfig) (*Shell, *App) {
	t.Helper()
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 720))
	ctx, stop := context.WithCancel(context.Background())
	cfg.DataDir = u.Dir
	cfg.Open = func(ctx context.Context, _ string) (*session.Session, error) { return session.Open(ctx, scfg) }
	sh := StartShell(ctx, w, cfg)
	t.Cleanup(func() {
		stop()
		done := make(chan struct{})
		go func() { sh.Wait(); close(done) }()
		q.until(t, "shell stopped", func() bool {
			select {
			case <-done:
				return true
			default:
				return false
			}
		})
		if s := sh.Session(); s != nil {
			s.Close()
		}
	})
	var a *App
	q.until(t, "main view", func() bool { a = sh.App(); return a != nil })
	return sh, a
}
