package session_test

import (
	"testing"
	"time"

	"bosmessenger/session"
	"bosmessenger/session/policy"
)

func TestApplyPolicySetsTheSessionConfig(t *testing.T) {
	resolve := func(src policy.Source) *policy.Policy {
		t.Helper()
		p, err := policy.Resolve(src)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := session.ApplyPolicy(session.Config{}, resolve(policy.Source{Name: "t", Managed: map[string]any{"bos_mode": true}}))
	if _, ok := cfg.Policy.(*session.Enforcer); !ok || !cfg.ExcludeInsecureDevices || !cfg.RequireDeviceVerification || !cfg.RemoteWipe {
		t.Fatalf("BOS mode: %+v", cfg)
	}
	// Outside BOS mode the user's choice stands unless the policy enforces the key.
	cfg = session.ApplyPolicy(session.Config{ExcludeInsecureDevices: true}, resolve(policy.Source{Name: "t"}))
	if !cfg.ExcludeInsecureDevices || cfg.RequireDeviceVerification || cfg.RemoteWipe {
		t.Fatalf("defaults: %+v", cfg)
	}
	cfg = session.ApplyPolicy(session.Config{ExcludeInsecureDevices: true},
		resolve(policy.Source{Name: "t", Managed: map[string]any{"exclude_insecure_devices": false, "remote_wipe": true}}))
	if cfg.ExcludeInsecureDevices || !cfg.RemoteWipe {
		t.Fatalf("enforced off: %+v", cfg)
	}
	// alert_ack_jitter_s: the default window is 10 s, another value is taken, 0 means no delay.
	for _, c := range []struct {
		src  policy.Source
		want time.Duration
	}{
		{policy.Source{Name: "t"}, 10 * time.Second},
		{policy.Source{Name: "t", Managed: map[string]any{"alert_ack_jitter_s": 3}}, 3 * time.Second},
		{policy.Source{Name: "t", Managed: map[string]any{"alert_ack_jitter_s": 0}}, -1},
	} {
		if got := session.ApplyPolicy(session.Config{}, resolve(c.src)).AlertAckJitter; got != c.want {
			t.Errorf("%v: AlertAckJitter %v, want %v", c.src.Managed, got, c.want)
		}
	}
}
