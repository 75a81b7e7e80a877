package main

import (
	"context"
	"fmt"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// cmdTrust shows how we trust a user's cross-signing identity (our own without a user) and their
// devices; --acknowledge accepts a changed identity first.
func cmdTrust(ctx context.Context, a *args) error {
	if len(a.pos) > 1 || (a.bool("acknowledge") && len(a.pos) != 1) {
		return usageError{"usage: bosctl " + commands[a.cmd].usage}
	}
	var userID id.UserID
	if len(a.pos) == 1 {
		userID = id.UserID(a.pos[0])
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if a.bool("acknowledge") {
			if err := s.AcknowledgeIdentity(ctx, userID); err != nil {
				return err
			}
		}
		info, err := s.UserTrust(ctx, userID)
		if err != nil {
			return err
		}
		if a.bool("json") {
			type jsonDevice struct {
				DeviceID    string `json:"device_id"`
				Name        string `json:"name"`
				Verified    bool   `json:"verified"`
				CrossSigned bool   `json:"cross_signed"`
				Trust       string `json:"trust"`
			}
			out := struct {
				UserID      string       `json:"user_id"`
				State       string       `json:"state"`
				MasterKey   string       `json:"master_key"`
				PinnedKey   string       `json:"pinned_key"`
				WasVerified bool         `json:"was_verified"`
				Devices     []jsonDevice `json:"devices"`
			}{UserID: info.UserID.String(), State: string(info.State), MasterKey: info.MasterKey, PinnedKey: info.PinnedKey,
				WasVerified: info.WasVerified, Devices: []jsonDevice{}}
			for _, d := range info.Devices {
				out.Devices = append(out.Devices, jsonDevice{d.DeviceID.String(), d.Name, d.Verified, d.CrossSigned, d.Trust})
			}
			return printJSON(a.stdout, out)
		}
		fmt.Fprintf(a.stdout, "%s\t%s\t%s\n", safe(info.UserID), safe(info.State), safe(orDefault(info.MasterKey, "-")))
		for _, d := range info.Devices {
			state := "unverified"
			if d.Verified {
				state = "verified"
			}
			fmt.Fprintf(a.stdout, "  %s\t%s\t%s\n", safe(d.DeviceID), state, safe(d.Name))
		}
		return nil
	})
}
