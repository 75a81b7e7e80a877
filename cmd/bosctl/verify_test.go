package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/jspeer"
)

type deviceJSON struct {
	DeviceID    string `json:"device_id"`
	Name        string `json:"name"`
	Verified    bool   `json:"verified"`
	CrossSigned bool   `json:"cross_signed"`
	Own         bool   `json:"own"`
}

func (u *user) devices(args ...string) []deviceJSON {
	u.t.Helper()
	r := u.ok(append([]string{"devices", "--json"}, args...)...)
	var out []deviceJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		u.t.Fatalf("devices --json: %v: %v", err, r)
	}
	return out
}

// TestVerifyWithJSPeer: bosctl login cross-signs the device; verify --yes runs SAS with a
// matrix-js-sdk peer (emojis printed as the peer shows them); devices then shows the peer verified.
// verify --incoming accepts the peer's request, and an unconfirmed SAS cancels with an error.
func TestVerifyWithJSPeer(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a := loggedIn(t, srv, "verifier")
	own := a.devices()
	if len(own) != 1 || own[0].DeviceID != a.device || !own[0].Verified || !own[0].CrossSigned || !own[0].Own {
		t.Fatalf("own devices after login: %+v", own)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bob := newUser(t, srv, "jsverify")
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx, bob.local, testPassword); err != nil {
		t.Fatal(err)
	}
	if err := js.BootstrapCrossSigning(ctx, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := a.createRoom("--name", "Verify", "--encrypted", "--invite", js.UserID())
	if _, err := js.Join(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if d := a.devices(js.UserID()); len(d) != 1 || d[0].DeviceID != js.DeviceID() || d[0].Verified || !d[0].CrossSigned {
		t.Fatalf("js device before verification: %+v", d)
	}

	v := a.start("verify", js.UserID(), "--device", js.DeviceID(), "--yes", "--timeout", "90s")
	if _, _, err := js.AcceptVerification(ctx); err != nil {
		t.Fatal(err)
	}
	emojis, err := js.SASEmojis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := js.ConfirmSAS(ctx); err != nil {
		t.Fatal(err)
	}
	r := v.wait(2 * time.Minute)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("verify: %v", r)
	}
	if got := printedEmojiNames(r); !slices.Equal(got, emojis) {
		t.Fatalf("bosctl showed %v, js %v: %v", got, emojis, r)
	}
	if d := a.devices(js.UserID()); len(d) != 1 || !d[0].Verified {
		t.Fatalf("js device after verification: %+v", d)
	}

	// The peer asks; bosctl verify --incoming accepts and confirms.
	in := a.start("verify", "--incoming", "--yes", "--timeout", "90s")
	if err := js.RequestVerification(ctx, a.id, a.device); err != nil {
		t.Fatal(err)
	}
	if emojis, err = js.SASEmojis(ctx); err != nil {
		t.Fatal(err)
	}
	if err := js.ConfirmSAS(ctx); err != nil {
		t.Fatal(err)
	}
	if r := in.wait(2 * time.Minute); r.code != 0 || !slices.Equal(printedEmojiNames(r), emojis) {
		t.Fatalf("verify --incoming: %v (js %v)", r, emojis)
	}

	// Without --yes and without a "y" on stdin the SAS is cancelled as a mismatch.
	no := a.start("verify", js.UserID(), "--timeout", "90s")
	if _, _, err := js.AcceptVerification(ctx); err != nil {
		t.Fatal(err)
	}
	r = no.wait(2 * time.Minute)
	if r.code == 0 || !strings.Contains(r.stdout, "Match? [y/N]") || !strings.Contains(r.stderr, "do not match") {
		t.Fatalf("verify without confirmation: %v", r)
	}
}

// printedEmojiNames extracts the emoji names ("SYMBOL NAME" lines) from verify's output.
func printedEmojiNames(r result) []string {
	var names []string
	for _, l := range r.lines() {
		if sym, name, ok := strings.Cut(l, " "); ok && !strings.ContainsAny(sym, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			names = append(names, name)
		}
	}
	return names
}
