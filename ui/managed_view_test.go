package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"bosmessenger/session/policy"
)

// The managed page shows every key with its value, the channel translated and a lock for the
// enforced ones.
func TestManagedPageListsEveryKeyWithSource(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	defer SetLang("de")
	reg := policy.Source{Name: policy.SourcePrefixGPO + `HKLM\SOFTWARE\Policies\BOSMessenger`,
		RecName:     policy.SourcePrefixGPO + `HKLM\SOFTWARE\Policies\BOSMessenger\Recommended`,
		Managed:     map[string]any{"max_upload_mb": uint64(25), "allowed_homeservers": []string{"a.example.de"}},
		Recommended: map[string]any{"theme": "dark"}}
	p, err := policy.Resolve(reg)
	if err != nil {
		t.Fatal(err)
	}
	rows := managedRows(p)
	if len(rows) != len(policy.Keys) {
		t.Fatalf("%d rows for %d keys", len(rows), len(policy.Keys))
	}
	sum := managedSummary(p)
	for _, want := range []string{"max_upload_mb\t25\tGruppenrichtlinie\ttrue", `allowed_homeservers	["a.example.de"]	Gruppenrichtlinie	true`,
		"theme\tdark\tGruppenrichtlinie\tfalse", "bos_mode\tfalse\tStandard\tfalse"} {
		if !strings.Contains(sum, want+"\n") {
			t.Errorf("page lacks %q:\n%s", want, sum)
		}
	}
	w := test.NewWindow(managedTab(p))
	defer w.Close()
	SetLang("en")
	if s := managedSummary(p); !strings.Contains(s, "max_upload_mb\t25\tGroup Policy\ttrue") {
		t.Errorf("English:\n%s", s)
	}
}
