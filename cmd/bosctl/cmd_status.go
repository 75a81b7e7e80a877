package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

func init() {
	commands["status"] = command{"status set ROOM FMS [--unit U] | status ROOM [--json]  (FMS status 0-9; latest per unit)", cmdStatus}
}

func cmdStatus(ctx context.Context, a *args) error {
	if len(a.pos) > 0 && a.pos[0] == "set" {
		if a.bool("json") {
			return usageError{"unknown flag --json for status set"}
		}
		pos, err := a.exactly(3, "status set ROOM FMS [--unit U]")
		if err != nil {
			return err
		}
		fms, err := strconv.Atoi(pos[2])
		if err != nil || fms < 0 || fms > 9 {
			return usageError{fmt.Sprintf("FMS status must be 0 to 9, not %q", pos[2])}
		}
		st := alert.UnitStatus{FMS: fms, Unit: a.str("unit")}
		if err := st.Check(); err != nil {
			return usageError{err.Error()}
		}
		roomID := id.RoomID(pos[1])
		return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) { return s.SendUnitStatus(ctx, roomID, st) })
	}
	if _, given := a.flags["unit"]; given {
		return usageError{"--unit belongs to status set"}
	}
	pos, err := a.exactly(1, "status ROOM [--json]")
	if err != nil {
		return err
	}
	roomID := id.RoomID(pos[0])
	return withSession(ctx, a, func(s *session.Session) error {
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0)
		cancel()
		if err := knownRoom(ctx, s, roomID); err != nil {
			return err
		}
		reports, err := s.UnitStatuses(ctx, roomID)
		if err != nil {
			return err
		}
		if a.bool("json") {
			return printJSON(a.stdout, reports)
		}
		for _, r := range reports {
			ts := time.UnixMilli(r.TS).Local().Format("2006-01-02 15:04:05")
			if _, err := fmt.Fprintln(a.stdout, safe(fmt.Sprintf("%s  %d %s  %s (%s)", r.Unit, r.FMS, r.Meaning, ts, r.Sender))); err != nil {
				return err
			}
		}
		return nil
	})
}
