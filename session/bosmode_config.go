package session

import (
	"bosmessenger/session/policy"
)

// ApplyPolicy sets everything of cfg that the effective policy decides: the Policy hook (an
// Enforcer), ExcludeInsecureDevices, RequireDeviceVerification, RemoteWipe and the managed
// settings (applyManaged). bosctl and the
// desktop app both build their config with it, so they behave the same.
func ApplyPolicy(cfg Config, p *policy.Policy) Config {
	e := NewEnforcer(p)
	cfg.Policy = e
	cfg.ExcludeInsecureDevices = cfg.ExcludeInsecureDevices || p.ExcludeInsecureDevices()
	if p.Setting(policy.KeyExcludeInsecureDevices).Enforced {
		cfg.ExcludeInsecureDevices = p.ExcludeInsecureDevices()
	}
	cfg.RequireDeviceVerification = p.RequireDeviceVerification()
	cfg.RemoteWipe = p.RemoteWipe()
	return applyManaged(cfg, p)
}

// LoadPolicyConfig loads this machine's policy (policy.Load), logs its warnings to cfg.Log and
// applies it to cfg.
func LoadPolicyConfig(cfg Config) (Config, *policy.Policy, error) {
	p, err := policy.Load()
	if err != nil {
		return cfg, nil, err
	}
	for _, w := range p.Warnings {
		cfg.Log.Warn().Str("warning", w).Msg("Policy warning")
	}
	return ApplyPolicy(cfg, p), p, nil
}
