// Command sbommerge joins the CycloneDX SBOMs of BOS Messenger's programs (cyclonedx-gomod app, one
// per program) into one SBOM of the product: the top component is "BOS Messenger" VERSION with the
// programs as its sub-components, the libraries and the dependency graph are the union of the inputs.
// The main module's version becomes the release version (the input's pseudo-version may come from a
// throwaway repository) and the timestamp is SOURCE_DATE_EPOCH, so the output is reproducible.
//
//	go run ./internal/tools/sbommerge -version 0.1.0 -commit HASH -epoch 1796287356 -o sbom.cdx.json in...
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

type bom struct {
	BOMFormat    string           `json:"bomFormat"`
	SpecVersion  string           `json:"specVersion"`
	Version      int              `json:"version"`
	Metadata     metadata         `json:"metadata"`
	Components   []map[string]any `json:"components,omitempty"`
	Dependencies []dependency     `json:"dependencies,omitempty"`
}

type metadata struct {
	Timestamp string         `json:"timestamp,omitempty"`
	Tools     any            `json:"tools,omitempty"`
	Component map[string]any `json:"component"`
}

type dependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sbommerge:", err)
		os.Exit(1)
	}
}

func run(argv []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sbommerge", flag.ContinueOnError)
	version := fs.String("version", "", "release version (FyneApp.toml)")
	commit := fs.String("commit", "", "git commit of the build")
	epoch := fs.Int64("epoch", 0, "build time, seconds since 1970 (SOURCE_DATE_EPOCH)")
	out := fs.String("o", "-", "output file")
	if err := fs.Parse(argv); err != nil {
		return err
	}
	if *version == "" || fs.NArg() == 0 {
		return errors.New("usage: sbommerge -version V [-commit C] [-epoch S] [-o FILE] INPUT_JSON_FILES")
	}
	var inputs []bom
	for _, p := range fs.Args() {
		b, err := readBOM(p, "v"+*version)
		if err != nil {
			return err
		}
		inputs = append(inputs, b)
	}
	merged, err := merge(inputs, *version, *commit, *epoch)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode the SBOM: %w", err)
	}
	data = append(data, '\n')
	if *out == "-" {
		_, err = stdout.Write(data)
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("failed to write %s: %w", *out, err)
	}
	return nil
}

// readBOM reads one input and replaces the main module's version with the release version.
func readBOM(path, release string) (bom, error) {
	var b bom
	raw, err := os.ReadFile(path)
	if err != nil {
		return b, fmt.Errorf("failed to read %s: %w", path, err)
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return b, fmt.Errorf("failed to parse %s: %w", path, err)
	}
	name, _ := b.Metadata.Component["name"].(string)
	old, _ := b.Metadata.Component["version"].(string)
	if name == "" || old == "" {
		return b, fmt.Errorf("%s: no metadata.component name and version", path)
	}
	text := strings.ReplaceAll(string(raw), name+"@"+old, name+"@"+release)
	b = bom{}
	if err := json.Unmarshal([]byte(text), &b); err != nil {
		return b, fmt.Errorf("failed to parse %s: %w", path, err)
	}
	b.Metadata.Component["version"] = release
	return b, nil
}

func merge(inputs []bom, version, commit string, epoch int64) (bom, error) {
	top := map[string]any{
		"bom-ref": "bos-messenger@" + version,
		"type":    "application",
		"name":    "BOS Messenger",
		"version": version,
	}
	if commit != "" {
		top["properties"] = []map[string]string{{"name": "git:commit", "value": commit}}
	}
	out := bom{BOMFormat: "CycloneDX", SpecVersion: inputs[0].SpecVersion, Version: 1}
	out.Metadata.Timestamp = time.Unix(epoch, 0).UTC().Format(time.RFC3339)
	out.Metadata.Tools = inputs[0].Metadata.Tools
	out.Metadata.Component = top

	comps := map[string]map[string]any{}
	deps := map[string]map[string]bool{}
	var apps []map[string]any
	var appRefs []string
	for _, in := range inputs {
		ref, _ := in.Metadata.Component["bom-ref"].(string)
		if ref == "" {
			return out, fmt.Errorf("an input has no metadata.component bom-ref")
		}
		// cyclonedx-gomod names each program after the module; name it after its main package
		// (the bom-ref ends in #cmd/NAME).
		if i := strings.LastIndex(ref, "#"); i >= 0 {
			in.Metadata.Component["name"] = path.Base(ref[i+1:])
		}
		apps = append(apps, in.Metadata.Component)
		appRefs = append(appRefs, ref)
		for _, c := range in.Components {
			r, _ := c["bom-ref"].(string)
			if _, ok := comps[r]; !ok {
				comps[r] = c
			}
		}
		for _, d := range in.Dependencies {
			if deps[d.Ref] == nil {
				deps[d.Ref] = map[string]bool{}
			}
			for _, on := range d.DependsOn {
				deps[d.Ref][on] = true
			}
		}
	}
	top["components"] = apps
	deps[top["bom-ref"].(string)] = map[string]bool{}
	for _, r := range appRefs {
		deps[top["bom-ref"].(string)][r] = true
	}
	for _, r := range sortedKeys(comps) {
		out.Components = append(out.Components, comps[r])
	}
	for _, r := range sortedKeys(deps) {
		out.Dependencies = append(out.Dependencies, dependency{Ref: r, DependsOn: sortedKeys(deps[r])})
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
