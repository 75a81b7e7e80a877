package main

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func init() {
	commands["notify"] = command{"notify ROOM_ID [all|mentions|off]  (reads or sets what the room notifies for; push rules as Element writes them)", cmdNotify}
}

// cmdNotify prints the room's notification level, after setting it when one is given.
func cmdNotify(ctx context.Context, a *args) error {
	if len(a.pos) != 1 && len(a.pos) != 2 {
		return usageError{"usage: bosctl " + commands["notify"].usage}
	}
	roomID := id.RoomID(a.pos[0])
	var level session.RoomNotificationLevel
	if len(a.pos) == 2 {
		var err error
		if level, err = session.ParseRoomNotificationLevel(a.pos[1]); err != nil {
			return usageError{err.Error()}
		}
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if _, err := s.Room(ctx, roomID); err != nil {
			return err
		}
		var err error
		if level != "" {
			err = s.SetRoomNotificationLevel(ctx, roomID, level)
		} else {
			err = s.RefreshPushRules(ctx)
		}
		if err != nil {
			return err
		}
		got, err := s.RoomNotificationLevel(ctx, roomID)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, got)
		return nil
	})
}
