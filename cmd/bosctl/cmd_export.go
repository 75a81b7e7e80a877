package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func init() {
	commands["export"] = command{"export ROOM --out DIR [--since T] [--until T] [--force] [--lang de|en] [--json] | export verify DIR [--json]" +
		"  (incident export: einsatz.pdf, events.json, signed manifest; T is RFC 3339, a date, or a duration such as 24h back from now)", cmdExport}
}

func cmdExport(ctx context.Context, a *args) error {
	if len(a.pos) > 0 && a.pos[0] == "verify" {
		for _, f := range []string{"out", "since", "until", "force", "lang"} {
			if _, given := a.flags[f]; given {
				return usageError{"--" + f + " belongs to export ROOM, not export verify"}
			}
		}
		pos, err := a.exactly(2, "export verify DIR [--json]")
		if err != nil {
			return err
		}
		return exportVerify(ctx, a, pos[1])
	}
	pos, err := a.exactly(1, "export ROOM --out DIR [--since T] [--until T] [--force] [--lang de|en] [--json]")
	if err != nil {
		return err
	}
	out := a.str("out")
	if out == "" {
		return usageError{"export needs --out DIR"}
	}
	now := time.Now()
	var opts session.ExportOptions
	if opts.Since, err = parseExportTime(a.str("since"), now); err != nil {
		return usageError{"--since: " + err.Error()}
	}
	if opts.Until, err = parseExportTime(a.str("until"), now); err != nil {
		return usageError{"--until: " + err.Error()}
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && opts.Until.Before(opts.Since) {
		return usageError{"--until is before --since"}
	}
	opts.Force = a.bool("force")
	switch opts.Lang = a.str("lang"); opts.Lang {
	case "", "de", "en":
	default:
		return usageError{"--lang must be de or en"}
	}
	roomID := id.RoomID(pos[0])
	return withSession(ctx, a, func(s *session.Session) error {
		if err := s.CheckChatExport(); err != nil {
			return err
		}
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0)
		cancel()
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		res, err := s.ExportRoom(ctx, roomID, out, opts)
		if err != nil {
			return err
		}
		if a.bool("json") {
			return printJSON(a.stdout, res)
		}
		note := ""
		if res.Incomplete {
			note = " (the history available does not reach back to the start of the range)"
		}
		_, err = fmt.Fprintln(a.stdout, safe(fmt.Sprintf("exported %d events (%d in the PDF, %d alerts) of %s to %s%s; check with: bosctl export verify %s",
			res.Events, res.Messages, res.Alerts, roomID, out, note, shellQuote(out))))
		return err
	})
}

func exportVerify(ctx context.Context, a *args, dir string) error {
	return withSession(ctx, a, func(s *session.Session) error {
		rep, err := s.VerifyExport(ctx, dir)
		if a.bool("json") && rep != nil {
			if perr := printJSON(a.stdout, rep); perr != nil {
				return perr
			}
		}
		if err != nil {
			return err
		}
		if a.bool("json") {
			return nil
		}
		trust := "the device is not cross-signed by its owner"
		if rep.CrossSigned {
			trust = "the device is cross-signed by its owner"
		}
		if rep.DeviceVerified {
			trust += " and verified by you"
		}
		names := make([]string, len(rep.Files))
		for i, f := range rep.Files {
			names[i] = f.Name
		}
		_, err = fmt.Fprintln(a.stdout, safe(fmt.Sprintf("OK: %s of %s (%s) exported by %s device %s: signature valid with the key the homeserver publishes (ed25519 %s), %s; files unchanged: %s",
			dir, rep.RoomID, rep.RoomName, rep.UserID, rep.DeviceID, rep.DeviceKey, trust, strings.Join(names, ", "))))
		return err
	})
}

// parseExportTime reads --since/--until: RFC 3339 (2026-12-03T14:00:00+01:00), a local date
// and time (2026-12-03 14:00, 2026-12-03), or a duration back from now (24h, 90m). "" is open.
func parseExportTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, errors.New("wants RFC 3339 (2026-12-03T14:00:00+01:00), a date (2026-12-03 14:00) or a duration back from now (24h), not " + fmt.Sprintf("%q", v))
}
