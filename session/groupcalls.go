package session

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/callmedia"
	"bosmessenger/session/rtc"
	"bosmessenger/store"
)

// Group calls (MatrixRTC, as Element Call and Element X): the LiveKit focus from .well-known
// (org.matrix.msc4143.rtc_foci), an OpenID token exchanged at the focus's JWT service for a
// LiveKit token, the device's org.matrix.msc3401.call.member state event, and the media through
// package rtc. Dendrite has no delayed events (MSC4140): a client that dies without leaving
// keeps its membership until it expires (rtc.DefaultExpiry), and other clients ignore expired
// ones. The policy key disable_calls blocks group calls too.

// ChangeGroupCall: a joined group call changed (participants, first audio, lost, left);
// RoomID holds its room (Session.GroupCall reads it).
const ChangeGroupCall ChangeKind = "group_call"

// ErrNotInGroupCall says that this device is in no group call of the room.
var ErrNotInGroupCall = errors.New("not in a group call of this room")

// GroupCallOptions say what a group call sends and where its focus is announced.
type GroupCallOptions struct {
	Source callmedia.AudioSource // nil: silence
	// WellKnownURL is the base URL whose /.well-known/matrix/client announces the focus; empty
	// means the account's server name (https, and http for loopback servers).
	WellKnownURL string
	// E2EE says whether the media is encrypted end to end (groupcall_keys.go); the default is
	// on in encrypted rooms, as Element Call.
	E2EE GroupCallE2EE
}

// GroupCallInfo is a snapshot of this device's group call in a room.
type GroupCallInfo struct {
	RoomID       id.RoomID
	ConnectedAt  time.Time
	Lost         bool
	PacketsOut   uint64
	Participants []rtc.ParticipantStats // the others in the LiveKit room, with their received audio
	// Encrypted says that the media is encrypted end to end (per-participant keys over
	// to-device); KeyIndex is the index of the key the own frames are encrypted with.
	Encrypted bool
	KeyIndex  uint8
}

// groupCallsState holds the joined group calls by room.
type groupCallsState struct {
	mu    sync.Mutex
	calls map[id.RoomID]*rtc.Conn
	keys  map[id.RoomID]*groupCallKeys // the media keys of the calls with E2EE (groupcall_keys.go)
	hook  sync.Once                    // the crypto layer's hook for received keys is set
}

// GroupCallMembers lists the current (not left, not expired) call memberships of a room.
func (s *Session) GroupCallMembers(ctx context.Context, roomID id.RoomID) ([]rtc.Member, error) {
	state, err := s.cli.State(ctx, roomID)
	if err != nil {
		return nil, s.classify("load room state", err)
	}
	now := time.Now()
	var out []rtc.Member
	for key, evt := range state[rtc.MemberEventType] {
		if evt == nil {
			continue
		}
		if m, ok := rtc.ParseMember(evt.Sender, key, evt.Content.VeryRaw, evt.Timestamp, now); ok {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedTS < out[j].CreatedTS })
	return out, nil
}

// JoinGroupCall joins the group call of a room, starting it when there is none: it finds the
// focus (the call's active focus, else the first one the server announces), gets a LiveKit token
// for the room, publishes this device's membership and joins the media.
func (s *Session) JoinGroupCall(ctx context.Context, roomID id.RoomID, opts GroupCallOptions) (GroupCallInfo, error) {
	if err := s.CheckCalls(); err != nil {
		return GroupCallInfo{}, err
	}
	if err := s.checkDeviceGate(); err != nil {
		return GroupCallInfo{}, err
	}
	s.groupCalls.mu.Lock()
	_, in := s.groupCalls.calls[roomID]
	s.groupCalls.mu.Unlock()
	if in {
		return s.GroupCall(roomID)
	}
	members, err := s.GroupCallMembers(ctx, roomID)
	if err != nil {
		return GroupCallInfo{}, err
	}
	focus, ok := rtc.ActiveFocusOf(members)
	if !ok {
		foci, err := rtc.DiscoverFoci(ctx, s.cfg.HTTPClient, s.wellKnownBase(opts.WellKnownURL))
		if err != nil {
			return GroupCallInfo{}, fmt.Errorf("failed to find the call focus: %w", err)
		}
		focus = rtc.PreferredFocus{Type: rtc.FocusTypeLiveKit, ServiceURL: foci[0].ServiceURL, Alias: string(roomID)}
	}
	if focus.Alias == "" {
		focus.Alias = string(roomID)
	}
	tok, err := s.cli.RequestOpenIDToken(ctx)
	if err != nil {
		return GroupCallInfo{}, s.classify("request an OpenID token", err)
	}
	sfu, err := rtc.GetSFUConfig(ctx, s.cfg.HTTPClient, focus.ServiceURL, rtc.SFURequest{Room: focus.Alias,
		DeviceID: string(s.account.DeviceID), OpenIDToken: rtc.OpenIDToken{AccessToken: tok.AccessToken,
			TokenType: tok.TokenType, MatrixServerName: tok.MatrixServerName, ExpiresIn: tok.ExpiresIn}})
	if err != nil {
		return GroupCallInfo{}, fmt.Errorf("failed to get a LiveKit token: %w", err)
	}
	encrypt, err := s.wantGroupCallE2EE(ctx, roomID, opts.E2EE)
	if err != nil {
		return GroupCallInfo{}, err
	}
	var keys *groupCallKeys
	if encrypt {
		s.groupCalls.hook.Do(func() { s.e2ee.OnDecryptedToDevice(s.onGroupCallToDevice) })
		if keys, err = newGroupCallKeys(s, roomID); err != nil {
			return GroupCallInfo{}, fmt.Errorf("failed to make the media key: %w", err)
		}
		// Registered before the membership is published: others send their keys on seeing it.
		s.groupCalls.mu.Lock()
		if s.groupCalls.keys == nil {
			s.groupCalls.keys = map[id.RoomID]*groupCallKeys{}
		}
		s.groupCalls.keys[roomID] = keys
		s.groupCalls.mu.Unlock()
	}
	content := rtc.NewMember(s.account.DeviceID, rtc.Focus{Type: rtc.FocusTypeLiveKit, ServiceURL: focus.ServiceURL}, roomID, time.Now())
	content.FociPreferred[0].Alias = focus.Alias
	stateKey := rtc.MemberStateKey(s.account.UserID, s.account.DeviceID)
	if _, err := s.cli.SendStateEvent(ctx, roomID, rtc.MemberEventType, stateKey, &content); err != nil {
		s.dropGroupCallKeys(roomID)
		return GroupCallInfo{}, s.classify("publish the call membership", err)
	}
	mc := rtc.MediaConfig{URL: sfu.URL, Token: sfu.JWT, Source: opts.Source, OnChange: func() { s.groupCallChanged(roomID) }}
	if keys != nil {
		mc.Keys = keys.ring
		mc.OnChange = func() {
			keys.trigger()
			s.groupCallChanged(roomID)
		}
	}
	conn, err := rtc.Connect(ctx, mc)
	if err != nil {
		s.dropGroupCallKeys(roomID)
		s.leaveMembership(roomID)
		return GroupCallInfo{}, err
	}
	if keys != nil {
		keys.start()
	}
	s.groupCalls.mu.Lock()
	if s.groupCalls.calls == nil {
		s.groupCalls.calls = map[id.RoomID]*rtc.Conn{}
	}
	s.groupCalls.calls[roomID] = conn
	s.groupCalls.mu.Unlock()
	s.groupCallChanged(roomID)
	return s.GroupCall(roomID)
}

// GroupCall reads this device's group call in a room.
func (s *Session) GroupCall(roomID id.RoomID) (GroupCallInfo, error) {
	s.groupCalls.mu.Lock()
	conn := s.groupCalls.calls[roomID]
	keys := s.groupCalls.keys[roomID]
	s.groupCalls.mu.Unlock()
	if conn == nil {
		return GroupCallInfo{}, ErrNotInGroupCall
	}
	info := GroupCallInfo{RoomID: roomID, ConnectedAt: conn.ConnectedAt(), Lost: conn.Lost(),
		PacketsOut: conn.PacketsOut(), Participants: conn.Participants(), Encrypted: keys != nil}
	if keys != nil {
		info.KeyIndex = keys.ownIndex()
	}
	return info, nil
}

// GroupCalls lists this device's group calls.
func (s *Session) GroupCalls() []GroupCallInfo {
	s.groupCalls.mu.Lock()
	rooms := make([]id.RoomID, 0, len(s.groupCalls.calls))
	for r := range s.groupCalls.calls {
		rooms = append(rooms, r)
	}
	s.groupCalls.mu.Unlock()
	out := make([]GroupCallInfo, 0, len(rooms))
	for _, r := range rooms {
		if info, err := s.GroupCall(r); err == nil {
			out = append(out, info)
		}
	}
	return out
}

// SetGroupCallMuted sends silence into a group call while muted.
func (s *Session) SetGroupCallMuted(roomID id.RoomID, muted bool) error {
	s.groupCalls.mu.Lock()
	conn := s.groupCalls.calls[roomID]
	s.groupCalls.mu.Unlock()
	if conn == nil {
		return ErrNotInGroupCall
	}
	conn.SetMuted(muted)
	return nil
}

// LeaveGroupCall leaves the media and empties this device's membership (leave = empty content).
func (s *Session) LeaveGroupCall(ctx context.Context, roomID id.RoomID) error {
	s.groupCalls.mu.Lock()
	conn := s.groupCalls.calls[roomID]
	delete(s.groupCalls.calls, roomID)
	s.groupCalls.mu.Unlock()
	if conn == nil {
		return ErrNotInGroupCall
	}
	conn.Close()
	s.dropGroupCallKeys(roomID)
	defer s.groupCallChanged(roomID)
	stateKey := rtc.MemberStateKey(s.account.UserID, s.account.DeviceID)
	if _, err := s.cli.SendStateEvent(ctx, roomID, rtc.MemberEventType, stateKey, &struct{}{}); err != nil {
		return s.classify("leave the call membership", err)
	}
	return nil
}

// closeGroupCalls leaves the group calls of a closing session.
func (s *Session) closeGroupCalls() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, info := range s.GroupCalls() {
		_ = s.LeaveGroupCall(ctx, info.RoomID)
	}
}

// leaveMembership empties the own membership after a failed join.
func (s *Session) leaveMembership(roomID id.RoomID) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stateKey := rtc.MemberStateKey(s.account.UserID, s.account.DeviceID)
	_, _ = s.cli.SendStateEvent(ctx, roomID, rtc.MemberEventType, stateKey, &struct{}{})
}

// wellKnownBase is where the focus is announced: the option, else the server name's host.
func (s *Session) wellKnownBase(override string) string {
	if override != "" {
		return override
	}
	server := s.account.UserID.Homeserver()
	if isLoopback(server) {
		return "http://" + server
	}
	return "https://" + server
}

func (s *Session) groupCallChanged(roomID id.RoomID) {
	err := s.db.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.AddChange(string(ChangeGroupCall), roomID.String(), "")
		return err
	})
	if err != nil {
		s.log.Debug().Err(err).Msg("Recording a group call change failed")
		return
	}
	s.bus.notify()
}

// dropGroupCallKeys stops the media key distribution of a call this device leaves.
func (s *Session) dropGroupCallKeys(roomID id.RoomID) {
	s.groupCalls.mu.Lock()
	keys := s.groupCalls.keys[roomID]
	delete(s.groupCalls.keys, roomID)
	s.groupCalls.mu.Unlock()
	if keys != nil {
		select {
		case <-keys.done:
		default:
			keys.stop()
		}
	}
}
