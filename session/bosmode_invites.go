package session

import (
	"context"
	"encoding/json"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// filterInvites takes the invites the policy refuses (in BOS mode: from users on servers outside
// the federation list) out of a sync response before it is stored, so they are never shown, and
// returns them for rejectInvites.
func (s *Session) filterInvites(ctx context.Context, resp *syncResponse) []id.RoomID {
	if _, ok := s.cfg.Policy.(AllowAll); ok || len(resp.Rooms.Invite) == 0 {
		return nil
	}
	var refused []id.RoomID
	for roomID, raw := range resp.Rooms.Invite {
		inviter := s.inviter(raw)
		err := s.checkPolicy(ctx, "invite into "+roomID, PolicyRequest{Action: ActionReceiveInvite, RoomID: roomID, Target: inviter})
		if err == nil {
			continue
		}
		s.log.Info().Str("room_id", roomID).Str("inviter", inviter).Err(err).Msg("Rejecting invite refused by policy")
		delete(resp.Rooms.Invite, roomID)
		refused = append(refused, id.RoomID(roomID))
	}
	return refused
}

// inviter finds who invited us, from the invite's stripped state ("" if it does not say).
func (s *Session) inviter(raw json.RawMessage) string {
	var ir invitedRoom
	if json.Unmarshal(raw, &ir) != nil {
		return ""
	}
	me := s.account.UserID.String()
	for _, ev := range ir.InviteState.Events {
		var e struct {
			Type     string  `json:"type"`
			Sender   string  `json:"sender"`
			StateKey *string `json:"state_key"`
			Content  struct {
				Membership string `json:"membership"`
			} `json:"content"`
		}
		if json.Unmarshal(ev, &e) == nil && e.Type == "m.room.member" && e.StateKey != nil && *e.StateKey == me &&
			e.Content.Membership == "invite" {
			return e.Sender
		}
	}
	return ""
}

// rejectInvites rejects refused invites on the server (the inviter sees our membership go to
// leave). Rejections that fail are retried after the next sync.
func (s *Session) rejectInvites(ctx context.Context, rooms []id.RoomID) {
	s.bosMu.Lock()
	if len(rooms) == 0 && len(s.pendingRejects) == 0 {
		s.bosMu.Unlock()
		return
	}
	for _, r := range s.pendingRejects {
		if !containsRoom(rooms, r) {
			rooms = append(rooms, r)
		}
	}
	s.pendingRejects = nil
	s.bosMu.Unlock()
	var failed []id.RoomID
	for _, roomID := range rooms {
		_, err := s.cli.LeaveRoom(ctx, roomID, &mautrix.ReqLeave{Reason: "BOS mode: invite refused by policy"})
		if err != nil {
			s.log.Warn().Str("room_id", roomID.String()).Err(scrub(err)).Msg("Rejecting an invite failed, will retry")
			failed = append(failed, roomID)
		}
	}
	if len(failed) > 0 {
		s.bosMu.Lock()
		s.pendingRejects = append(s.pendingRejects, failed...)
		s.bosMu.Unlock()
	}
}

func containsRoom(rooms []id.RoomID, r id.RoomID) bool {
	for _, x := range rooms {
		if x == r {
			return true
		}
	}
	return false
}

// recheckInvites asks the policy again about the stored invites (the federation list lost servers)
// and rejects those it refuses now; they leave the room list when the rejection syncs back.
func (s *Session) recheckInvites(ctx context.Context) {
	var refused []id.RoomID
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rooms, err := tx.Rooms()
		for _, r := range rooms {
			if r.Membership != "invite" {
				continue
			}
			inviter := ""
			if len(r.Heroes) > 0 {
				inviter = r.Heroes[0] // the invite's sender (see ingester.invitedRoom)
			}
			req := PolicyRequest{Action: ActionReceiveInvite, RoomID: r.ID, Target: inviter}
			if s.checkPolicy(ctx, "invite into "+r.ID, req) != nil {
				refused = append(refused, id.RoomID(r.ID))
			}
		}
		return err
	})
	if err != nil {
		s.log.Warn().Err(err).Msg("Checking stored invites failed")
		return
	}
	if len(refused) > 0 {
		s.log.Info().Int("invites", len(refused)).Msg("Rejecting stored invites the policy refuses now")
		s.rejectInvites(ctx, refused)
	}
}
