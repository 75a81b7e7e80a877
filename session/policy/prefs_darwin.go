//go:build darwin && !ios

package policy

import "os/user"

// managedPrefs reads the managed preferences of the app ID for the current user, then for the
// computer.
func managedPrefs() ([]Source, error) {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return ManagedPrefsSources(ManagedPrefsDir, name, AppID)
}
