//go:build android || ios || js || wasip1

package policy

// osSources on mobile: none of their own; the app hands its MDM configuration over with
// SetManagedConfig.
func osSources() ([]Source, error) { return nil, nil }
