package main

import (
	"strings"
	"testing"
)

// backup create on one device, backup restore on a fresh device of the same user: the old
// encrypted message becomes readable.
func TestBackupCreateAndRestore(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "backupper"), loggedIn(t, srv, "backuppeer")
	roomID := a.createRoom("--name", "Gesichert", "--invite", b.id) // encrypted by default
	b.ok("join", roomID)
	a.ok("sync", "--once")
	eventID := a.send(roomID, "vor dem Gerätewechsel")

	r := mustOK(t, bosctl(t, runOpts{stdin: "Backup-Passphrase 42\n"}, "--data", a.dir, "backup", "create"))
	recoveryKey := strings.TrimSpace(r.stdout)
	if len(strings.Fields(recoveryKey)) < 8 {
		t.Fatalf("backup create printed %q, want a recovery key", r.stdout)
	}

	fresh := newUser(t, srv, "unused")
	fresh.local, fresh.id = a.local, a.id
	fresh.login(t)
	readable := func() bool {
		for _, ev := range fresh.history(roomID, 50) {
			if ev.EventID == eventID {
				return ev.Decrypted && ev.Body == "vor dem Gerätewechsel"
			}
		}
		return false
	}
	if readable() {
		t.Fatal("a fresh device read the old message before restoring the backup")
	}
	mustFail(t, bosctl(t, runOpts{stdin: "falsch\n"}, "--data", fresh.dir, "backup", "restore"), 1, "wrong recovery key")
	mustOK(t, bosctl(t, runOpts{stdin: recoveryKey + "\n"}, "--data", fresh.dir, "backup", "restore"))
	if !readable() {
		t.Fatal("old message not readable after backup restore")
	}
	mustFail(t, a.run("backup", "delete"), 2, "usage")
}
