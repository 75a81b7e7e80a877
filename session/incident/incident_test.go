package incident

import (
	"errors"
	"strings"
	"testing"
	"time"

	"bosmessenger/session/alert"
)

const example = `{"templates": [
  {
    "id": "brand",
    "name": "Brandeinsatz",
    "room_name": "{date} {time} {keyword} – {address}",
    "topic": "Einsatz {keyword}, {address} (Vorlage {template})",
    "power_levels": {"users": {"@wf:feuerwehr.example.de": 50}, "users_default": 0},
    "invitees": ["@wf:feuerwehr.example.de", "@thw:thw.example.de"],
    "alert": {"keyword": "B3", "text": "Bitte Rückmeldung bis {time}", "units": ["HLF 20-1"], "deadline": "10m", "required": 6}
  },
  {"id": "uebung", "encrypted": false, "alert": {"priority": "info"}}
]}`

func TestParseAndPlan(t *testing.T) {
	ts, err := Parse("test.json", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].ID != "brand" || ts[0].DisplayName() != "Brandeinsatz" || ts[1].DisplayName() != "uebung" ||
		!ts[0].IsEncrypted() || ts[1].IsEncrypted() {
		t.Fatalf("parsed: %+v", ts)
	}
	now := time.Date(2026, 12, 3, 18, 5, 0, 0, time.UTC) // 19:05 in Berlin
	p, err := ts[0].Plan(Input{Address: " Hauptstr. 1 "}, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.RoomName != "03.12.2026 19:05 B3 – Hauptstr. 1" || p.Topic != "Einsatz B3, Hauptstr. 1 (Vorlage Brandeinsatz)" || !p.Encrypted ||
		len(p.Invitees) != 2 || p.PowerLevels.Users["@wf:feuerwehr.example.de"] != 50 {
		t.Fatalf("plan: %+v", p)
	}
	a := p.Alert
	if a.Keyword != "B3" || a.Text != "Bitte Rückmeldung bis 19:05" || a.Address != "Hauptstr. 1" || a.Required != 6 ||
		a.DeadlineTS != now.Add(10*time.Minute).UnixMilli() || a.Priority != alert.PriorityAlarm || a.ID == "" || len(a.Units) != 1 {
		t.Fatalf("alert: %+v", a)
	}
	// The keyword given wins, an empty address leaves no separator behind, a text given wins.
	p, err = ts[0].Plan(Input{Keyword: "B4 Brand Industrie", Text: "Halle 3"}, now)
	if err != nil || p.RoomName != "03.12.2026 19:05 B4 Brand Industrie" || p.Topic != "Einsatz B4 Brand Industrie (Vorlage Brandeinsatz)" ||
		p.Alert.Text != "Halle 3" {
		t.Fatalf("plan: %+v %v", p, err)
	}
	// No keyword anywhere.
	if _, err := ts[1].Plan(Input{}, now); !errors.Is(err, alert.ErrInvalid) || !strings.Contains(err.Error(), "keyword is missing") {
		t.Fatalf("no keyword: %v", err)
	}
	p, err = ts[1].Plan(Input{Keyword: "Übung"}, now)
	if err != nil || p.RoomName != "03.12.2026 19:05 Übung" || p.Alert.Priority != alert.PriorityInfo || p.PowerLevels != nil {
		t.Fatalf("default pattern: %+v %v", p, err)
	}
	// A bare array works too, and literal braces.
	ts, err = Parse("x", []byte(`[{"id": "a", "room_name": "{{{keyword}}} {iso_date}"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := ts[0].Plan(Input{Keyword: "K"}, now); p.RoomName != "{K} 2026-12-03" {
		t.Fatalf("braces: %q", p.RoomName)
	}
}

func TestParseErrorsNameTemplateAndField(t *testing.T) {
	for doc, want := range map[string]string{
		`[{"id": "a", "room_nam": "x"}]`:                          `template "a" (#1): unknown field "room_nam"`,
		`[{"id": "a"}, {"id": "b", "room_name": "{datum}"}]`:      `template "b" (#2): room_name: unknown placeholder {datum}`,
		`[{"id": "a", "topic": "{keyword"}]`:                      `template "a" (#1): topic: unclosed {`,
		`[{"name": "x"}]`:                                         `template #1: id: missing`,
		`[{"id": "a b"}]`:                                         `id: "a b": use 1 to 64`,
		`[{"id": "a"}, {"id": "a"}]`:                              `template "a" (#2): id: "a" is also the id of template #1`,
		`[{"id": "a", "invitees": ["wf@example"]}]`:               `invitees: "wf@example" is not a Matrix user ID`,
		`[{"id": "a", "invitees": ["@a:x", "@a:x"]}]`:             `invitees: @a:x is named twice`,
		`[{"id": "a", "power_levels": {"users": {"@a:x": 101}}}]`: `power_levels.users: @a:x: level 101`,
		`[{"id": "a", "power_levels": {"users_default": -1}}]`:    `power_levels.users_default: level -1`,
		`[{"id": "a", "alert": {"deadline": "10 Minuten"}}]`:      `alert.deadline: "10 Minuten" is not a duration`,
		`[{"id": "a", "alert": {"required": "6"}}]`:               `template "a" (#1): alert.required: expected a whole number, got a JSON string`,
		`[{"id": "a", "alert": {"priority": "hoch"}}]`:            `alert.priority: "hoch": expected alarm or info`,
		`[{"id": "a", "alert": {"units": [""]}}]`:                 `alert.units: an empty unit`,
		`[{"id": "a", "encrypted": "ja"}]`:                        `encrypted: expected true or false`,
		`{"vorlagen": []}`:                                        `unknown field "vorlagen"`,
		`"brand"`:                                                 `expected {"templates": [...]}`,
		`[1]`:                                                     `template #1: expected an object`,
	} {
		_, err := Parse("vorlagen.json", []byte(doc))
		if !errors.Is(err, ErrInvalidTemplate) || !strings.Contains(err.Error(), "vorlagen.json: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %q", doc, err, want)
		}
	}
}

func TestMerge(t *testing.T) {
	local := []Template{{ID: "brand", Name: "lokal", Source: "/x.json"}, {ID: "thl", Source: "/x.json"}}
	pol := []Template{{ID: "brand", Name: "admin"}, {ID: "mane"}}
	got := Merge(pol, true, local)
	if len(got) != 3 || got[0].Name != "admin" || !got[0].Managed || got[0].Source != SourcePolicy || got[1].ID != "mane" || got[2].ID != "thl" || got[2].Managed {
		t.Fatalf("managed: %+v", got)
	}
	got = Merge(pol, false, local)
	if len(got) != 3 || got[0].ID != "mane" || got[0].Managed || got[1].Name != "lokal" || got[2].ID != "thl" {
		t.Fatalf("recommended: %+v", got)
	}
	if _, ok := Find(got, "nope"); ok {
		t.Fatal("found nope")
	}
}
