package policy

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Source name prefixes of the channels (the files keep their bare path, the defaults SourceDefault).
const (
	SourcePrefixGPO = "Gruppenrichtlinie " // Windows registry policies (GPO, Intune ADMX ingestion)
	SourcePrefixMDM = "MDM "               // macOS managed preferences, Android and iOS managed configuration
)

// Channel kinds, as SourceKind names them (the GUI shows them translated).
const (
	KindGPO     = "gpo"
	KindMDM     = "mdm"
	KindFile    = "file"
	KindDefault = "default"
)

// SourceKind tells from a setting's Source which channel set it.
func SourceKind(source string) string {
	switch {
	case source == SourceDefault || source == "":
		return KindDefault
	case strings.HasPrefix(source, SourcePrefixGPO):
		return KindGPO
	case strings.HasPrefix(source, SourcePrefixMDM):
		return KindMDM
	}
	return KindFile
}

var (
	mdmMu     sync.Mutex
	mdmSource *Source
	mdmErr    error
)

// SetManagedConfig installs the managed configuration a mobile app received from its MDM
// (Android RestrictionsManager, iOS com.apple.configuration.managed; see package mobile). It
// counts after the OS channels; nil removes it.
func SetManagedConfig(src *Source) {
	mdmMu.Lock()
	defer mdmMu.Unlock()
	mdmErr = nil
	if src == nil {
		mdmSource = nil
		return
	}
	c := *src
	mdmSource = &c
}

// SetManagedConfigFailed records that the mobile managed configuration could not be read: Load
// fails with err until SetManagedConfig replaces it (fail closed: a device whose MDM values are
// broken does not run as if it had none).
func SetManagedConfigFailed(err error) {
	mdmMu.Lock()
	defer mdmMu.Unlock()
	mdmSource, mdmErr = nil, err
}

// channelSources lists the sources of this OS (osSources, per GOOS) and the mobile managed
// configuration, in precedence order.
func channelSources() ([]Source, error) {
	srcs, err := osSources()
	if err != nil {
		return nil, err
	}
	mdmMu.Lock()
	defer mdmMu.Unlock()
	if mdmErr != nil {
		return nil, mdmErr
	}
	if mdmSource != nil {
		srcs = append(srcs, *mdmSource)
	}
	return srcs, nil
}

// noteConflict warns when a source that loses (lower precedence) sets another value than the
// winning one, as Chrome's policy page does: admins see which channel decides.
func (p *Policy) noteConflict(winner Setting, loser string, v any) {
	if reflect.DeepEqual(winner.Value, v) || winner.Source == loser {
		return
	}
	p.Warnings = append(p.Warnings, fmt.Sprintf("policy: %s is set by %s and by %s; %s wins", winner.Key,
		winner.Source, loser, winner.Source))
}

// platformWarnings names the keys that cannot work on goos: screenshot_protection needs
// SetWindowDisplayAffinity (Windows) or FLAG_SECURE (Android).
func platformWarnings(p *Policy, goos string) []string {
	if p.Bool(KeyScreenshotProtection) && goos != "windows" && goos != "android" {
		return []string{fmt.Sprintf("policy: screenshot_protection has no effect on %s: the system gives apps no way to keep their window out of screenshots", goos)}
	}
	return nil
}
