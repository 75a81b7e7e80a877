package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"bosmessenger/session"
)

func init() {
	commands["search"] = command{"search TEXT [--room R] [--json]  (whole words in all rooms, encrypted ones too; works offline)", cmdSearch}
}

// cmdSearch prints the stored messages containing every word of TEXT, newest first: one JSON
// object per hit (room_id, event_id, sender, ts, body) with --json, else one line each.
func cmdSearch(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	asJSON := a.bool("json")
	room := a.str("room")
	return withSession(ctx, a, func(s *session.Session) error {
		// Catch up first when the server is there; offline the stored history is searched.
		syncCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, _ = s.SyncOnce(syncCtx, 0)
		cancel()
		hits, err := s.Search(ctx, pos[0], session.SearchOptions{RoomID: room, Limit: 100})
		if err != nil {
			return err
		}
		for _, h := range hits {
			if asJSON {
				if err := printJSON(a.stdout, h); err != nil {
					return err
				}
				continue
			}
			ts := time.UnixMilli(h.TS).Local().Format("2006-01-02 15:04:05")
			body := strings.Join(strings.Fields(h.Body), " ")
			if _, err := fmt.Fprintf(a.stdout, "%s  %s  %s  %s: %s\n", ts, safe(h.RoomID), safe(h.EventID), safe(h.Sender), safe(body)); err != nil {
				return err
			}
		}
		return nil
	})
}
