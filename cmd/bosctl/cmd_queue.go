package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bosmessenger/internal/termsafe"
	"bosmessenger/session"
)

func init() {
	commands["queue"] = command{"queue [--json] | queue retry ID [--timeout DURATION] | queue drop ID  " +
		"(the send queue: queued, sending, failed, and sent but not yet synced; drop also removes the local echo)", cmdQueue}
}

func cmdQueue(ctx context.Context, a *args) error {
	if len(a.pos) == 0 {
		return queueList(ctx, a)
	}
	if len(a.pos) != 2 || (a.pos[0] != "retry" && a.pos[0] != "drop") || a.bool("json") {
		return usageError{"usage: bosctl " + commands["queue"].usage}
	}
	txnID := a.pos[1]
	if a.pos[0] == "drop" {
		if a.str("timeout") != "" {
			return usageError{"usage: bosctl " + commands["queue"].usage}
		}
		return withSession(ctx, a, func(s *session.Session) error {
			if err := s.Drop(ctx, txnID); err != nil {
				return queueError(err)
			}
			fmt.Fprintf(a.stdout, "dropped %s\n", txnID)
			return nil
		})
	}
	timeout, err := a.duration("timeout", defaultSendTimeout)
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if err := s.Retry(ctx, txnID); err != nil {
			return queueError(err)
		}
		return waitAndPrint(ctx, a, s, txnID, timeout)
	})
}

// queueError adds the way out to errors about an unknown entry.
func queueError(err error) error {
	if errors.Is(err, session.ErrUnknownQueueEntry) {
		return fmt.Errorf("%w (bosctl queue lists the IDs)", err)
	}
	return err
}

// queueJSON is one entry of queue --json.
type queueJSON struct {
	ID        string `json:"id"`
	RoomID    string `json:"room_id"`
	Type      string `json:"type"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	Error     string `json:"error"`
	CreatedTS int64  `json:"created_ts"`
	EventID   string `json:"event_id,omitempty"`
}

// queueList prints the send queue, oldest first: a JSON array, or one line per message (ID,
// state, room, attempts, time, a short preview and the last error, escaped for the terminal).
func queueList(ctx context.Context, a *args) error {
	return withSession(ctx, a, func(s *session.Session) error {
		entries, err := s.Queue(ctx)
		if err != nil {
			return err
		}
		if a.bool("json") {
			out := make([]queueJSON, 0, len(entries))
			for _, e := range entries {
				out = append(out, queueJSON{ID: e.ID, RoomID: e.RoomID.String(), Type: e.Type, State: e.State,
					Attempts: e.Attempts, Error: e.Error, CreatedTS: e.Created.UnixMilli(), EventID: e.EventID.String()})
			}
			return printJSON(a.stdout, out)
		}
		for _, e := range entries {
			line := fmt.Sprintf("%s  %-7s  %s  %d attempts  %s  \"%s\"", termsafe.String(e.ID), e.State,
				termsafe.String(e.RoomID.String()), e.Attempts, e.Created.Local().Format(time.DateTime), termsafe.String(e.Preview))
			if e.Error != "" {
				line += "  error: " + termsafe.String(e.Error)
			}
			fmt.Fprintln(a.stdout, line)
		}
		return nil
	})
}
