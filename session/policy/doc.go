// Package policy is the typed administrator policy of BOS Messenger: one table of keys (Keys), the
// sources that set them (JSON files with policy.d drop-ins, the Windows registry, macOS managed
// preferences, a mobile MDM configuration: channels.go), and the effective policy resolved from
// them. Every key is either managed (enforced, the user cannot
// change it) or recommended (a default the user may change); unknown keys are reported as
// warnings, wrong types are errors naming the source and the key. The package is pure Go and
// builds for every GOOS; the session engine enforces what it says.
package policy
