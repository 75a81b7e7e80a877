//go:build !windows && !android && !ios && !js && !wasip1

package policy

// osSources on Linux, the BSDs and macOS: the managed preferences (macOS, managedPrefs), then the
// system policy file and its policy.d drop-ins.
func osSources() ([]Source, error) {
	srcs, err := managedPrefs()
	if err != nil {
		return nil, err
	}
	files, err := FileSources(SystemFile())
	return append(srcs, files...), err
}
