package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeBOM(t *testing.T, dir, name, main string, deps []string) string {
	t.Helper()
	ref := "pkg:golang/bosmessenger@v0.0.0-20261203084236-2e99ce5b5640?type=module#cmd/" + main
	b := map[string]any{
		"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
		"metadata": map[string]any{"component": map[string]any{"bom-ref": ref, "type": "application", "name": "bosmessenger", "version": "v0.0.0-20261203084236-2e99ce5b5640"}},
		"components": func() []map[string]any {
			var cs []map[string]any
			for _, d := range deps {
				cs = append(cs, map[string]any{"bom-ref": d, "type": "library", "name": d})
			}
			return cs
		}(),
		"dependencies": []map[string]any{{"ref": ref, "dependsOn": deps}},
	}
	data, _ := json.Marshal(b)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMergeJoinsProgramsAndSetsVersion(t *testing.T) {
	dir := t.TempDir()
	a := writeBOM(t, dir, "a.json", "bosctl", []string{"lib-a", "lib-shared"})
	b := writeBOM(t, dir, "b.json", "bosmessenger", []string{"lib-shared", "lib-b"})
	out := filepath.Join(dir, "out.json")
	if err := run([]string{"-version", "1.2.3", "-commit", "abc", "-epoch", "1796287356", "-o", out, a, b}, nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(out)
	if strings.Contains(string(raw), "2e99ce5b5640") {
		t.Fatalf("pseudo-version left in the SBOM: %s", raw)
	}
	var got bom
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Metadata.Timestamp != "2026-12-03T08:42:36Z" || got.Metadata.Component["name"] != "BOS Messenger" || got.Metadata.Component["version"] != "1.2.3" {
		t.Fatalf("metadata: %+v", got.Metadata)
	}
	apps := got.Metadata.Component["components"].([]any)
	if len(apps) != 2 || apps[0].(map[string]any)["name"] != "bosctl" || apps[1].(map[string]any)["name"] != "bosmessenger" {
		t.Fatalf("programs: %v", apps)
	}
	if len(got.Components) != 3 {
		t.Fatalf("components (want the 3 distinct libraries): %v", got.Components)
	}
	var top dependency
	for _, d := range got.Dependencies {
		if d.Ref == "bos-messenger@1.2.3" {
			top = d
		}
	}
	if len(top.DependsOn) != 2 || !strings.HasSuffix(top.DependsOn[0], "#cmd/bosctl") || !strings.Contains(top.DependsOn[0], "bosmessenger@v1.2.3") {
		t.Fatalf("top dependency: %+v", top)
	}
	// Same inputs, same bytes.
	out2 := filepath.Join(dir, "out2.json")
	if err := run([]string{"-version", "1.2.3", "-commit", "abc", "-epoch", "1796287356", "-o", out2, a, b}, nil); err != nil {
		t.Fatal(err)
	}
	if raw2, _ := os.ReadFile(out2); string(raw2) != string(raw) {
		t.Fatal("two merges of the same inputs differ")
	}
}
