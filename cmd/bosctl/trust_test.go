package main

import (
	"encoding/json"
	"testing"
)

type trustJSON struct {
	UserID      string `json:"user_id"`
	State       string `json:"state"`
	MasterKey   string `json:"master_key"`
	PinnedKey   string `json:"pinned_key"`
	WasVerified bool   `json:"was_verified"`
	Devices     []struct {
		DeviceID    string `json:"device_id"`
		Verified    bool   `json:"verified"`
		CrossSigned bool   `json:"cross_signed"`
	} `json:"devices"`
}

func (u *user) trust(args ...string) trustJSON {
	u.t.Helper()
	r := u.ok(append([]string{"trust", "--json"}, args...)...)
	var out trustJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		u.t.Fatalf("trust --json: %v: %v", err, r)
	}
	return out
}

// TestTrust: our own identity is verified after login; another bosctl user is cross-signed but
// not verified by us (pinned on first sight); acknowledging leaves them unverified; --acknowledge
// needs a user.
func TestTrust(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "truster"), loggedIn(t, srv, "trusted")
	own := a.trust()
	if own.UserID != a.id || own.State != "verified" || own.MasterKey == "" || own.PinnedKey != own.MasterKey ||
		len(own.Devices) != 1 || own.Devices[0].DeviceID != a.device || !own.Devices[0].Verified {
		t.Fatalf("own trust: %+v", own)
	}
	other := a.trust(b.id)
	if other.UserID != b.id || other.State != "unverified" || other.MasterKey == "" || other.MasterKey == own.MasterKey ||
		other.PinnedKey != other.MasterKey || other.WasVerified || len(other.Devices) != 1 ||
		other.Devices[0].DeviceID != b.device || other.Devices[0].Verified || !other.Devices[0].CrossSigned {
		t.Fatalf("trust of another user: %+v", other)
	}
	if acked := a.trust(b.id, "--acknowledge"); acked.State != "unverified" || acked.PinnedKey != other.MasterKey {
		t.Fatalf("trust after acknowledging an unchanged identity: %+v", acked)
	}
	mustFail(t, a.run("trust", "--acknowledge"), exitUsage, "usage")
}
