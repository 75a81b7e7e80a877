package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"bosmessenger/session"
	"bosmessenger/session/policy"
	"bosmessenger/store/storekey"
)

func init() {
	commands["policy"] = command{"policy [--json]  (effective policy: value, source, enforced; federation list state)", cmdPolicy}
}

// policyRow is one line of bosctl policy; --json prints one array of them.
type policyRow struct {
	Key      string `json:"key"`
	Value    any    `json:"value"`
	Source   string `json:"source"`
	Enforced bool   `json:"enforced"`
}

// cmdPolicy shows the effective policy and the federation list. With an account in the data dir
// the list is checked against the version its store last accepted (rollback); without one (or
// while the data dir is in use) it is checked on its own.
func cmdPolicy(ctx context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	cfg, closeLog, err := a.config()
	if err != nil {
		return err
	}
	defer closeLog()
	e := cfg.Policy.(*session.Enforcer)
	pol := e.Policy()
	var notes []string
	if storekey.Exists(cfg.DataDir) {
		s, err := session.Open(ctx, cfg)
		if err != nil {
			notes = append(notes, "the account could not be opened ("+err.Error()+"): the list is not checked against the version it last accepted")
			_ = e.Refresh(ctx)
		} else {
			defer s.Close()
		}
	} else {
		_ = e.Refresh(ctx)
	}
	rows := policyRows(pol, e.State())
	if a.bool("json") {
		return printJSON(a.stdout, rows)
	}
	for _, r := range rows {
		v, _ := json.Marshal(r.Value)
		if s, ok := r.Value.(string); ok {
			v = []byte(s)
		}
		how := "recommended"
		if r.Enforced {
			how = "enforced"
		}
		fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%s\n", r.Key, safe(string(v)), safe(r.Source), how)
	}
	for _, w := range append(pol.Warnings, notes...) {
		fmt.Fprintln(a.stderr, "bosctl: warning: "+safe(w))
	}
	return nil
}

// policyRows lists every key, then the list facts (federation_list.*) and warnings.
func policyRows(pol *policy.Policy, st session.ListState) []policyRow {
	bos := pol.BOSMode()
	var rows []policyRow
	for _, s := range pol.Settings() {
		r := policyRow{Key: s.Key, Value: s.Value, Source: s.Source, Enforced: s.Enforced}
		if s.Key == policy.KeyAllowedHomeservers && s.Source == policy.SourceDefault && bos && st.List != nil {
			r.Value = st.List.ServerNames() // in BOS mode: the list's servers
			r.Enforced = pol.Setting(policy.KeyBOSMode).Enforced
		}
		rows = append(rows, r)
	}
	src := st.URL
	if src == "" {
		src = policy.SourceDefault
	}
	state := "ok"
	switch {
	case st.Blocked != nil:
		state = "blocked: " + st.Blocked.Error()
	case st.URL == "" || len(pol.PublicKeys()) == 0:
		state = "not configured"
	case st.Problem != "":
		state = "refused: " + st.Problem
	}
	fact := func(key string, v any) {
		rows = append(rows, policyRow{Key: "federation_list." + key, Value: v, Source: src, Enforced: bos})
	}
	fact("state", state)
	if l := st.List; l != nil {
		fact("version", l.Version)
		fact("issued_at", l.IssuedAt.UTC().Format(time.RFC3339))
		fact("expires_at", l.ExpiresAt.UTC().Format(time.RFC3339))
		fact("servers", l.Servers)
	} else {
		fact("version", nil)
		fact("expires_at", nil)
		fact("servers", []any{})
	}
	if st.Floor > 0 {
		fact("last_accepted_version", st.Floor)
	}
	if !st.FetchedAt.IsZero() {
		fact("fetched_at", st.FetchedAt.UTC().Format(time.RFC3339))
	}
	if len(pol.Warnings) > 0 {
		rows = append(rows, policyRow{Key: "policy.warnings", Value: pol.Warnings, Source: "policy", Enforced: false})
	}
	return rows
}
