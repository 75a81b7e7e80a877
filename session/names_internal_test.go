package session

import (
	"fmt"
	"sync/atomic"
	"testing"

	"bosmessenger/store"
)

func TestCleanName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Leitstelle", "Leitstelle"},
		{"  Leit\tstelle \n Nord ", "Leit stelle Nord"},
		{"evil\u202eelle", "evilelle"},
		{"\u2066Leit\u2069stelle\u200e\u200f\u061c", "Leitstelle"},
		{"Leit\u200bstel\u00adle\ufeff\u2060", "Leitstelle"},
		{"\x1b]0;title\a", "]0;title"},
		{"Feuerwehr 👨\u200d🚒", "Feuerwehr 👨\u200d🚒"},
		{"\u3164\u2800\u200b", ""},
		{"Grüße 日本", "Grüße 日本"},
	} {
		if got := CleanName(tc.in); got != tc.want {
			t.Errorf("CleanName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNameTable(t *testing.T) {
	members := []*store.Member{
		{UserID: "@ls:bos.example", Name: "Leitstelle", Membership: "join"},
		{UserID: "@fake:evil.example", Name: "Leitstelle", Membership: "join"},
		{UserID: "@digits:evil.example", Name: "Leitste11e", Membership: "join"},
		{UserID: "@cyr:evil.example", Name: "L\u0435itstelle", Membership: "invite"}, // Cyrillic e
		{UserID: "@thw:thw.example", Name: "THW Ortsverband", Membership: "join"},
		{UserID: "@rlo:evil.example", Name: "Wache\u202e Nord", Membership: "join"},
		{UserID: "@idlike:evil.example", Name: "@ls:bos.example", Membership: "join"},
		{UserID: "@fakesuffix:evil.example", Name: "Boss (@ls:bos.example)", Membership: "join"},
		{UserID: "@blank:evil.example", Name: "\u200b\u202e ", Membership: "join"},
		{UserID: "@self:x.example", Name: "@self:x.example", Membership: "join"},
		{UserID: "@feuerwehr:evil.example", Name: "", Membership: "join"}, // localpart "feuerwehr"
		{UserID: "@fw:112.example", Name: "FEUERWEHR", Membership: "join"},
		{UserID: "@gone:evil.example", Name: "THW Ortsverband", Membership: "leave"},
		{UserID: "@solo:x.example", Name: "Rettungsdienst", Membership: "join"},
		{UserID: "@accents:evil.example", Name: "\u0301\u0301", Membership: "join"},
	}
	var orgs atomic.Pointer[OrgLookup]
	tab := newNameTable(members, &orgs)
	want := map[string]string{
		"@ls:bos.example":          "Leitstelle (@ls:bos.example)",
		"@fake:evil.example":       "Leitstelle (@fake:evil.example)",
		"@digits:evil.example":     "Leitste11e (@digits:evil.example)",
		"@cyr:evil.example":        "L\u0435itstelle (@cyr:evil.example)",
		"@thw:thw.example":         "THW Ortsverband",
		"@rlo:evil.example":        "Wache Nord",
		"@idlike:evil.example":     "@idlike:evil.example",
		"@fakesuffix:evil.example": "@fakesuffix:evil.example",
		"@blank:evil.example":      "@blank:evil.example",
		"@self:x.example":          "@self:x.example",
		"@feuerwehr:evil.example":  "feuerwehr (@feuerwehr:evil.example)",
		"@fw:112.example":          "FEUERWEHR (@fw:112.example)",
		"@gone:evil.example":       "THW Ortsverband (@gone:evil.example)", // left: shown beside the joined one
		"@solo:x.example":          "Rettungsdienst",
		"@accents:evil.example":    "@accents:evil.example",
	}
	for _, m := range members {
		if got := tab.name(m.UserID, m.Name); got != want[m.UserID] {
			t.Errorf("name(%s, %q) = %q, want %q", m.UserID, m.Name, got, want[m.UserID])
		}
	}
	// A sender who is no stored member: the localpart, disambiguated against the members.
	if got := tab.name("@rettungsdienst:evil.example", ""); got != "rettungsdienst (@rettungsdienst:evil.example)" {
		t.Errorf("unknown sender: %q", got)
	}

	// The organisation badge stays empty until a lookup is set, then comes from the server name.
	if org, vetted, unvetted := tab.org("@ls:bos.example"); org != "" || vetted || unvetted {
		t.Fatalf("org without lookup: %q %v %v", org, vetted, unvetted)
	}
	var s Session
	s.SetOrgLookup(func(server string) (string, bool, bool) {
		if server == "bos.example" {
			return "Leitstelle Nord", true, true
		}
		return "", false, server == "evil.example"
	})
	tab = newNameTable(members, &s.orgs)
	if org, vetted, unvetted := tab.org("@ls:bos.example"); org != "Leitstelle Nord" || !vetted || unvetted {
		t.Fatalf("org: %q %v %v", org, vetted, unvetted)
	}
	// A server the list knows but does not vet is marked unvetted; without an answer it is not.
	if org, vetted, unvetted := tab.org("@fake:evil.example"); org != "" || vetted || !unvetted {
		t.Fatalf("unvetted server: %q %v %v", org, vetted, unvetted)
	}
	if org, vetted, unvetted := tab.org("@x:other.example"); org != "" || vetted || unvetted {
		t.Fatalf("unknown server: %q %v %v", org, vetted, unvetted)
	}
}

// BenchmarkNameTable: the names of a 1000-member room, computed once per Timeline call.
func BenchmarkNameTable(b *testing.B) {
	members := make([]*store.Member, 1000)
	for i := range members {
		members[i] = &store.Member{UserID: fmt.Sprintf("@user%d:bos.example", i), Name: fmt.Sprintf("Einsatzkraft %d Wache Süd", i), Membership: "join"}
	}
	for b.Loop() {
		tab := newNameTable(members, nil)
		for _, m := range members[:50] {
			_ = tab.name(m.UserID, m.Name)
		}
	}
}
