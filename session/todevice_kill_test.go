package session_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

// toDeviceKillDirEnv names the data dir of the child process of TestToDeviceSurvivesKill.
const toDeviceKillDirEnv = "BOS_TEST_TODEVICE_KILL_DIR"

// TestToDeviceSurvivesKill: a process killed after the E2EE processing of a sync response (the
// room key that came as a to-device message is in crypto.db) but before the store transaction
// (next_batch) loses no room key: the next process syncs from the old token and reads the message.
func TestToDeviceSurvivesKill(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	roomID := sharedRoom(t, sb, sa, session.CreateRoomOptions{Name: "keys", Encrypted: true})
	mustSync(t, sa)
	mustSync(t, sb)
	sa.Close()
	// Bob's first message starts his megolm session: its key goes to alice's device as a
	// to-device message, which alice's next sync brings together with the message.
	const body = "sent while alice was away"
	mustSend(t, sb, roomID, body)

	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(c, os.Args[0], "-test.run=^TestToDeviceKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), toDeviceKillDirEnv+"="+alice.Dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the child was not killed (%v): %s", err, out)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child did not die in the window (%v): %s", err, out)
	}

	sa = alice.open(t)
	waitForBodies(t, sa, roomID, 50, body)
}

// TestToDeviceKillChild is the child process of TestToDeviceSurvivesKill (it does nothing in a
// normal run): it syncs alice's account and SIGKILLs itself right after the first response with
// to-device messages went through the E2EE processing, before its store transaction.
func TestToDeviceKillChild(t *testing.T) {
	dir := os.Getenv(toDeviceKillDirEnv)
	if dir == "" {
		return
	}
	session.SetAfterCryptoSyncForTest(func(toDevice int) {
		if toDevice > 0 {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	})
	cfg := session.Config{DataDir: dir, Log: zerolog.Nop(), Passphrase: "test store passphrase",
		KeyParams: &storekey.Params{Time: 1, MemoryKiB: 1024, Threads: 1}}
	s, err := session.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	for range 20 {
		if _, err := s.SyncOnce(context.Background(), time.Second); err != nil {
			t.Logf("sync: %v", err)
		}
	}
	t.Fatal("no sync response with to-device messages")
}
