// Package policy is the typed administrator policy of BOS Messenger: one table of keys (Keys), the
// sources that set them (a JSON file today; registry, plist and MDM sources later), and the
// effective policy resolved from them. Every key is either managed (enforced, the user cannot
// change it) or recommended (a default the user may change); unknown keys are reported as
// warnings, wrong types are errors naming the source and the key. The package is pure Go and
// builds for every GOOS; the session engine enforces what it says.
package policy
