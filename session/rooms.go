package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// RoomSummary is what a room list shows of a room.
type RoomSummary struct {
	ID             id.RoomID   `json:"room_id"`
	Name           string      `json:"name"` // display name: m.room.name, alias, or members
	Topic          string      `json:"topic,omitempty"`
	Alias          string      `json:"alias,omitempty"`
	Membership     string      `json:"membership"`
	Encrypted      bool        `json:"encrypted"`
	IsDirect       bool        `json:"is_direct"`
	JoinedCount    int         `json:"joined_members"`
	InvitedCount   int         `json:"invited_members"`
	NotifyCount    int         `json:"unread"`
	HighlightCount int         `json:"highlights"`
	LastActivity   int64       `json:"last_activity_ts"`
	AvatarURL      string      `json:"avatar_url,omitempty"` // m.room.avatar's mxc URI (RoomAvatar fetches it)
	IsSpace        bool        `json:"is_space,omitempty"`   // an m.space room (a filter, not a chat)
	Spaces         []id.RoomID `json:"spaces,omitempty"`     // spaces that list this room as a child
	// LastMessage previews the newest message (Rooms only; nil when the stored window has none).
	LastMessage *LastMessage `json:"last_message,omitempty"`
}

// Rooms lists joined rooms and invites: invites first, then by last activity.
func (s *Session) Rooms(ctx context.Context) (out []RoomSummary, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		out = out[:0] // a retried transaction starts again
		rooms, err := tx.Rooms()
		if err != nil {
			return err
		}
		for _, r := range rooms {
			if r.Membership != "join" && r.Membership != "invite" {
				continue
			}
			sum, err := summariseBase(tx, r, s.account.UserID.String())
			if err != nil {
				return err
			}
			out = append(out, sum)
		}
		return s.roomList.fill(tx, out, &s.orgs) // spaces and previews: roomlistcache.go
	})
	return out, err
}

// Room returns one room's summary.
func (s *Session) Room(ctx context.Context, roomID id.RoomID) (sum RoomSummary, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		r, ok, err := tx.Room(roomID.String())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		sum, err = summarise(tx, r, s.account.UserID.String())
		return err
	})
	return sum, err
}

func summarise(tx *store.Tx, r *store.Room, me string) (RoomSummary, error) {
	sum, err := summariseBase(tx, r, me)
	if err != nil {
		return sum, err
	}
	sum.IsSpace, sum.Spaces, err = spaceInfo(tx, r.ID)
	return sum, err
}

// summariseBase is summarise without the space information (Rooms fills it for all rooms at once).
func summariseBase(tx *store.Tx, r *store.Room, me string) (RoomSummary, error) {
	sum := RoomSummary{ID: id.RoomID(r.ID), Name: r.Name, Topic: r.Topic, Alias: r.Alias, Membership: r.Membership,
		Encrypted: r.Encryption != "", IsDirect: r.IsDirect, JoinedCount: r.JoinedCount, InvitedCount: r.InvitedCount,
		NotifyCount: r.NotifyCount, HighlightCount: r.HighlightCount, LastActivity: r.LastActivityTS, AvatarURL: r.Avatar}
	if sum.Name == "" {
		sum.Name = r.Alias
	}
	if sum.Name == "" {
		// Named after its members: their names as a member list shows them (cleaned, and
		// disambiguated among the heroes).
		var heroes []*store.Member
		for _, hero := range r.Heroes {
			if hero == me {
				continue
			}
			m, ok, err := tx.Member(r.ID, hero)
			if err != nil {
				return sum, err
			} else if !ok {
				m = &store.Member{RoomID: r.ID, UserID: hero, Membership: "join"}
			}
			heroes = append(heroes, m)
		}
		table := newNameTable(heroes, nil)
		var names []string
		for _, m := range heroes {
			if m.Name == "" {
				names = append(names, m.UserID) // as before: the Matrix ID where there is no name
				continue
			}
			names = append(names, table.name(m.UserID, m.Name))
		}
		sum.Name = strings.Join(names, ", ")
	}
	if sum.Name == "" {
		sum.Name = r.ID
	}
	return sum, nil
}

// CreateRoomOptions describes a new room.
type CreateRoomOptions struct {
	Name      string
	Topic     string
	Alias     string // local part of a published alias (#alias:server), optional
	Encrypted bool
	Invite    []id.UserID
	Direct    bool // a DM with the (single) invitee, recorded in m.direct
	// PowerLevels overrides the server's initial power levels (incident rooms); nil keeps them.
	PowerLevels *event.PowerLevelsEventContent
}

// CreateRoom creates a room and returns its ID. The room is in the store when this returns.
func (s *Session) CreateRoom(ctx context.Context, opts CreateRoomOptions) (id.RoomID, error) {
	if err := s.checkPolicy(ctx, "create room", PolicyRequest{Action: ActionCreateRoom, Encrypted: opts.Encrypted}); err != nil {
		return "", err
	}
	for _, u := range opts.Invite {
		if err := s.checkInvite(ctx, "", u); err != nil {
			return "", err
		}
	}
	req := &mautrix.ReqCreateRoom{Name: opts.Name, Topic: opts.Topic, Invite: opts.Invite, IsDirect: opts.Direct,
		Preset: "private_chat", RoomAliasName: opts.Alias, PowerLevelOverride: opts.PowerLevels}
	if opts.Direct {
		req.Preset = "trusted_private_chat"
	}
	if opts.Encrypted {
		req.InitialState = append(req.InitialState, &event.Event{Type: event.StateEncryption,
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}}})
	}
	resp, err := s.cli.CreateRoom(ctx, req)
	if err != nil {
		return "", s.classify("create room", err)
	}
	if opts.Direct && len(opts.Invite) == 1 {
		if err := s.addDirect(ctx, opts.Invite[0], resp.RoomID); err != nil {
			return resp.RoomID, err
		}
	}
	s.log.Info().Str("room_id", resp.RoomID.String()).Bool("encrypted", opts.Encrypted).Msg("Created room")
	// Wait until the sync has brought the room (and, for a DM, the updated m.direct).
	return resp.RoomID, s.syncUntil(ctx, resp.RoomID, func(r *store.Room) bool {
		return joined(r) && (!opts.Direct || r.IsDirect) && (!opts.Encrypted || r.Encryption != "")
	})
}

// CreateDM starts a direct chat with user, end-to-end encrypted when encrypted is set.
func (s *Session) CreateDM(ctx context.Context, user id.UserID, encrypted bool) (id.RoomID, error) {
	return s.CreateRoom(ctx, CreateRoomOptions{Invite: []id.UserID{user}, Direct: true, Encrypted: encrypted})
}

func (s *Session) addDirect(ctx context.Context, user id.UserID, roomID id.RoomID) error {
	direct := map[id.UserID][]id.RoomID{}
	if err := s.cli.GetAccountData(ctx, event.AccountDataDirectChats.Type, &direct); err != nil && !errors.Is(err, mautrix.MNotFound) {
		return s.classify("read m.direct", err)
	}
	direct[user] = append(direct[user], roomID)
	if err := s.cli.SetAccountData(ctx, event.AccountDataDirectChats.Type, direct); err != nil {
		return s.classify("update m.direct", err)
	}
	return nil
}

func (s *Session) checkInvite(ctx context.Context, roomID id.RoomID, user id.UserID) error {
	if _, _, err := user.Parse(); err != nil {
		return fmt.Errorf("invalid user ID %q: expected @user:server", user)
	}
	return s.checkPolicy(ctx, "invite "+user.String(), PolicyRequest{Action: ActionInvite, RoomID: roomID.String(), Target: user.String()})
}

// Invite invites a user into a room.
func (s *Session) Invite(ctx context.Context, roomID id.RoomID, user id.UserID) error {
	if err := s.checkInvite(ctx, roomID, user); err != nil {
		return err
	}
	if _, err := s.cli.InviteUser(ctx, roomID, &mautrix.ReqInviteUser{UserID: user}); err != nil {
		return s.classify("invite", err)
	}
	return nil
}

// Join joins a room by ID or alias (also accepting an invite) and returns the room ID.
func (s *Session) Join(ctx context.Context, roomIDOrAlias string) (id.RoomID, error) {
	if !strings.HasPrefix(roomIDOrAlias, "!") && !strings.HasPrefix(roomIDOrAlias, "#") {
		return "", fmt.Errorf("invalid room %q: expected !id:server or #alias:server", roomIDOrAlias)
	}
	if err := s.checkPolicy(ctx, "join "+roomIDOrAlias, PolicyRequest{Action: ActionJoin, RoomID: roomIDOrAlias}); err != nil {
		return "", err
	}
	if err := s.checkAliasTarget(ctx, roomIDOrAlias); err != nil {
		return "", err
	}
	resp, err := s.cli.JoinRoom(ctx, roomIDOrAlias, nil)
	if err != nil {
		return "", s.classify("join "+roomIDOrAlias, err)
	}
	return resp.RoomID, s.syncUntil(ctx, resp.RoomID, joined)
}

// Leave leaves (or rejects the invite to) a room.
func (s *Session) Leave(ctx context.Context, roomID id.RoomID) error {
	if _, err := s.cli.LeaveRoom(ctx, roomID); err != nil {
		return s.classify("leave", err)
	}
	return s.syncUntil(ctx, roomID, func(r *store.Room) bool { return r.Membership != "join" && r.Membership != "invite" })
}

// syncUntil syncs until the stored room satisfies done (or 15 s pass), so that callers can use
// the room right away.
func (s *Session) syncUntil(ctx context.Context, roomID id.RoomID, done func(r *store.Room) bool) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.SyncOnce(ctx, time.Second); err != nil {
			return err
		}
		var ok bool
		err := s.db.Read(ctx, func(tx *store.Tx) error {
			r, found, err := tx.Room(roomID.String())
			ok = found && done(r)
			return err
		})
		if err != nil || ok {
			return err
		}
	}
	return nil
}

func joined(r *store.Room) bool { return r.Membership == "join" }

// RoomMember is a stored member of a room, in any membership, with its name and avatar as the
// member set them (MemberInfo has the names as a GUI shows them).
type RoomMember struct {
	UserID     id.UserID
	Name       string // the display name as the member set it
	AvatarURL  string
	Membership string // join, invite, leave or ban
}

// Members lists the stored members of a room in every membership, by user ID, without asking the
// server (MemberList asks it, and lists the joined and invited members as a GUI shows them).
func (s *Session) Members(ctx context.Context, roomID id.RoomID) (out []RoomMember, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		members, err := tx.Members(roomID.String(), "")
		for _, m := range members {
			out = append(out, RoomMember{UserID: id.UserID(m.UserID), Name: m.Name, AvatarURL: m.Avatar, Membership: m.Membership})
		}
		return err
	})
	return out, err
}

// accountData returns global (roomID "") or room account data.
func (s *Session) accountData(ctx context.Context, roomID id.RoomID, evType string) (out json.RawMessage, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.AccountData(roomID.String(), evType)
		return err
	})
	return out, err
}

// receipts lists the stored read receipts of a room.
func (s *Session) receipts(ctx context.Context, roomID id.RoomID) (out []*store.Receipt, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.Receipts(roomID.String())
		return err
	})
	return out, err
}

// Typing lists the users typing in a room, as last synced.
func (s *Session) Typing(ctx context.Context, roomID id.RoomID) (out []string, err error) {
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.Typing(roomID.String())
		return err
	})
	return out, err
}
