package main

import (
	"context"
	"strconv"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func init() {
	commands["send-location"] = command{"send-location ROOM_ID LAT LON [--description D] [--timeout DURATION]  " +
		"(decimal degrees; m.location with geo: URI; prints the event ID)", cmdSendLocation}
}

func cmdSendLocation(ctx context.Context, a *args) error {
	pos, err := a.positional(3)
	if err != nil {
		return err
	}
	roomID := id.RoomID(pos[0])
	lat, err1 := strconv.ParseFloat(pos[1], 64)
	lon, err2 := strconv.ParseFloat(pos[2], 64)
	if err1 != nil || err2 != nil {
		return usageError{"LAT and LON are decimal degrees, like 52.5163 13.3777"}
	}
	loc := session.Location{Lat: lat, Lon: lon, Description: a.str("description"), Asset: session.AssetPin}
	if err := loc.Validate(); err != nil {
		return usageError{err.Error()}
	}
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		return s.SendLocation(ctx, roomID, loc)
	})
}
