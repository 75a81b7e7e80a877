package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bosmessenger/session"
	"bosmessenger/session/incident"
)

// The templates of a data dir and of the policy (JSON, or a file the policy names) merge: a
// recommended policy gives way to a local template of the same ID, a managed one wins and is
// marked; --templates/Config.IncidentTemplatesFile must exist; broken documents name their source.
func TestLoadIncidentTemplates(t *testing.T) {
	dir := t.TempDir()
	write := func(path, doc string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, session.IncidentTemplatesFile), `[{"id": "brand", "name": "lokal"}, {"id": "thl"}]`)
	adminFile := filepath.Join(t.TempDir(), "admin.json")
	write(adminFile, `{"templates": [{"id": "brand", "name": "admin"}, {"id": "mane"}]}`)
	load := func(policyDoc string, file string) ([]incident.Template, error) {
		cfg := session.Config{DataDir: dir, IncidentTemplatesFile: file}
		if policyDoc != "" {
			cfg = session.ApplyPolicy(cfg, policyFrom(t, policyDoc))
		}
		return session.LoadIncidentTemplates(cfg)
	}
	ids := func(ts []incident.Template) string {
		var out []string
		for _, t := range ts {
			s := t.ID + "=" + t.DisplayName()
			if t.Managed {
				s += "*"
			}
			out = append(out, s)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct{ policy, file, want string }{
		{"", "", "brand=lokal,thl=thl"},
		{`{"recommended": {"incident_templates": "` + adminFile + `"}}`, "", "mane=mane,brand=lokal,thl=thl"},
		{`{"managed": {"incident_templates": "` + adminFile + `"}}`, "", "brand=admin*,mane=mane*,thl=thl"},
		{`{"managed": {"incident_templates": [{"id": "x"}]}}`, adminFile, "x=x*,brand=admin,mane=mane"},
	} {
		ts, err := load(c.policy, c.file)
		if err != nil || ids(ts) != c.want {
			t.Errorf("policy %s, file %q: %s %v, want %s", c.policy, c.file, ids(ts), err, c.want)
		}
	}
	if ts, _ := load(`{"managed": {"incident_templates": "`+adminFile+`"}}`, ""); ts[0].Source != incident.SourcePolicy || ts[2].Source != filepath.Join(dir, session.IncidentTemplatesFile) {
		t.Errorf("sources: %+v", ts)
	}
	if _, err := load("", filepath.Join(dir, "fehlt.json")); err == nil || !strings.Contains(err.Error(), "fehlt.json") {
		t.Errorf("missing --templates file: %v", err)
	}
	if _, err := load(`{"managed": {"incident_templates": "/nonexistent/t.json"}}`, ""); err == nil ||
		!strings.Contains(err.Error(), "/nonexistent/t.json (policy incident_templates)") {
		t.Errorf("missing policy file: %v", err)
	}
	if _, err := load(`{"managed": {"incident_templates": [{"id": "a", "invitees": ["nobody"]}]}}`, ""); !errors.Is(err, incident.ErrInvalidTemplate) ||
		!strings.Contains(err.Error(), `policy incident_templates: template "a" (#1): invitees`) {
		t.Errorf("broken policy template: %v", err)
	}
	write(filepath.Join(dir, session.IncidentTemplatesFile), `[{"id": "a", "topic": "{x}"}]`)
	if _, err := load("", ""); !errors.Is(err, incident.ErrInvalidTemplate) || !strings.Contains(err.Error(), session.IncidentTemplatesFile) {
		t.Errorf("broken local template: %v", err)
	}
}
