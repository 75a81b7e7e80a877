package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
	"bosmessenger/store"
)

// 1:1 calls (spec VoIP, call version "1"): the signalling of package call wired to the session.
// Call events go out through the same path as queued messages (policy, encryption in encrypted
// rooms), but not through the persistent send queue: they are real-time, a candidate or answer
// that waits behind a slow upload or survives a restart is useless. They are sent at once, with a
// few quick retries of temporary failures. Received call events come from sync (decrypted ones
// too) into the call machine; ChangeCallIncoming and ChangeCall report what happens.

// CallLoopbackEnv, set to 1, restricts the media of every call to loopback candidates. It is for
// tests, which may send traffic only to 127.0.0.0/8.
const CallLoopbackEnv = "BOSMESSENGER_CALL_LOOPBACK"

// CallInfo is a snapshot of a call.
type CallInfo = call.Info

// CallMediaOptions say what a call sends and where what it receives goes.
type CallMediaOptions struct {
	Source       callmedia.AudioSource // nil: silence
	Sink         callmedia.AudioSink   // nil: discarded
	LoopbackOnly bool                  // only loopback ICE candidates (also CallLoopbackEnv=1)
	ReceiveVideo bool                  // a placed call offers to receive video (callvideo.go)
	// RelayOnly sends the media only through the homeserver's TURN server (relay candidates);
	// without one offered, placing or answering fails with ErrNoTURNServer.
	RelayOnly bool
}

// callsState is the session's call machine with its media, made on first use.
type callsState struct {
	once  sync.Once
	mgr   *call.Manager
	mu    sync.Mutex
	peers map[string]*callmedia.Peer // by call ID
	turn  []callmedia.ICEServer
	until time.Time // the TURN credentials are good until then
}

func (s *Session) callManager() *call.Manager {
	s.calls.once.Do(func() {
		s.calls.peers = map[string]*callmedia.Peer{}
		s.calls.mgr = call.NewManager(call.Options{Me: s.account.UserID, PartyID: string(s.account.DeviceID),
			Send: s.sendCallEvent, OnChange: s.callChanged, ErrDisabled: ErrCallsDisabled, Lifetime: s.cfg.CallInviteLifetime,
			Disabled: func() bool { return s.cfg.DisableCalls }})
	})
	return s.calls.mgr
}

// closeCalls hangs up the calls of a closing session.
func (s *Session) closeCalls() { s.callManager().Close() }

// CheckCalls says whether calls are allowed (policy disable_calls).
func (s *Session) CheckCalls() error {
	if s.cfg.DisableCalls {
		return ErrCallsDisabled
	}
	return nil
}

// PlaceCall calls the other member of a room with two joined members and returns the call
// (ringing on the other side). It fails with ErrCallsDisabled, ErrNotOneToOne, or
// ErrNoAudioDevice-style media errors.
func (s *Session) PlaceCall(ctx context.Context, roomID id.RoomID, opts CallMediaOptions) (CallInfo, error) {
	if err := s.CheckCalls(); err != nil {
		return CallInfo{}, err
	}
	if err := s.checkDeviceGate(); err != nil {
		return CallInfo{}, err
	}
	resp, err := s.cli.JoinedMembers(ctx, roomID)
	if err != nil {
		return CallInfo{}, s.classify("load room members", err)
	}
	var peer id.UserID
	for user := range resp.Joined {
		if user == s.account.UserID {
			continue
		}
		if peer != "" {
			return CallInfo{}, fmt.Errorf("%w: %s has more than two members", ErrNotOneToOne, roomID)
		}
		peer = user
	}
	if peer == "" {
		return CallInfo{}, fmt.Errorf("%w: nobody else has joined %s", ErrNotOneToOne, roomID)
	}
	c, err := s.callManager().Place(ctx, roomID, peer, s.callMedia(ctx, opts))
	if err != nil {
		return CallInfo{}, s.callError(err)
	}
	return c.Info(), nil
}

// AnswerCall answers a ringing incoming call.
func (s *Session) AnswerCall(ctx context.Context, callID string, opts CallMediaOptions) error {
	c, err := s.callManager().Call(callID)
	if err != nil {
		return s.callError(err)
	}
	return s.callError(c.Answer(ctx, s.callMedia(ctx, opts)))
}

// RejectCall refuses a ringing incoming call (m.call.reject).
func (s *Session) RejectCall(callID string) error {
	c, err := s.callManager().Call(callID)
	if err != nil {
		return s.callError(err)
	}
	return s.callError(c.Reject())
}

// HangupCall ends a call (a ringing incoming one is rejected); reason is a spec hangup reason
// ("": user_hangup).
func (s *Session) HangupCall(callID, reason string) error {
	if reason == "" {
		reason = call.ReasonUserHangup
	}
	c, err := s.callManager().Call(callID)
	if err != nil {
		return s.callError(err)
	}
	return s.callError(c.Hangup(reason))
}

// Calls lists the calls of this session (since it was opened), oldest first.
func (s *Session) Calls() []CallInfo { return s.callManager().Calls() }

// Call returns one call.
func (s *Session) Call(callID string) (CallInfo, error) {
	c, err := s.callManager().Call(callID)
	if err != nil {
		return CallInfo{}, s.callError(err)
	}
	return c.Info(), nil
}

// CallEnded is closed when the call has ended.
func (s *Session) CallEnded(callID string) (<-chan struct{}, error) {
	c, err := s.callManager().Call(callID)
	if err != nil {
		return nil, s.callError(err)
	}
	return c.Ended(), nil
}

// CallStats returns the media counters of a call (false before it has media).
func (s *Session) CallStats(callID string) (callmedia.Stats, bool) {
	s.calls.mu.Lock()
	p := s.calls.peers[callID]
	s.calls.mu.Unlock()
	if p == nil {
		return callmedia.Stats{}, false
	}
	return p.Stats(), true
}

// SetCallMuted mutes or unmutes our audio in a call.
func (s *Session) SetCallMuted(callID string, muted bool) error {
	s.calls.mu.Lock()
	p := s.calls.peers[callID]
	s.calls.mu.Unlock()
	if p == nil {
		return fmt.Errorf("%w: %s has no media", ErrUnknownCall, callID)
	}
	p.SetMuted(muted)
	return nil
}

func (s *Session) callError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, call.ErrUnknownCall), errors.Is(err, call.ErrState), errors.Is(err, call.ErrBusy):
		return err // ErrUnknownCall, ErrCallState and ErrCallBusy are these
	case errors.Is(err, callmedia.ErrNoAudioDevice):
		return fmt.Errorf("%w: %v", ErrNoMicrophone, err)
	}
	return err
}

// callMedia makes a factory of the call's media: a pion peer with TURN from the homeserver.
func (s *Session) callMedia(ctx context.Context, opts CallMediaOptions) call.MediaFactory {
	loopback := opts.LoopbackOnly || os.Getenv(CallLoopbackEnv) == "1"
	var servers []callmedia.ICEServer
	if !loopback || opts.RelayOnly {
		servers = s.turnServers(ctx)
	}
	return func() (call.Media, error) {
		if opts.RelayOnly && len(servers) == 0 {
			return nil, ErrNoTURNServer
		}
		p, err := callmedia.NewPeer(callmedia.Config{ICEServers: servers, LoopbackOnly: loopback,
			Source: opts.Source, Sink: opts.Sink, ReceiveVideo: opts.ReceiveVideo, RelayOnly: opts.RelayOnly})
		if err != nil {
			return nil, fmt.Errorf("failed to prepare the call media: %w", err)
		}
		return &trackedPeer{Peer: p, s: s}, nil
	}
}

// trackedPeer registers the peer under its call ID once the call knows it (for CallStats).
type trackedPeer struct {
	*callmedia.Peer
	s *Session
}

// turnServers returns the homeserver's TURN servers (/voip/turnServer), cached until their
// credentials expire; none when the server offers none.
func (s *Session) turnServers(ctx context.Context) []callmedia.ICEServer {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	if time.Now().Before(s.calls.until) {
		return s.calls.turn
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := s.cli.TurnServer(ctx)
	if err != nil || len(resp.URIs) == 0 {
		s.log.Debug().Err(err).Msg("No TURN server offered")
		s.calls.turn, s.calls.until = nil, time.Now().Add(5*time.Minute)
		return nil
	}
	s.calls.turn = []callmedia.ICEServer{{URLs: resp.URIs, Username: resp.Username, Credential: resp.Password}}
	ttl := time.Duration(resp.TTL) * time.Second
	s.calls.until = time.Now().Add(max(ttl*9/10, time.Minute))
	return s.calls.turn
}

// sendCallEvent sends one call event at once (not through the queue): policy, device gate and
// encryption as for any event; temporary failures are retried a few times with the same
// transaction ID.
func (s *Session) sendCallEvent(ctx context.Context, roomID id.RoomID, evType event.Type, content any) error {
	raw, err := json.Marshal(content)
	if err != nil {
		return fmt.Errorf("failed to encode %s: %w", evType.Type, err)
	}
	o := &store.Outgoing{RoomID: roomID.String(), TxnID: newTxnID(), Type: evType.Type, Content: raw}
	wait := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		_, err := s.sendOne(ctx, o)
		if err == nil || isPermanent(err) || attempt == 4 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// callChanged records a call's change for subscribers (and remembers its media for CallStats).
func (s *Session) callChanged(info CallInfo, incoming bool) {
	kind := ChangeCall
	if incoming {
		kind = ChangeCallIncoming
	}
	s.trackCallMedia(info)
	err := s.db.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.AddChange(string(kind), info.RoomID.String(), info.CallID)
		return err
	})
	if err != nil {
		s.log.Debug().Err(err).Msg("Recording a call change failed")
		return
	}
	s.bus.notify()
}

func (s *Session) trackCallMedia(info CallInfo) {
	c, err := s.callManager().Call(info.CallID)
	if err != nil {
		return
	}
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	if _, ok := s.calls.peers[info.CallID]; ok || info.State == call.StateRinging || info.State == call.StateEnded {
		return
	}
	go func() {
		if tp, ok := c.Media().(*trackedPeer); ok {
			s.calls.mu.Lock()
			s.calls.peers[info.CallID] = tp.Peer
			s.calls.mu.Unlock()
		}
	}()
}

// callEvent is a received m.call.* event for the call machine.
type callEvent struct {
	roomID  string
	se      *store.Event
	age     time.Duration
	evType  string
	content json.RawMessage
}

// isCallEvent reports the m.call.* types of 1:1 calls.
func isCallEvent(evType string) bool {
	switch evType {
	case event.CallInvite.Type, event.CallCandidates.Type, event.CallAnswer.Type, event.CallSelectAnswer.Type,
		event.CallReject.Type, event.CallNegotiate.Type, event.CallHangup.Type:
		return true
	}
	return false
}

// handleCallEvents gives the call events of a stored sync response to the call machine.
func (s *Session) handleCallEvents(events []callEvent) {
	if len(events) == 0 {
		return
	}
	mgr := s.callManager()
	for _, e := range events {
		mgr.Handle(call.Event{RoomID: id.RoomID(e.roomID), Sender: id.UserID(e.se.Sender),
			Type: event.Type{Type: e.evType, Class: event.MessageEventType}, Content: e.content,
			TS: time.UnixMilli(e.se.TS), Age: e.age})
	}
}

// unsignedAge reads unsigned.age of an event (0 when absent).
func unsignedAge(raw json.RawMessage) time.Duration {
	var u struct {
		Age int64 `json:"age"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &u) != nil || u.Age <= 0 {
		return 0
	}
	return time.Duration(u.Age) * time.Millisecond
}
