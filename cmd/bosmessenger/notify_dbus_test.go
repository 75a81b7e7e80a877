//go:build linux

package main

// The alarm's desktop notification end to end: our notifier (alertOutputs, beeep) talks to a
// fake org.freedesktop.Notifications server on a private session bus (dbus-daemon), which
// records each Notify call. No real notification daemon can be asserted on headless; what the
// desktop's daemon receives is exactly this call.

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/rs/zerolog"

	"bosmessenger/internal/testcache"
	"bosmessenger/session"
	"bosmessenger/session/alert"
	"bosmessenger/ui"
)

// notifyCall is one Notify call the fake server received.
type notifyCall struct {
	app, summary, body string
	hints              map[string]dbus.Variant
}

// fakeNotifications is a minimal org.freedesktop.Notifications server.
type fakeNotifications struct {
	mu    sync.Mutex
	calls []notifyCall
}

func (f *fakeNotifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, notifyCall{app: app, summary: summary, body: body, hints: hints})
	return uint32(len(f.calls)), nil
}

func (f *fakeNotifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "sound"}, nil
}

func (f *fakeNotifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "fake", "bosmessenger-test", "1", "1.2", nil
}

func (f *fakeNotifications) CloseNotification(uint32) *dbus.Error { return nil }

func (f *fakeNotifications) take() []notifyCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

const sessionBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// startSessionBus starts a private dbus-daemon (a child of the test, ended at cleanup) and points
// DBUS_SESSION_BUS_ADDRESS at it. A missing dbus-daemon fails the test (scripts/deps.sh: dbus).
func startSessionBus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	testcache.Require(t, "dbus-daemon (Debian package dbus-daemon, scripts/deps.sh)", err)
	dir := t.TempDir()
	conf := filepath.Join(dir, "session.conf")
	if err := os.WriteFile(conf, []byte(strings.Replace(sessionBusConfig, "DIR", dir, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer // shown when the test fails (the daemon warns of fd limits as non-root)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("failed to start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("dbus-daemon: %s", stderr.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		return addr
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start")
	}
	return ""
}

// An alarm's notification reaches the desktop's notification server with urgency critical
// (hint byte 2) and the title and body that notification_content allows (none, sender, full;
// never the alert's text); an info alert's is not critical.
func TestAlertNotificationCriticalOnSessionBus(t *testing.T) {
	addr := startSessionBus(t)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("failed to connect to the test bus: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	fake := &fakeNotifications{}
	const path, iface = "/org/freedesktop/Notifications", "org.freedesktop.Notifications"
	if err := conn.Export(fake, path, iface); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(iface, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("failed to own %s: %v (%v)", iface, err, reply)
	}

	out, closeOut := alertOutputs(zerolog.Nop(), true)
	t.Cleanup(closeOut)
	info := alert.Info{Alert: alert.Alert{Keyword: "B3 Brand", Text: "Person im Gebäude", Address: "Hauptstr. 1", Priority: alert.PriorityAlarm}}
	type want struct {
		summary, body string
		urgency       byte
	}
	var wants []want
	for _, c := range []struct {
		content  session.NotificationContent
		critical bool
		urgency  byte
	}{
		{session.NotifyNone, true, 2},
		{session.NotifySender, true, 2},
		{session.NotifyFull, true, 2},
		{session.NotifyFull, false, 1}, // an info alert: normal urgency
	} {
		title, body := ui.AlertNotification(info, "Zug 1", c.critical, c.content, false)
		if err := out.Notify(title, body, c.critical); err != nil {
			t.Fatalf("%s critical=%v: %v", c.content, c.critical, err)
		}
		wants = append(wants, want{title, body, c.urgency})
	}
	if w := wants[0]; w.summary != ui.T("alert.notify_title_alarm") || w.body != ui.T("alert.notify_none") {
		t.Errorf("notification_content none: %q %q", w.summary, w.body)
	}
	if w := wants[2]; !strings.Contains(w.summary, "B3 Brand") || !strings.Contains(w.body, "Hauptstr. 1") {
		t.Errorf("notification_content full: %q %q", w.summary, w.body)
	}
	calls := fake.take()
	if len(calls) != len(wants) {
		t.Fatalf("the server got %d Notify calls, want %d: %+v", len(calls), len(wants), calls)
	}
	for i, want := range wants {
		c := calls[i]
		if strings.Contains(c.summary+c.body, "Person im Gebäude") {
			t.Errorf("call %d: the alert text is in the notification", i)
		}
		if c.summary != want.summary || c.body != want.body {
			t.Errorf("call %d: summary %q body %q, want %q %q", i, c.summary, c.body, want.summary, want.body)
		}
		if c.app != ui.T("app.title") {
			t.Errorf("call %d: app name %q, want %q", i, c.app, ui.T("app.title"))
		}
		v, ok := c.hints["urgency"]
		if !ok {
			t.Errorf("call %d: no urgency hint (hints %v)", i, c.hints)
			continue
		}
		if u, ok := v.Value().(byte); !ok || u != want.urgency {
			t.Errorf("call %d: urgency %v (%s), want byte %d", i, v.Value(), v.Signature(), want.urgency)
		}
	}
}
