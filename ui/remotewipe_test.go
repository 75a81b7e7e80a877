package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestFlowRemoteWipeShowsSignIn: the device shown in the window is deleted from another device
// of the user; with remote wipe the engine deletes the data and the window returns to the
// sign-in form, saying why.
func TestFlowRemoteWipeShowsSignIn(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	u := newFlowUser(t, srv, "wipe")
	s := u.login(t)
	deviceID := s.Account().DeviceID
	s.Close()
	other := &flowUser{Local: u.Local, ID: u.ID, Dir: t.TempDir(), srv: srv}
	os2 := other.login(t)

	scfg := u.config(t)
	scfg.RemoteWipe = true
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 720))
	ctx, stop := context.WithCancel(context.Background())
	sh := StartShell(ctx, w, ShellConfig{DataDir: u.Dir, SyncTimeout: time.Second,
		Open: func(ctx context.Context, _ string) (*session.Session, error) { return session.Open(ctx, scfg) },
		Login: func(context.Context, string, string, string, string) (*session.Session, error) {
			return nil, session.ErrLoginRefused
		}})
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
	q.until(t, "main view", func() bool { return sh.App() != nil })

	if err := os2.DeleteDevice(testCtx(t), deviceID, flowPassword); err != nil {
		t.Fatal(err)
	}
	q.until(t, "sign-in form after the remote wipe", func() bool {
		f := sh.LoginForm()
		return f != nil && sh.App() == nil && f.Error.Visible() && f.Error.Text == T("shell.remote_wiped")
	})
	// The engine tells of the wipe (ChangeRemoteWiped) as it closes the session, then deletes the
	// files in the sync goroutine: the form may come a moment before they are gone.
	left := func() (names []string) {
		for _, name := range []string{"bos.db", "crypto.db", "storekey.json"} {
			if _, err := os.Stat(filepath.Join(u.Dir, name)); !os.IsNotExist(err) {
				names = append(names, name)
			}
		}
		return names
	}
	eventually.NoError(t, 10*time.Second, func() error {
		if names := left(); len(names) > 0 {
			return fmt.Errorf("%v left after the remote wipe", names)
		}
		return nil
	})
}
