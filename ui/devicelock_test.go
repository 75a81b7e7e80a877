package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestFlowDeviceLockBanner: a new login of a managed device (RequireDeviceVerification) shows the
// banner "Dieses Gerät muss verifiziert werden" with both ways to verify; "with another device"
// starts the SAS/QR verification with the own devices, the recovery key verifies the device, and
// the banner goes away by itself (ChangeDeviceVerified).
func TestFlowDeviceLockBanner(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	srv := testserver.Shared(t)
	u := newFlowUser(t, srv, "managed")
	first := u.login(t)
	recoveryKey, err := first.CreateKeyBackup(testCtx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	second := &flowUser{Local: u.Local, ID: u.ID, Dir: t.TempDir(), srv: srv}
	scfg := second.config(t)
	scfg.RequireDeviceVerification = true
	s, err := session.Login(testCtx(t), scfg, srv.URL, u.Local, flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	sh, a := openShellWith(t, q, second, scfg, ShellConfig{SyncTimeout: time.Second})
	w := sh.w
	b := a.DeviceLock()
	q.until(t, "banner", b.Shown)
	for _, want := range []string{"Dieses Gerät muss verifiziert werden", T("devicelock.text")} {
		if !hasLabel(w.Content(), want) {
			t.Errorf("%q not shown: %q", want, labels(w.Content()))
		}
	}
	if b.WithDevice.Text != "Mit anderem Gerät verifizieren" || !b.WithRecoveryKey.Visible() {
		t.Errorf("buttons: %q, recovery key shown %v", b.WithDevice.Text, b.WithRecoveryKey.Visible())
	}

	var started *verifyView
	b.onVerify = func(vv *verifyView) { started = vv }
	test.Tap(b.WithDevice)
	q.until(t, "verification with the own devices", func() bool { return started != nil })
	if started.v.Info().UserID != sh.Session().Account().UserID {
		t.Errorf("verification with %s", started.v.Info().UserID)
	}
	started.dlg.Hide()

	test.Tap(b.WithRecoveryKey)
	entries := dlgEntries(dlgTop(w))
	if len(entries) != 1 {
		t.Fatalf("recovery key dialog: %d entries", len(entries))
	}
	entries[0].SetText(recoveryKey)
	test.Tap(dlgButton(t, dlgTop(w), T("devicelock.verify")))
	q.until(t, "banner gone after the recovery key", func() bool { return !b.Shown() })
	if !sh.Session().DeviceVerified() || sh.Session().DeviceLocked() {
		t.Error("the device is not verified")
	}
}
