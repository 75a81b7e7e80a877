package jscall

import (
	"context"
	"fmt"
	"time"
)

// Call states of matrix-js-sdk's MatrixCall that tests wait for.
const (
	StateConnected = "connected"
	StateEnded     = "ended"
	StateRinging   = "ringing"
)

// Stats is what the page measures of the current call.
type Stats struct {
	State            string   `json:"state"`
	CallID           string   `json:"call_id"`
	ConnectedMS      int64    `json:"connected_ms"` // invite sent (caller) or seen (callee) to connected; -1 before
	HangupReason     string   `json:"hangup_reason"`
	HangupParty      string   `json:"hangup_party"`
	BytesReceived    int64    `json:"bytes_received"`   // inbound-rtp audio
	PacketsReceived  int64    `json:"packets_received"` // inbound-rtp audio
	TotalAudioEnergy float64  `json:"total_audio_energy"`
	AudioLevel       float64  `json:"audio_level"`
	BytesSent        int64    `json:"bytes_sent"`
	DominantHz       float64  `json:"dominant_hz"`      // strongest frequency of the received audio (FFT), 0 without audio
	DominantDB       *float64 `json:"dominant_db"`      // its level in dBFS
	ConnectionState  string   `json:"connection_state"` // RTCPeerConnection.connectionState
	ICEState         string   `json:"ice_state"`        // iceConnectionState
	DTLSState        string   `json:"dtls_state"`       // of the transport in getStats()

	VideoFramesSent int64 `json:"video_frames_sent"` // outbound-rtp video (the fake camera)
	VideoBytesSent  int64 `json:"video_bytes_sent"`
}

// SDP returns the current call's local and remote session descriptions (for debugging).
func (p *Peer) SDP(ctx context.Context) (local, remote string, err error) {
	var res struct {
		Local  string `json:"local"`
		Remote string `json:"remote"`
	}
	err = p.call(ctx, "sdp", nil, &res)
	return res.Local, res.Remote, err
}

// Login logs the page's client in (user is a localpart or user ID), initialises the Rust crypto
// when withCrypto and waits for the first sync.
func (p *Peer) Login(ctx context.Context, homeserver, user, password string, withCrypto bool) error {
	var res struct {
		UserID   string `json:"user_id"`
		DeviceID string `json:"device_id"`
		VoIP     bool   `json:"voip"`
	}
	args := map[string]any{"base_url": homeserver, "user": user, "password": password, "crypto": withCrypto}
	if err := p.call(ctx, "login", args, &res); err != nil {
		return err
	}
	if !res.VoIP {
		return fmt.Errorf("failed to log in: the client does not support VoIP in this browser")
	}
	p.UserID, p.DeviceID = res.UserID, res.DeviceID
	return nil
}

// CreateRoom creates a private room (encrypted with megolm if asked) inviting invite.
func (p *Peer) CreateRoom(ctx context.Context, name string, encrypted bool, invite ...string) (string, error) {
	var roomID string
	err := p.call(ctx, "createRoom", map[string]any{"name": name, "encrypted": encrypted, "invite": invite}, &roomID)
	return roomID, err
}

// WaitInvite waits until the user is invited to roomID.
func (p *Peer) WaitInvite(ctx context.Context, roomID string) error {
	return p.call(ctx, "waitInvite", map[string]any{"room_id": roomID}, nil)
}

// Join joins roomID over the server via (may be empty).
func (p *Peer) Join(ctx context.Context, roomID, via string) error {
	return p.call(ctx, "join", map[string]any{"room_id": roomID, "via": via}, nil)
}

// WaitRoom waits until the user and members are joined to roomID and, if encrypted, the
// client knows that the room is encrypted.
func (p *Peer) WaitRoom(ctx context.Context, roomID string, encrypted bool, members ...string) error {
	return p.call(ctx, "waitRoom", map[string]any{"room_id": roomID, "encrypted": encrypted, "members": members}, nil)
}

// PlaceCall starts a voice call in roomID and returns its call ID once the invite is sent.
func (p *Peer) PlaceCall(ctx context.Context, roomID string) (string, error) {
	var callID string
	err := p.call(ctx, "placeCall", map[string]any{"room_id": roomID}, &callID)
	return callID, err
}

// WaitIncomingAndAnswer waits for an incoming call, answers it with audio and returns its ID.
func (p *Peer) WaitIncomingAndAnswer(ctx context.Context) (string, error) {
	var callID string
	err := p.call(ctx, "answer", nil, &callID)
	return callID, err
}

// WaitIncomingAndReject waits for an incoming call, rejects it and returns its ID.
func (p *Peer) WaitIncomingAndReject(ctx context.Context) (string, error) {
	var callID string
	err := p.call(ctx, "reject", nil, &callID)
	return callID, err
}

// Hangup ends the current call (reason user_hangup).
func (p *Peer) Hangup(ctx context.Context) error {
	return p.call(ctx, "hangup", nil, nil)
}

// Stats reads getStats() of the current call's peer connection and the analyser of the
// received audio.
func (p *Peer) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := p.call(ctx, "stats", nil, &s)
	return s, err
}

// WaitState waits until the call callID reached state.
func (p *Peer) WaitState(ctx context.Context, callID, state string) error {
	_, err := p.pushes.wait(ctx, fmt.Sprintf("call %s in state %s", callID, state), func(x Push) bool {
		return x.Kind == "state" && x.CallID == callID && x.State == state
	})
	return err
}

// WaitHangup waits until the call callID was hung up and returns the hangup event.
func (p *Peer) WaitHangup(ctx context.Context, callID string) (Push, error) {
	return p.pushes.wait(ctx, fmt.Sprintf("a hangup of call %s", callID), func(x Push) bool {
		return x.Kind == "hangup" && x.CallID == callID
	})
}

// WaitStats polls Stats until ok accepts them and returns the last ones (also on timeout).
func (p *Peer) WaitStats(ctx context.Context, what string, ok func(Stats) bool) (Stats, error) {
	var last Stats
	for {
		s, err := p.Stats(ctx)
		if err != nil {
			return last, err
		}
		last = s
		if ok(s) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("failed to see %s (last stats %+v): %w", what, last, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
