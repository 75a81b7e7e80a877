package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// dlgWalk calls fn for every visible object under o (containers and widget renderers).
func dlgWalk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			dlgWalk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			dlgWalk(c, fn)
		}
	}
}

// dlgTop is the topmost overlay (dialog) of w, nil if none.
func dlgTop(w fyne.Window) fyne.CanvasObject { return w.Canvas().Overlays().Top() }

// dlgButton finds a visible button with the text under o.
func dlgButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var all []string
	dlgWalk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok {
			all = append(all, b.Text)
			if b.Text == text && found == nil {
				found = b
			}
		}
	})
	if found == nil {
		t.Fatalf("no button %q; buttons: %q", text, all)
	}
	return found
}

// dlgEntries lists the visible entries under o, in order.
func dlgEntries(o fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	dlgWalk(o, func(c fyne.CanvasObject) {
		if e, ok := c.(*widget.Entry); ok {
			out = append(out, e)
		}
	})
	return out
}

// dlgLabels lists the texts of the visible labels under o.
func dlgLabels(o fyne.CanvasObject) []string {
	var out []string
	dlgWalk(o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	})
	return out
}

func dlgHasLabel(o fyne.CanvasObject, text string) bool {
	for _, l := range dlgLabels(o) {
		if l == text {
			return true
		}
	}
	return false
}

// dlgWindow makes a test window big enough for the dialogs.
func dlgWindow(t *testing.T) fyne.Window {
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1000, 800))
	return w
}

// dlgRunSync runs s's sync loop until the test ends.
func dlgRunSync(t *testing.T, s *session.Session) {
	t.Helper()
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(c, 2*time.Second, nil)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// dlgSetPowerLevels sets a room's power levels with the client-server API, as user (local part
// and password; signed in as an extra device for this). Test set-up only: the session has no API
// for it.
func dlgSetPowerLevels(t *testing.T, hsURL, local, password string, roomID id.RoomID, users map[id.UserID]int) {
	t.Helper()
	call := func(method, path, token string, body any, out any) {
		t.Helper()
		data, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(testCtx(t), method, hsURL+path, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %s", method, path, resp.Status)
		}
		if out != nil {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatal(err)
			}
		}
	}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	call(http.MethodPost, "/_matrix/client/v3/login", "", map[string]any{"type": "m.login.password",
		"identifier": map[string]string{"type": "m.id.user", "user": local}, "password": password}, &login)
	call(http.MethodPut, fmt.Sprintf("/_matrix/client/v3/rooms/%s/state/m.room.power_levels/", url.PathEscape(string(roomID))), login.AccessToken,
		map[string]any{"users": users, "users_default": 0, "events_default": 0, "state_default": 50,
			"ban": 50, "kick": 50, "redact": 50, "invite": 0}, nil)
	call(http.MethodPost, "/_matrix/client/v3/logout", login.AccessToken, map[string]any{}, nil)
}

// shot writes the window as $DLG_SHOTS/name.png (tests call it only when DLG_SHOTS is set), to
// look at the dialogs' layout: DLG_SHOTS=/tmp/shots go test -tags goolm -run 'Dialog|Settings' ./ui/
func shot(t *testing.T, w fyne.Window, name string) {
	t.Helper()
	dir := os.Getenv("DLG_SHOTS")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
