package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

func init() {
	commands["alert"] = command{"alert send ROOM --keyword K --text T [--address A] [--unit U]... [--deadline 10m] [--required N] [--info]" +
		" | alert respond ROOM ALERT_EVENT --status coming|not_coming|later [--eta MIN] [--comment C]" +
		" | alert board ROOM ALERT_EVENT [--json] | alert watch [--json]", cmdAlert}
	boolFlags["info"] = true
}

func cmdAlert(ctx context.Context, a *args) error {
	if len(a.pos) == 0 {
		return usageError{"usage: bosctl " + commands["alert"].usage}
	}
	sub := a.pos[0]
	a.pos = a.pos[1:]
	allowed := map[string][]string{
		"send":    {"keyword", "text", "address", "unit", "deadline", "required", "info"},
		"respond": {"status", "eta", "comment"},
		"board":   {"json"},
		"watch":   {"json"},
	}
	flags, ok := allowed[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown alert command %q (send, respond, board, watch)", sub)}
	}
	for name := range a.flags {
		if name != "data" && name != "help" && !contains(flags, name) {
			return usageError{fmt.Sprintf("unknown flag --%s for alert %s", name, sub)}
		}
	}
	switch sub {
	case "send":
		return cmdAlertSend(ctx, a)
	case "respond":
		return cmdAlertRespond(ctx, a)
	case "board":
		return cmdAlertBoard(ctx, a)
	}
	return cmdAlertWatch(ctx, a)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// exactly returns exactly n positionals of the alert subcommand or a usage error.
func (a *args) exactly(n int, usage string) ([]string, error) {
	if len(a.pos) != n {
		return nil, usageError{"usage: bosctl " + usage}
	}
	return a.pos, nil
}

func cmdAlertSend(ctx context.Context, a *args) error {
	pos, err := a.exactly(1, "alert send ROOM --keyword K --text T [--address A] [--unit U]... [--deadline 10m] [--required N] [--info]")
	if err != nil {
		return err
	}
	al := alert.Alert{Keyword: a.str("keyword"), Text: a.str("text"), Address: a.str("address"), Units: a.list("unit")}
	if strings.TrimSpace(al.Keyword) == "" {
		return usageError{"alert send needs --keyword"}
	}
	if a.bool("info") {
		al.Priority = alert.PriorityInfo
	}
	deadline, err := a.duration("deadline", 0)
	if err != nil {
		return err
	}
	if deadline > 0 {
		al.DeadlineTS = time.Now().Add(deadline).UnixMilli()
	}
	if al.Required, err = a.int("required", 0); err != nil {
		return err
	}
	if err := al.Normalize(); err != nil {
		return usageError{err.Error()}
	}
	roomID := id.RoomID(pos[0])
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) { return s.SendAlert(ctx, roomID, al) })
}

func cmdAlertRespond(ctx context.Context, a *args) error {
	pos, err := a.exactly(2, "alert respond ROOM ALERT_EVENT --status coming|not_coming|later [--eta MIN] [--comment C]")
	if err != nil {
		return err
	}
	r := alert.Response{Status: alert.Status(a.str("status")), Comment: a.str("comment")}
	if r.ETAMinutes, err = a.int("eta", 0); err != nil {
		return err
	}
	if err := r.Check(); err != nil {
		return usageError{err.Error()}
	}
	roomID, alertEvent := id.RoomID(pos[0]), id.EventID(pos[1])
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		// The alert must be one: sync once if it is not stored yet.
		if _, ok, err := s.AlertInfo(ctx, alertEvent); err == nil && !ok {
			_, _ = s.SyncOnce(ctx, 0)
		}
		if info, ok, err := s.AlertInfo(ctx, alertEvent); err != nil {
			return "", err
		} else if !ok || info.RoomID != roomID {
			return "", fmt.Errorf("%w: %s in %s", session.ErrUnknownAlert, alertEvent, roomID)
		}
		return s.SendAlertResponse(ctx, roomID, alertEvent, r)
	})
}

func cmdAlertBoard(ctx context.Context, a *args) error {
	pos, err := a.exactly(2, "alert board ROOM ALERT_EVENT [--json]")
	if err != nil {
		return err
	}
	roomID, alertEvent := id.RoomID(pos[0]), id.EventID(pos[1])
	return withSession(ctx, a, func(s *session.Session) error {
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0) // catch up; offline, the stored board is shown
		cancel()
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		b, err := s.AlertBoard(ctx, roomID, alertEvent)
		if err != nil {
			return err
		}
		if a.bool("json") {
			return printJSON(a.stdout, b)
		}
		return printBoard(a, b)
	})
}

func printBoard(a *args, b *alert.Board) error {
	headline, _, _ := strings.Cut(b.Alert.Body, "\n")
	c := b.Counts
	lines := []string{safe(headline)}
	req := ""
	if b.Required > 0 {
		req = " of " + strconv.Itoa(b.Required) + " required"
	}
	lines = append(lines, fmt.Sprintf("coming %d%s, not coming %d, later %d, received %d, none %d", c.Coming, req, c.NotComing, c.Later, c.Received, c.None))
	for _, e := range b.Responses {
		l := fmt.Sprintf("  %s %s", e.UserID, e.Status)
		if e.ETAMinutes > 0 {
			l += fmt.Sprintf(" (%d min)", e.ETAMinutes)
		}
		if e.Comment != "" {
			l += ": " + e.Comment
		}
		lines = append(lines, safe(l))
	}
	for _, u := range b.Received {
		lines = append(lines, safe(fmt.Sprintf("  %s received", u)))
	}
	for _, u := range b.None {
		lines = append(lines, safe(fmt.Sprintf("  %s none", u)))
	}
	_, err := fmt.Fprintln(a.stdout, strings.Join(lines, "\n"))
	return err
}

// watchLine is one incoming alert of alert watch --json.
type watchLine struct {
	alert.Info
	Received int64 `json:"received_ts"`
}

func cmdAlertWatch(ctx context.Context, a *args) error {
	if _, err := a.exactly(0, "alert watch [--json]"); err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		seq, err := s.LastSeq(ctx)
		if err != nil {
			return err
		}
		sub := s.Subscribe(seq)
		defer sub.Close()
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		go func() {
			err := s.Run(ctx, 30*time.Second, nil)
			if ctx.Err() == nil {
				cancel(err)
			}
		}()
		for {
			changes, err := sub.Next(ctx)
			if err != nil {
				if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
					return cause
				}
				return nil
			}
			for _, c := range changes {
				if c.Kind != session.ChangeAlert {
					continue
				}
				info, ok, err := s.AlertInfo(ctx, c.EventID)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if err := printAlert(a, info); err != nil {
					return err
				}
			}
		}
	})
}

func printAlert(a *args, info alert.Info) error {
	if a.bool("json") {
		return printJSON(a.stdout, watchLine{Info: info, Received: time.Now().UnixMilli()})
	}
	ts := time.UnixMilli(info.TS).Local().Format("2006-01-02 15:04:05")
	headline, _, _ := strings.Cut(info.Body, "\n")
	_, err := fmt.Fprintln(a.stdout, safe(fmt.Sprintf("%s %s %s %s: %s", ts, strings.ToUpper(string(info.Priority)), info.RoomID, info.Sender, headline)))
	return err
}
