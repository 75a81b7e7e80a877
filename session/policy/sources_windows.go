//go:build windows

package policy

// osSources on Windows: the registry policies (HKLM, then HKCU).
func osSources() ([]Source, error) { return RegistrySources(systemRegistry{}) }
