//go:build !darwin || ios

package policy

func managedPrefs() ([]Source, error) { return nil, nil }
