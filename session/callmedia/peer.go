package callmedia

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// Peer is the media of one call: a WebRTC peer connection with one Opus audio track each way.
// Its methods are safe from any goroutine; callbacks run one at a time on a goroutine of the
// Peer, in order, and may call its methods (Close too).
type Peer struct {
	cfg   Config
	pc    *webrtc.PeerConnection
	audio *webrtc.TrackLocalStaticSample
	ev    *events
	done  chan struct{} // closed by Close
	wg    sync.WaitGroup

	mu          sync.Mutex
	state       State
	changed     chan struct{} // closed and replaced on every state change
	connectedAt time.Time
	closed      bool
	sending     bool
	sourceGen   int
	onState     func(State)
	onCand      func(*Candidate)
	localCands  []*Candidate // before OnLocalCandidate; a nil entry ends gathering
	gathered    bool         // the end of gathering was the last local candidate
	remoteCands []webrtc.ICECandidateInit

	muted                             atomic.Bool
	pktsIn, pktsOut, bytesIn, videoIn atomic.Uint64
	lost                              atomic.Uint64
	level                             atomic.Uint64 // math.Float64bits of the received level
	video                             videoState
}

// NewPeer prepares a peer connection with a send-and-receive audio transceiver (and a
// receive-only video one with Config.ReceiveVideo). Nothing goes on the network before Offer
// or Answer.
func NewPeer(cfg Config) (*Peer, error) {
	api, err := newAPI(cfg)
	if err != nil {
		return nil, err
	}
	var servers []webrtc.ICEServer
	for _, s := range cfg.ICEServers {
		servers = append(servers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	conf := webrtc.Configuration{ICEServers: servers}
	if cfg.RelayOnly {
		conf.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pc, err := api.NewPeerConnection(conf)
	if err != nil {
		return nil, fmt.Errorf("failed to create peer connection: %w", err)
	}
	p := &Peer{cfg: cfg, pc: pc, ev: newEvents(), done: make(chan struct{}), changed: make(chan struct{})}
	if err := p.addTracks(); err != nil {
		_ = pc.Close()
		p.ev.close()
		return nil, err
	}
	if testHookNewPeer != nil {
		testHookNewPeer(p)
	}
	pc.OnICECandidate(p.localCandidate)
	pc.OnConnectionStateChange(p.pcState)
	pc.OnTrack(p.remoteTrack)
	return p, nil
}

// testHookNewPeer lets tests add tracks (a video sender) to a new peer.
var testHookNewPeer func(*Peer)

// newAPI builds pion's API: default codecs and interceptors (NACK, RTCP reports, TWCC), and in
// loopback mode only IPv4 loopback candidates and no mDNS.
func newAPI(cfg Config) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := registerCodecs(m); err != nil {
		return nil, fmt.Errorf("failed to register codecs: %w", err)
	}
	logs := pionLoggers(cfg.PionLog)
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptorsWithOptions(m, ir, webrtc.WithInterceptorLoggerFactory(logs)); err != nil {
		return nil, fmt.Errorf("failed to register interceptors: %w", err)
	}
	se := webrtc.SettingEngine{LoggerFactory: logs}
	if t := cfg.ICEFailTimeout; t > 0 {
		keepAlive := min(2*time.Second, t/6)
		se.SetICETimeouts(t/3, t-t/3, keepAlive)
	}
	if cfg.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetInterfaceFilter(func(name string) bool { return strings.HasPrefix(name, "lo") })
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(ir)), nil
}

func (p *Peer) addTracks() error {
	track, err := webrtc.NewTrackLocalStaticSample(
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: SampleRate, Channels: 2},
		"audio", "bos-call")
	if err != nil {
		return fmt.Errorf("failed to create audio track: %w", err)
	}
	tr, err := p.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv})
	if err != nil {
		return fmt.Errorf("failed to add audio track: %w", err)
	}
	p.audio = track
	p.drainRTCP(tr.Sender())
	if p.cfg.ReceiveVideo {
		if _, err := p.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			return fmt.Errorf("failed to add video receiver: %w", err)
		}
	}
	return nil
}

// drainRTCP reads the sender's incoming RTCP so that the interceptors see it.
func (p *Peer) drainRTCP(s *webrtc.RTPSender) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 1500)
		for {
			if _, _, err := s.Read(buf); err != nil {
				return
			}
		}
	}()
}

// Offer creates the local offer of the caller (m.call.invite). Candidates follow through
// OnLocalCandidate.
func (p *Peer) Offer(ctx context.Context) (string, error) {
	if err := p.check(ctx); err != nil {
		return "", err
	}
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("failed to create offer: %w", err)
	}
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("failed to set local offer: %w", err)
	}
	p.negotiating()
	return p.pc.LocalDescription().SDP, nil
}

// Answer takes the caller's offer and returns the answer of the callee (m.call.answer).
func (p *Peer) Answer(ctx context.Context, offerSDP string) (string, error) {
	return p.HandleOffer(ctx, offerSDP)
}

// SetAnswer applies the remote answer to the last Offer or Renegotiate.
func (p *Peer) SetAnswer(sdp string) error {
	if err := p.check(context.Background()); err != nil {
		return err
	}
	if p.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		return fmt.Errorf("failed to set answer: %w (%s)", ErrState, p.pc.SignalingState())
	}
	if err := p.setRemote(webrtc.SDPTypeAnswer, sdp); err != nil {
		return fmt.Errorf("failed to set answer: %w", err)
	}
	return nil
}

// Renegotiate creates a new offer on an established call (m.call.negotiate); the answer comes
// back through SetAnswer.
func (p *Peer) Renegotiate(ctx context.Context) (string, error) {
	return p.Offer(ctx)
}

// HandleOffer answers an offer: the first one (Answer) or a renegotiation (m.call.negotiate).
// pion cannot roll back an own pending offer, so an offer that crosses one (glare) fails with
// ErrGlare and changes nothing: the signalling layer avoids glare by letting only one side
// renegotiate at a time.
func (p *Peer) HandleOffer(ctx context.Context, offerSDP string) (string, error) {
	if err := p.check(ctx); err != nil {
		return "", err
	}
	if p.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		return "", fmt.Errorf("failed to answer offer: %w", ErrGlare)
	}
	if err := p.setRemote(webrtc.SDPTypeOffer, offerSDP); err != nil {
		return "", fmt.Errorf("failed to set offer: %w", err)
	}
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("failed to create answer: %w", err)
	}
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("failed to set local answer: %w", err)
	}
	p.negotiating()
	// pion takes only its own answer, whose directions may not fit the offer: the other side
	// gets the fitted one (pion may go on sending what it then discards).
	return answerDirections(offerSDP, p.pc.LocalDescription().SDP)
}

// setRemote parses and applies a remote description, then the candidates that came before it.
func (p *Peer) setRemote(typ webrtc.SDPType, sdp string) error {
	desc := webrtc.SessionDescription{Type: typ, SDP: sdp}
	if _, err := desc.Unmarshal(); err != nil || strings.TrimSpace(sdp) == "" {
		return fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	if err := p.pc.SetRemoteDescription(desc); err != nil {
		return err
	}
	p.mu.Lock()
	queued := p.remoteCands
	p.remoteCands = nil
	p.mu.Unlock()
	for _, c := range queued {
		if err := p.pc.AddICECandidate(c); err != nil {
			return fmt.Errorf("failed to add ICE candidate: %w", err)
		}
	}
	return nil
}

// negotiating moves a new peer to StateConnecting (a renegotiation changes no state).
func (p *Peer) negotiating() {
	p.mu.Lock()
	fresh := p.state == StateNew
	p.mu.Unlock()
	if fresh {
		p.setState(StateConnecting)
	}
}

func (p *Peer) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	return nil
}

// AddRemoteCandidate adds a candidate from m.call.candidates; candidates that come before the
// remote description wait for it. The empty candidate (end of candidates) is ignored, and in
// loopback mode so is every candidate not on 127.0.0.0/8.
func (p *Peer) AddRemoteCandidate(c Candidate) error {
	if c.Candidate == "" {
		return nil
	}
	if p.cfg.LoopbackOnly && !loopbackCandidate(c.Candidate) {
		return nil
	}
	idx := uint16(c.SDPMLineIndex)
	init := webrtc.ICECandidateInit{Candidate: c.Candidate, SDPMLineIndex: &idx}
	if c.SDPMid != "" {
		mid := c.SDPMid
		init.SDPMid = &mid
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	if p.pc.RemoteDescription() == nil {
		p.remoteCands = append(p.remoteCands, init)
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	if err := p.pc.AddICECandidate(init); err != nil {
		return fmt.Errorf("failed to add ICE candidate: %w", err)
	}
	return nil
}

// loopbackCandidate tells whether an ICE candidate line has an address on 127.0.0.0/8.
func loopbackCandidate(line string) bool {
	f := strings.Fields(strings.TrimPrefix(line, "candidate:"))
	if len(f) < 5 {
		return false
	}
	ip := net.ParseIP(f[4])
	return ip != nil && ip.IsLoopback() && ip.To4() != nil
}

// OnLocalCandidate registers f for the local candidates (for m.call.candidates); f(nil) marks
// the end of gathering. Candidates found before f was registered are delivered to it.
func (p *Peer) OnLocalCandidate(f func(c *Candidate)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onCand = f
	if f == nil {
		return
	}
	for _, c := range p.localCands {
		p.ev.push(func() { f(c) })
	}
	p.localCands = nil
}

func (p *Peer) localCandidate(ic *webrtc.ICECandidate) {
	var c *Candidate
	if ic != nil {
		j := ic.ToJSON()
		if p.cfg.LoopbackOnly && !loopbackCandidate(j.Candidate) {
			return
		}
		c = &Candidate{Candidate: j.Candidate}
		if j.SDPMid != nil {
			c.SDPMid = *j.SDPMid
		}
		if j.SDPMLineIndex != nil {
			c.SDPMLineIndex = int(*j.SDPMLineIndex)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c == nil && p.gathered { // pion repeats the end on renegotiations
		return
	}
	p.gathered = c == nil
	if p.onCand == nil {
		p.localCands = append(p.localCands, c)
		return
	}
	p.ev.push(func() {
		p.mu.Lock()
		f := p.onCand
		p.mu.Unlock()
		if f != nil {
			f(c)
		}
	})
}

// OnState registers f for the changes of State.
func (p *Peer) OnState(f func(State)) {
	p.mu.Lock()
	p.onState = f
	p.mu.Unlock()
}

// State is the current state.
func (p *Peer) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// WaitConnected waits until the media connected (nil), ICE failed (ErrICEFailed), the peer was
// closed (ErrClosed) or ctx ended.
func (p *Peer) WaitConnected(ctx context.Context) error {
	for {
		p.mu.Lock()
		s, ch := p.state, p.changed
		p.mu.Unlock()
		switch s {
		case StateConnected:
			return nil
		case StateFailed:
			return ErrICEFailed
		case StateClosed:
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("failed to connect call media: %w", ctx.Err())
		case <-ch:
		}
	}
}

// pcState maps pion's connection state; a disconnected connection counts as connecting again,
// and a connection the other side closed closes the Peer.
func (p *Peer) pcState(s webrtc.PeerConnectionState) {
	switch s {
	case webrtc.PeerConnectionStateConnecting, webrtc.PeerConnectionStateDisconnected:
		p.setState(StateConnecting)
	case webrtc.PeerConnectionStateConnected:
		p.setState(StateConnected)
	case webrtc.PeerConnectionStateFailed:
		p.setState(StateFailed)
	case webrtc.PeerConnectionStateClosed:
		// The other side closed (DTLS close_notify): end sending and receiving too.
		go func() { _ = p.Close() }()
	}
}

func (p *Peer) setState(s State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == s || p.state == StateClosed || (p.closed && s != StateClosed) {
		return
	}
	p.state = s
	close(p.changed)
	p.changed = make(chan struct{})
	if s == StateConnected {
		if p.connectedAt.IsZero() {
			p.connectedAt = time.Now()
		}
		if !p.sending {
			p.sending = true
			p.wg.Add(1)
			go p.sendLoop()
		}
	}
	p.ev.push(func() {
		p.mu.Lock()
		f := p.onState
		p.mu.Unlock()
		if f != nil {
			f(s)
		}
	})
}

// SetSource switches what is sent (nil = silence) on a running call, as when the user picks
// another microphone; the old source is not closed.
func (p *Peer) SetSource(src AudioSource) {
	p.mu.Lock()
	p.cfg.Source = src
	p.sourceGen++
	p.mu.Unlock()
}

// SetSink switches where received audio goes (nil = discard); the old sink is not closed.
func (p *Peer) SetSink(sink AudioSink) {
	p.mu.Lock()
	p.cfg.Sink = sink
	p.mu.Unlock()
}

// source is the current source and its generation (counting SetSource calls).
func (p *Peer) source() (AudioSource, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Source, p.sourceGen
}

func (p *Peer) sink() AudioSink {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Sink
}

// SetMuted sends silence instead of the source while muted.
func (p *Peer) SetMuted(m bool) { p.muted.Store(m) }

// Muted tells whether SetMuted(true) is in force.
func (p *Peer) Muted() bool { return p.muted.Load() }

// Stats returns the counters.
func (p *Peer) Stats() Stats {
	p.mu.Lock()
	at := p.connectedAt
	p.mu.Unlock()
	s := Stats{
		RTPPacketsIn:   p.pktsIn.Load(),
		RTPPacketsOut:  p.pktsOut.Load(),
		BytesIn:        p.bytesIn.Load(),
		VideoPacketsIn: p.videoIn.Load(),
		PacketsLost:    p.lost.Load(),
		ConnectedAt:    at,
		AudioLevel:     p.audioLevel(),
	}
	p.videoStats(&s)
	return s
}

// Close ends the media: the connection, sending and receiving. OnState sees StateClosed last.
// Closing twice is harmless.
func (p *Peer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	p.mu.Unlock()
	err := p.pc.Close()
	p.wg.Wait()
	p.setState(StateClosed)
	p.ev.close()
	if err != nil && !errors.Is(err, ErrClosed) {
		return fmt.Errorf("failed to close peer connection: %w", err)
	}
	return nil
}

// pionLoggers is the logger factory of pion and its interceptors: warnings and errors to w, or
// nowhere when w is nil (pion's default writes to stderr).
func pionLoggers(w io.Writer) logging.LoggerFactory {
	f := &logging.DefaultLoggerFactory{DefaultLogLevel: logging.LogLevelWarn, ScopeLevels: map[string]logging.LogLevel{}, Writer: w}
	if w == nil {
		f.Writer, f.DefaultLogLevel = io.Discard, logging.LogLevelDisabled
	}
	return f
}
