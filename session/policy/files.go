package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DropInDir is the directory of drop-in policy files beside a policy file: policy.json plus
// policy.d/*.json, as admins split Firefox and Chromium policies.
func DropInDir(file string) string { return filepath.Join(filepath.Dir(file), "policy.d") }

// FileSources reads a policy file and the *.json files of its drop-in dir. The files count in
// name order after the main file, a later file overriding an earlier one's keys; the result is
// in precedence order (the last drop-in first). Missing files and a missing dir are fine.
func FileSources(file string) ([]Source, error) {
	paths := []string{file}
	entries, err := os.ReadDir(DropInDir(file))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("failed to read policy dir %s: %w", DropInDir(file), err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") && !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, n := range names {
		paths = append(paths, filepath.Join(DropInDir(file), n))
	}
	var srcs []Source
	for _, p := range slices.Backward(paths) {
		src, found, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		if found {
			srcs = append(srcs, src)
		}
	}
	return srcs, nil
}
