package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func cmdRooms(ctx context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	asJSON := a.bool("json")
	return withSession(ctx, a, func(s *session.Session) error {
		rooms, err := s.Rooms(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			if rooms == nil {
				rooms = []session.RoomSummary{}
			}
			return printJSON(a.stdout, rooms)
		}
		tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
		for _, r := range rooms {
			flags := r.Membership
			if r.Encrypted {
				flags += ",encrypted"
			}
			if r.IsDirect {
				flags += ",dm"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d unread\n", safe(r.ID), safe(r.Name), safe(flags), r.NotifyCount)
		}
		return tw.Flush()
	})
}

func cmdSync(ctx context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	once, quick := a.bool("once"), a.bool("quick")
	if (quick || a.bool("full")) && !once {
		return usageError{"--quick and --full go with --once (a running sync back-fills by itself)"}
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if once {
			// The first sync of an account is phase 1: the room list is complete (every room with
			// name, unread counts, last message) after it. --once then back-fills every room's
			// timeline, so that what a script reads from the store next (search, polls, alerts)
			// sees what it saw before the two-phase sync; --quick returns after phase 1 and leaves
			// the back-fill to the next sync (history and export page from the server anyway).
			// --full is the default and stays accepted.
			st, err := s.SyncOnce(ctx, 0)
			if err != nil {
				return err
			}
			if !quick {
				n, err := s.BackfillInitial(ctx)
				if err != nil {
					return err
				}
				st.Events += n
			}
			if err := s.FlushQueue(ctx); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "synced: %d rooms, %d events\n", st.Rooms, st.Events)
			return nil
		}
		err := s.Run(ctx, 30*time.Second, func(st session.SyncStats) {
			if st.Events > 0 || st.Initial {
				fmt.Fprintf(a.stdout, "synced: %d rooms, %d events\n", st.Rooms, st.Events)
			}
		})
		if ctx.Err() != nil {
			return nil // interrupted
		}
		return err
	})
}

func cmdCreateRoom(ctx context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	if a.bool("encrypted") && a.bool("plain") {
		return usageError{"--encrypted and --plain contradict each other"}
	}
	// New rooms are end-to-end encrypted unless --plain asks otherwise (--encrypted is the default).
	opts := session.CreateRoomOptions{Name: a.str("name"), Topic: a.str("topic"), Encrypted: !a.bool("plain")}
	if opts.Name == "" {
		return usageError{"usage: bosctl " + commands["create-room"].usage}
	}
	for _, u := range a.list("invite") {
		opts.Invite = append(opts.Invite, id.UserID(u))
	}
	return withSession(ctx, a, func(s *session.Session) error {
		roomID, err := s.CreateRoom(ctx, opts)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, safe(roomID))
		return nil
	})
}

func cmdDM(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	plain := a.bool("plain")
	return withSession(ctx, a, func(s *session.Session) error {
		roomID, err := s.CreateDM(ctx, id.UserID(pos[0]), !plain)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, safe(roomID))
		return nil
	})
}

func cmdInvite(ctx context.Context, a *args) error {
	pos, err := a.positional(2)
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		return s.Invite(ctx, id.RoomID(pos[0]), id.UserID(pos[1]))
	})
}

func cmdJoin(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		roomID, err := s.Join(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, safe(roomID))
		return nil
	})
}

func cmdLeave(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		return s.Leave(ctx, id.RoomID(pos[0]))
	})
}

func cmdMembers(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	asJSON := a.bool("json")
	return withSession(ctx, a, func(s *session.Session) error {
		members, err := s.Members(ctx, id.RoomID(pos[0]))
		if err != nil {
			return err
		}
		shown, err := s.ShownNames(ctx, id.RoomID(pos[0]))
		if err != nil {
			return err
		}
		type member struct {
			UserID     string `json:"user_id"`
			Name       string `json:"name,omitempty"` // the display name as the member set it
			Membership string `json:"membership"`
			// As the GUI shows the member: cleaned and disambiguated, with the organisation (BOS mode).
			DisplayNameDisambiguated string `json:"display_name_disambiguated"`
			Organisation             string `json:"organisation"` // from the federation list (BOS mode)
			Vetted                   bool   `json:"vetted"`       // the member's server is on the federation list
		}
		out := []member{}
		for _, m := range members {
			n := shown[m.UserID]
			out = append(out, member{m.UserID.String(), m.Name, m.Membership, n.DisplayName, n.Organisation, n.Vetted})
		}
		if asJSON {
			return printJSON(a.stdout, out)
		}
		// Human-readable: the name as the GUI shows it; escaped, the raw name could not steer
		// the terminal but would still fool the eye.
		for _, m := range out {
			line := safe(m.UserID) + "\t" + safe(m.Membership) + "\t" + safe(m.DisplayNameDisambiguated)
			if m.Organisation != "" {
				line += "\t[" + safe(m.Organisation) + vettedMark(m.Vetted) + "]"
			}
			fmt.Fprintln(a.stdout, line)
		}
		return nil
	})
}
