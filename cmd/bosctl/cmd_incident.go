package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"bosmessenger/session"
	"bosmessenger/session/alert"
	"bosmessenger/session/incident"
)

func init() {
	commands["incident"] = command{"incident create --template T --keyword K [--address A] [--text T] [--json] [--templates FILE] [--timeout DURATION]" +
		" | incident templates [--json] [--templates FILE]", cmdIncident}
}

// defaultIncidentTimeout bounds waiting for the alert of a new incident room.
const defaultIncidentTimeout = 30 * time.Second

func cmdIncident(ctx context.Context, a *args) error {
	usage := "usage: bosctl " + commands["incident"].usage
	if len(a.pos) == 0 {
		return usageError{usage}
	}
	sub := a.pos[0]
	a.pos = a.pos[1:]
	allowed := map[string][]string{
		"create":    {"template", "keyword", "address", "text", "json", "templates", "timeout"},
		"templates": {"json", "templates"},
	}
	flags, ok := allowed[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown incident command %q (create, templates)", sub)}
	}
	for name := range a.flags {
		if name != "data" && name != "help" && !contains(flags, name) {
			return usageError{fmt.Sprintf("unknown flag --%s for incident %s", name, sub)}
		}
	}
	if len(a.pos) != 0 {
		return usageError{usage}
	}
	if sub == "templates" {
		return cmdIncidentTemplates(a)
	}
	return cmdIncidentCreate(ctx, a)
}

// incidentConfig is the session config with the --templates file.
func incidentConfig(a *args) (session.Config, func(), error) {
	cfg, closeLog, err := a.config()
	if err != nil {
		return cfg, nil, err
	}
	if _, given := a.flags["templates"]; given {
		if cfg.IncidentTemplatesFile = a.str("templates"); cfg.IncidentTemplatesFile == "" {
			closeLog()
			return cfg, nil, usageError{"--templates wants a file, not an empty string"}
		}
	}
	return cfg, closeLog, nil
}

// templateJSON is one line of incident templates --json.
type templateJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	RoomName  string   `json:"room_name"`
	Topic     string   `json:"topic"`
	Encrypted bool     `json:"encrypted"`
	Invitees  []string `json:"invitees"`
	Keyword   string   `json:"keyword"`
	Source    string   `json:"source"`
	Managed   bool     `json:"managed"`
}

// cmdIncidentTemplates lists the templates; it needs no account (policy and files only).
func cmdIncidentTemplates(a *args) error {
	cfg, closeLog, err := incidentConfig(a)
	if err != nil {
		return err
	}
	defer closeLog()
	templates, err := session.LoadIncidentTemplates(cfg)
	if err != nil {
		return err
	}
	out := make([]templateJSON, 0, len(templates))
	for _, t := range templates {
		room := t.RoomName
		if room == "" {
			room = incident.DefaultRoomName
		}
		inv := append([]string{}, t.Invitees...)
		out = append(out, templateJSON{ID: t.ID, Name: t.DisplayName(), RoomName: room, Topic: t.Topic, Encrypted: t.IsEncrypted(),
			Invitees: inv, Keyword: t.Alert.Keyword, Source: t.Source, Managed: t.Managed})
	}
	if a.bool("json") {
		return printJSON(a.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(a.stdout, "no incident templates (see docs/ADMIN.md: incident_templates, "+session.IncidentTemplatesFile+")")
		return nil
	}
	for _, t := range out {
		mark := ""
		if t.Managed {
			mark = "  [managed]"
		}
		fmt.Fprintf(a.stdout, "%s  %s  (%s; %d invitees)%s\n", safe(t.ID), safe(t.Name), safe(t.RoomName), len(t.Invitees), mark)
	}
	return nil
}

func cmdIncidentCreate(ctx context.Context, a *args) error {
	req := session.IncidentRequest{Template: strings.TrimSpace(a.str("template")), Keyword: a.str("keyword"), Address: a.str("address"),
		Text: a.str("text")}
	if req.Template == "" {
		return usageError{"incident create needs --template (see bosctl incident templates)"}
	}
	timeout, err := a.duration("timeout", defaultIncidentTimeout)
	if err != nil {
		return err
	}
	cfg, closeLog, err := incidentConfig(a)
	if err != nil {
		return err
	}
	defer closeLog()
	s, err := session.Open(ctx, cfg)
	if err != nil {
		return explainOpenError(a, err)
	}
	defer s.Close()
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := s.CreateIncident(wctx, req)
	if err != nil {
		if res.AlertTxnID != "" && !errors.Is(err, session.ErrPolicyDenied) && wctx.Err() != nil {
			return queuedError{txnID: res.AlertTxnID, why: fmt.Sprintf("incident room %s was created, but the homeserver did not accept "+
				"its alert within %v", res.RoomID, timeout)}
		}
		if errors.Is(err, alert.ErrInvalid) { // keyword missing or too long: wrong arguments
			return usageError{err.Error()}
		}
		return err
	}
	if a.bool("json") {
		return printJSON(a.stdout, res)
	}
	fmt.Fprintln(a.stdout, res.RoomID)
	return nil
}
