package session

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// spaceInfo reads from the stored state whether a room is a space (m.room.create type m.space)
// and which joined spaces list it as a child (m.space.child with a non-empty via).
func spaceInfo(tx *store.Tx, roomID string) (isSpace bool, parents []id.RoomID, err error) {
	create, ok, err := tx.StateEvent(roomID, "m.room.create", "")
	if err != nil {
		return false, nil, err
	}
	if ok {
		var c struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(create.Content, &c)
		isSpace = c.Type == "m.space"
	}
	children, err := tx.StateEventsByKey("m.space.child", roomID)
	if err != nil {
		return false, nil, err
	}
	for _, e := range children {
		var c struct {
			Via []string `json:"via"`
		}
		if json.Unmarshal(e.Content, &c) == nil && len(c.Via) > 0 && e.RedactedBy == "" {
			parents = append(parents, id.RoomID(e.RoomID))
		}
	}
	return isSpace, parents, nil
}

// spaces lists the joined spaces (rooms created with type m.space), by name.
func (s *Session) spaces(ctx context.Context) ([]RoomSummary, error) {
	rooms, err := s.Rooms(ctx)
	if err != nil {
		return nil, err
	}
	var out []RoomSummary
	for _, r := range rooms {
		if r.IsSpace && r.Membership == "join" {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b RoomSummary) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// RejectInvite declines an invitation to a room; the room leaves the room list at once.
func (s *Session) RejectInvite(ctx context.Context, roomID id.RoomID) error {
	var membership string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, ok, err := tx.Room(roomID.String())
		if ok {
			membership = r.Membership
		}
		return err
	})
	if err != nil {
		return err
	}
	if membership != "invite" {
		return fmt.Errorf("failed to reject invite: no open invitation to %s", roomID)
	}
	if _, err := s.cli.LeaveRoom(ctx, roomID); err != nil {
		return s.classify("reject invite", err)
	}
	// Do not wait for the sync to report it: the room goes from the list now.
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		r, ok, err := tx.Room(roomID.String())
		if err != nil || !ok || r.Membership != "invite" {
			return err
		}
		r.Membership = "leave"
		if err := tx.SaveRoom(r); err != nil {
			return err
		}
		_, err = tx.AddChange(string(ChangeRoom), roomID.String(), "")
		return err
	})
	if err != nil {
		return fmt.Errorf("failed to store rejected invite: %w", err)
	}
	s.bus.notify()
	return nil
}

// MemberInfo is one member of a room as a member list shows it.
type MemberInfo struct {
	UserID      id.UserID `json:"user_id"`
	DisplayName string    `json:"display_name"` // the name to show: cleaned, disambiguated (see CleanName, names.go)
	AvatarURL   string    `json:"avatar_url,omitempty"`
	Membership  string    `json:"membership"` // join or invite
	PowerLevel  int       `json:"power_level"`
	// Organisation runs the member's homeserver and Vetted tells that it is on the vetted list;
	// both stay empty until BOS mode sets an OrgLookup.
	Organisation string `json:"organisation,omitempty"`
	Vetted       bool   `json:"vetted,omitempty"`
	// Unvetted: a valid list is in effect and the member's server is not on it (the GUI marks it).
	Unvetted bool `json:"-"`
}

// MemberList lists the joined and invited members of a room, highest power level first, then by
// name. It asks the server for the full list (the sync only brings the members it needs) and
// stores it; without a connection it shows the stored members.
func (s *Session) MemberList(ctx context.Context, roomID id.RoomID) ([]MemberInfo, error) {
	if err := s.loadMembers(ctx, roomID); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.log.Warn().Str("room_id", roomID.String()).Err(err).Msg("Loading the member list failed; showing stored members")
	}
	var out []MemberInfo
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, ok, err := tx.Room(roomID.String()); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		members, err := tx.Members(roomID.String(), "")
		if err != nil {
			return err
		}
		var pl struct {
			Users        map[string]int `json:"users"`
			UsersDefault int            `json:"users_default"`
		}
		if e, ok, err := tx.StateEvent(roomID.String(), "m.room.power_levels", ""); err != nil {
			return err
		} else if ok {
			_ = json.Unmarshal(e.Content, &pl)
		}
		names := newNameTable(members, &s.orgs)
		for _, m := range members {
			if m.Membership != "join" && m.Membership != "invite" {
				continue
			}
			level, ok := pl.Users[m.UserID]
			if !ok {
				level = pl.UsersDefault
			}
			info := MemberInfo{UserID: id.UserID(m.UserID), DisplayName: names.name(m.UserID, m.Name), AvatarURL: m.Avatar,
				Membership: m.Membership, PowerLevel: level}
			info.Organisation, info.Vetted, info.Unvetted = names.org(m.UserID)
			out = append(out, info)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b MemberInfo) int {
		return cmp.Or(cmp.Compare(b.PowerLevel, a.PowerLevel),
			cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)), cmp.Compare(a.UserID, b.UserID))
	})
	return out, err
}

// loadMembers stores the room's member list as the server has it.
func (s *Session) loadMembers(ctx context.Context, roomID id.RoomID) error {
	resp, err := s.cli.Members(ctx, roomID)
	if err != nil {
		return s.classify("load room members", err)
	}
	var changed bool
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		changed = false
		for _, evt := range resp.Chunk {
			if evt.StateKey == nil {
				continue
			}
			var c struct {
				Membership  string `json:"membership"`
				Displayname string `json:"displayname"`
				AvatarURL   string `json:"avatar_url"`
			}
			_ = json.Unmarshal(evt.Content.VeryRaw, &c)
			if c.Membership == "" {
				continue
			}
			m := &store.Member{RoomID: roomID.String(), UserID: *evt.StateKey, Membership: c.Membership,
				Name: c.Displayname, Avatar: c.AvatarURL}
			old, ok, err := tx.Member(m.RoomID, m.UserID)
			if err != nil {
				return err
			}
			if ok && *old == *m {
				continue
			}
			if err := tx.SaveMember(m); err != nil {
				return err
			}
			changed = true
		}
		if changed {
			_, err := tx.AddChange(string(ChangeMembers), roomID.String(), "")
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to store member list: %w", err)
	}
	if changed {
		s.bus.notify()
	}
	return nil
}
