package main

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// whoami --json says whether the device is verified: the first device (cross-signed at login)
// is, a second login of the same user is not until `bosctl verify` with the first device.
func TestWhoamiDeviceVerifiedAfterSelfVerify(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a := loggedIn(t, srv, "selfverify")
	if w := a.whoami(); !w.DeviceVerified {
		t.Fatalf("first device after login: %+v", w)
	}
	b := &user{t: t, srv: srv, local: a.local, id: a.id, dir: t.TempDir()}
	b.login(t)
	if w := b.whoami(); w.DeviceVerified || w.DeviceID != b.device {
		t.Fatalf("second device before verification: %+v", w)
	}
	in := a.start("verify", "--incoming", "--yes", "--timeout", "90s")
	out := b.start("verify", a.id, "--device", a.device, "--yes", "--timeout", "90s")
	if r := out.wait(2 * time.Minute); r.code != 0 {
		t.Fatalf("verify (second device): %v", r)
	}
	if r := in.wait(2 * time.Minute); r.code != 0 {
		t.Fatalf("verify --incoming (first device): %v", r)
	}
	if w := b.whoami(); !w.DeviceVerified {
		t.Fatalf("second device after bosctl verify: %+v", w)
	}
}

// A device deleted on the server (here by another login of the user): the next sync fails with
// one clear line and a non-zero exit. Without remote wipe (no policy) the data dir is kept.
func TestSyncAfterDeviceDeleted(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	u := loggedIn(t, srv, "deleted")
	u.ok("sync", "--once")
	token := matrixLogin(t, srv, u.local)
	auth := map[string]any{"auth": map[string]any{"type": "m.login.password", "password": testPassword,
		"identifier": map[string]string{"type": "m.id.user", "user": u.local}}}
	matrixCall(t, http.MethodDelete, srv.URL+"/_matrix/client/v3/devices/"+u.device, token, auth, nil)
	mustFail(t, u.run("sync", "--once"), 1, "signed out on the server")
	for _, name := range []string{"bos.db", "crypto.db", "storekey.json"} {
		if !fileExists(filepath.Join(u.dir, name)) {
			t.Errorf("%s deleted without remote wipe", name)
		}
	}
}
