// Package secretservice starts a private Secret Service for tests that use the real OS keyring on
// Linux: a D-Bus session bus of its own (dbus-daemon) with gnome-keyring-daemon's secrets component
// on it, its login keyring unlocked with Password. Only the test process sees it (t.Setenv of
// DBUS_SESSION_BUS_ADDRESS); both daemons are killed when the test ends.
//
// go-keyring talks to the bus through godbus's process-wide session connection, which is made on
// first use and remade after its bus goes away, so tests that use a Service must not run in
// parallel with each other (t.Setenv already forbids t.Parallel).
package secretservice

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"bosmessenger/internal/testcache"
)

// Name is the D-Bus name of the Secret Service.
const Name = "org.freedesktop.secrets"

// Password unlocks the private login keyring.
const Password = "bos-test-keyring"

// startTimeout bounds the wait for each daemon to be up.
const startTimeout = 15 * time.Second

// Tools are the programs Start needs (Debian: dbus-daemon, gnome-keyring, libsecret-tools).
var Tools = []string{"dbus-daemon", "gnome-keyring-daemon", "secret-tool"}

// Service is a running private Secret Service.
type Service struct {
	Address string // the bus address, also in DBUS_SESSION_BUS_ADDRESS for the test
}

const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// Start starts the bus and the keyring daemon and waits until Name is owned on the bus. A missing
// tool skips the test, or fails it under CI=true. The bus has no service activation, so nothing
// but this keyring can answer for Name.
func Start(t testing.TB) *Service {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is the OS keyring of Linux only")
	}
	for _, tool := range Tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "true" {
				t.Skipf("%s is not installed (scripts/deps.sh installs it): %v", tool, err)
			}
			testcache.Require(t, tool+" (scripts/deps.sh)", err)
		}
	}
	// A short dir of our own: a unix socket path has at most 107 bytes, t.TempDir's can be longer.
	dir, err := os.MkdirTemp("", "bos-ss-")
	if err != nil {
		t.Fatalf("failed to create secret service dir: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "bus")
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, sock)), 0o600); err != nil {
		t.Fatalf("failed to write bus config: %v", err)
	}
	addr := "unix:path=" + sock

	bus := start(t, nil, nil, "dbus-daemon", "--config-file="+conf, "--nofork", "--nopidfile")
	bus.waitFor(t, func() error {
		conn, err := dbus.Connect(addr)
		if err == nil {
			_ = conn.Close()
		}
		return err
	})

	env := append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr, "HOME="+dir,
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_RUNTIME_DIR="+dir)
	keyring := start(t, env, strings.NewReader(Password),
		"gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	keyring.waitFor(t, func() error {
		conn, err := dbus.Connect(addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		var owned bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, Name).Store(&owned); err != nil {
			return err
		}
		if !owned {
			return fmt.Errorf("%s has no owner yet", Name)
		}
		return nil
	})
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return &Service{Address: addr}
}

// daemon is a started process; done is closed when it has exited.
type daemon struct {
	name   string
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// start runs name args in the foreground and kills it at cleanup (cleanups run in reverse, so the
// keyring goes before its bus).
func start(t testing.TB, env []string, stdin *strings.Reader, name string, args ...string) *daemon {
	t.Helper()
	d := &daemon{name: name, done: make(chan struct{})}
	cmd := exec.Command(name, args...)
	cmd.Env = env
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.Stderr = &d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("failed to start %s: %v", name, err)
	}
	go func() { d.err = cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-d.done
	})
	return d
}

// waitFor polls ready until it succeeds, failing the test when the daemon exits or startTimeout
// passes.
func (d *daemon) waitFor(t testing.TB, ready func() error) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := ready()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %v: %v", d.name, startTimeout, err)
		}
		select {
		case <-d.done:
			t.Fatalf("%s exited (%v): %s", d.name, d.err, d.stderr.String())
		case <-tick.C:
		}
	}
}
