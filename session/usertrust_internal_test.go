package session

import (
	"testing"

	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// The trust state follows from the pinned identity and the current one; every case with the pin
// it leaves behind.
func TestEvaluateIdentity(t *testing.T) {
	const u = id.UserID("@bob:example.org")
	const k1, k2, k3 = id.Ed25519("key1"), id.Ed25519("key2"), id.Ed25519("key3")
	pin := func(key id.Ed25519, verified bool, seen id.Ed25519) store.IdentityPin {
		return store.IdentityPin{UserID: u.String(), MasterKey: key.String(), Verified: verified, SeenKey: seen.String()}
	}
	cur := func(key, first id.Ed25519, verified bool) e2ee.Identity {
		return e2ee.Identity{UserID: u, MasterKey: key, FirstMasterKey: first, Verified: verified}
	}
	cases := []struct {
		name        string
		pin         store.IdentityPin
		pinned      bool
		cur         e2ee.Identity
		state       UserTrustState
		wasVerified bool
		next        store.IdentityPin
		write       bool
	}{
		{"no keys, no pin", store.IdentityPin{}, false, cur("", "", false), UserNoCrossSigning, false, store.IdentityPin{}, false},
		{"no keys, pinned", pin(k1, false, ""), true, cur("", "", false), UserIdentityChanged, false, pin(k1, false, ""), false},
		{"first sight", store.IdentityPin{}, false, cur(k1, k1, false), UserUnverified, false, pin(k1, false, ""), true},
		{"first sight, verified", store.IdentityPin{}, false, cur(k1, k1, true), UserVerified, true, pin(k1, true, ""), true},
		{"first sight after an unpinned change", store.IdentityPin{}, false, cur(k2, k1, false), UserIdentityChanged, false, pin(k1, false, k2), true},
		{"first sight, changed and verified", store.IdentityPin{}, false, cur(k2, k1, true), UserVerified, true, pin(k2, true, ""), true},
		{"pinned, unchanged", pin(k1, false, ""), true, cur(k1, k1, false), UserUnverified, false, pin(k1, false, ""), false},
		{"pinned, verified now", pin(k1, false, ""), true, cur(k1, k1, true), UserVerified, true, pin(k1, true, ""), true},
		{"verified, unchanged", pin(k1, true, ""), true, cur(k1, k1, true), UserVerified, true, pin(k1, true, ""), false},
		{"verified, signature gone", pin(k1, true, ""), true, cur(k1, k1, false), UserUnverified, false, pin(k1, false, ""), true},
		{"verified, changed", pin(k1, true, ""), true, cur(k2, k1, false), UserIdentityChanged, true, pin(k1, true, k2), true},
		{"verified, change already seen", pin(k1, true, k2), true, cur(k2, k1, false), UserIdentityChanged, true, pin(k1, true, k2), false},
		{"verified, changed again", pin(k1, true, k2), true, cur(k3, k1, false), UserIdentityChanged, true, pin(k1, true, k3), true},
		{"pinned, changed", pin(k1, false, ""), true, cur(k2, k1, false), UserIdentityChanged, false, pin(k1, false, k2), true},
		{"changed, verified again", pin(k1, true, k2), true, cur(k2, k1, true), UserVerified, true, pin(k2, true, ""), true},
		{"acknowledged pin of the new key", pin(k2, false, ""), true, cur(k2, k1, false), UserUnverified, false, pin(k2, false, ""), false},
	}
	for _, c := range cases {
		info, next, write := evaluateIdentity(c.pin, c.pinned, c.cur)
		if info.State != c.state || info.WasVerified != c.wasVerified || next != c.next || write != c.write ||
			info.MasterKey != c.cur.MasterKey.String() || info.UserID != u {
			t.Errorf("%s: got %s wasVerified=%v next=%+v write=%v, want %s %v %+v %v",
				c.name, info.State, info.WasVerified, next, write, c.state, c.wasVerified, c.next, c.write)
		}
		if c.state != UserNoCrossSigning && info.PinnedKey != next.MasterKey {
			t.Errorf("%s: pinned key %q, pin holds %q", c.name, info.PinnedKey, next.MasterKey)
		}
	}
}
