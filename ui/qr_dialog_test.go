package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestQRVerificationDialog: a new device of ours asks to be verified; the trusted device (the app)
// accepts, shows a QR code; the new device scans it; the app asks whether the other side shows
// success, the user confirms, and both sides finish with the new device verified.
func TestQRVerificationDialog(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	d := newWatchedDevices(t, srv)
	first, second, w := d.first, d.second, d.w

	v2, err := second.RequestVerification(ctx, first.Account().UserID, first.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "the prompt", func() bool { return d.prompt.ID == v2.ID() })
	test.Tap(dlgButton(t, dlgTop(w), "Annehmen"))
	q.until(t, "the QR code", func() bool {
		return d.vv != nil && d.vv.qr.Visible() && len(d.vv.qr.Objects) == 1 && d.vv.status.Text == T("verify.qr.scan_this")
	})
	payload := d.vv.info.QRCode
	if img := qrImage(payload); img == nil || img.Bounds().Dx() < 100 {
		t.Fatal("the QR code does not render")
	}
	// The new device scans once it has the ready (a scan before it fails as "not in the ready state").
	if _, err := v2.WaitQRCode(ctx); err != nil {
		t.Fatal(err)
	}
	if err := v2.ScanQRCode(ctx, payload); err != nil {

		t.Fatalf("the new device cannot use the shown code: %v", err)
	}
	q.until(t, "the scanned question", func() bool { return d.vv.qrYes.Visible() && d.vv.status.Text == T("verify.qr.scanned") })
	test.Tap(d.vv.qrYes)
	waitVerifyState(t, q, &d.vv, session.VerificationDone)
	if err := v2.Wait(ctx); err != nil {
		t.Fatalf("new device: %v", err)
	}
	eventually.NoError(t, 30*time.Second, func() error {
		if ok, err := second.OwnDeviceVerified(ctx); err != nil || !ok {
			return fmt.Errorf("new device not verified after the QR code: %v %v", ok, err)
		}
		return nil
	})
}
