package callmedia

import (
	"context"
	"errors"
)

var errTODO = errors.New("not implemented yet")

// Peer is the media of one call.
type Peer struct{}

// NewPeer prepares a peer connection.
func NewPeer(cfg Config) (*Peer, error) { return &Peer{}, nil }

// Offer creates the local offer (caller).
func (p *Peer) Offer(ctx context.Context) (string, error) { return "", errTODO }

// Answer takes the remote offer and returns the answer (callee).
func (p *Peer) Answer(ctx context.Context, offerSDP string) (string, error) { return "", errTODO }

// SetAnswer applies the remote answer (caller).
func (p *Peer) SetAnswer(sdp string) error { return errTODO }

// AddRemoteCandidate adds a candidate from m.call.candidates.
func (p *Peer) AddRemoteCandidate(c Candidate) error { return errTODO }

// OnLocalCandidate registers f for local candidates; nil means end of gathering.
func (p *Peer) OnLocalCandidate(f func(c *Candidate)) {}

// OnState registers f for state changes.
func (p *Peer) OnState(f func(State)) {}

// SetMuted sends silence while muted.
func (p *Peer) SetMuted(bool) {}

// Stats returns the counters.
func (p *Peer) Stats() Stats { return Stats{} }

// Close ends the media.
func (p *Peer) Close() error { return nil }

// Renegotiate creates a new offer on an established call (m.call.negotiate).
func (p *Peer) Renegotiate(ctx context.Context) (string, error) { return "", errTODO }

// HandleOffer answers a renegotiation offer (m.call.negotiate).
func (p *Peer) HandleOffer(ctx context.Context, offerSDP string) (string, error) {
	return "", errTODO
}
