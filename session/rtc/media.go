package rtc

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livekit/protocol/livekit"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"bosmessenger/session/callmedia"
)

func init() {
	// LiveKit's SDK logs to the standard logger by default, which would break bosctl's output
	// and can name tokens: silence it.
	lksdk.SetLogger(protoLogger.GetDiscardLogger())
}

// ErrMediaFailed says that the LiveKit room could not be joined or was lost.
var ErrMediaFailed = errors.New("group call media failed")

// MediaConfig says where to join and what to send.
type MediaConfig struct {
	URL, Token string
	Source     callmedia.AudioSource // nil: silence
	// OnChange is called (from any goroutine) when a participant comes, goes or first sends audio,
	// and when the room is lost.
	OnChange func()
	// Keys, when set, turns on media end-to-end encryption (e2ee.go): the own frames are
	// encrypted with the ring's own key, every other participant's with its key from the ring.
	// The own key must be set before Connect.
	Keys *KeyRing
}

// ParticipantStats describe one other participant of the media room.
type ParticipantStats struct {
	Identity     string  `json:"identity"`
	RTPPacketsIn uint64  `json:"rtp_packets_in"`
	DetectedHz   float64 `json:"detected_hz"`
	// With media encryption: the frames that could not be decrypted (no key at their index, or a
	// wrong one) and the key index of the last frame.
	DecryptErrors uint64 `json:"decrypt_errors,omitempty"`
	KeyIndex      uint8  `json:"key_index,omitempty"`
}

// Conn is a joined LiveKit room: the own Opus track going out, every other participant's audio
// decoded into its own tone detector.
type Conn struct {
	cfg         MediaConfig
	room        *lksdk.Room
	track       *lksdk.LocalTrack
	connectedAt time.Time
	muted       atomic.Bool
	pktsOut     atomic.Uint64
	lost        atomic.Bool

	mu      sync.Mutex
	remotes map[string]*remote // by identity
	closed  bool
	done    chan struct{}
	wg      sync.WaitGroup
}

type remote struct {
	det        *callmedia.ToneDetector
	pktsIn     atomic.Uint64
	decryptErr atomic.Uint64
	keyIndex   atomic.Uint32
	present    bool
}

// Connect joins the LiveKit room that token grants and starts sending the source.
func Connect(ctx context.Context, cfg MediaConfig) (*Conn, error) {
	c := &Conn{cfg: cfg, remotes: map[string]*remote{}, done: make(chan struct{})}
	cb := lksdk.NewRoomCallback()
	cb.OnTrackSubscribed = c.trackSubscribed
	cb.OnParticipantConnected = func(rp *lksdk.RemoteParticipant) { c.participant(rp.Identity(), true) }
	cb.OnParticipantDisconnected = func(rp *lksdk.RemoteParticipant) { c.participant(rp.Identity(), false) }
	cb.OnDisconnected = func() {
		c.lost.Store(true)
		c.changed()
	}
	var trackOpts []lksdk.LocalTrackOptions
	encryption := livekit.Encryption_NONE
	if cfg.Keys != nil {
		enc, err := cfg.Keys.encryptor()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMediaFailed, err)
		}
		trackOpts = append(trackOpts, lksdk.WithFrameEncryptor(enc))
		encryption = livekit.Encryption_GCM
	}
	track, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: callmedia.SampleRate, Channels: 2}, trackOpts...)
	if err != nil {
		return nil, fmt.Errorf("%w: failed to create the audio track: %v", ErrMediaFailed, err)
	}
	c.track = track
	type result struct {
		room *lksdk.Room
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		room, err := lksdk.ConnectToRoomWithToken(cfg.URL, cfg.Token, cb, lksdk.WithAutoSubscribe(true), lksdk.WithConnectTimeout(30*time.Second))
		ch <- result{room, err}
	}()
	var res result
	select {
	case res = <-ch:
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.room != nil {
				r.room.Disconnect()
			}
		}()
		return nil, fmt.Errorf("%w: %v", ErrMediaFailed, ctx.Err())
	}
	if res.err != nil {
		return nil, fmt.Errorf("%w: failed to join the LiveKit room: %v", ErrMediaFailed, res.err)
	}
	c.mu.Lock()
	c.room = res.room
	c.mu.Unlock()
	if _, err := res.room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: "microphone",
		Source: livekit.TrackSource_MICROPHONE, Encryption: encryption}); err != nil {
		res.room.Disconnect()
		return nil, fmt.Errorf("%w: failed to publish the audio track: %v", ErrMediaFailed, err)
	}
	for _, rp := range res.room.GetRemoteParticipants() {
		c.participant(rp.Identity(), true)
	}
	c.connectedAt = time.Now()
	c.wg.Add(1)
	go c.sendLoop()
	return c, nil
}

// ConnectedAt is when the room was joined and the own track published.
func (c *Conn) ConnectedAt() time.Time { return c.connectedAt }

// Lost reports whether the LiveKit server dropped the connection.
func (c *Conn) Lost() bool { return c.lost.Load() }

// SetMuted sends silence instead of the source while muted.
func (c *Conn) SetMuted(m bool) { c.muted.Store(m) }

// PacketsOut counts the Opus packets sent.
func (c *Conn) PacketsOut() uint64 { return c.pktsOut.Load() }

// Participants lists the other participants present, by identity.
func (c *Conn) Participants() []ParticipantStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]ParticipantStats, 0, len(c.remotes))
	for ident, r := range c.remotes {
		if !r.present {
			continue
		}
		out = append(out, ParticipantStats{Identity: ident, RTPPacketsIn: r.pktsIn.Load(), DetectedHz: r.det.DominantHz(),
			DecryptErrors: r.decryptErr.Load(), KeyIndex: uint8(r.keyIndex.Load())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identity < out[j].Identity })
	return out
}

// Close leaves the room and stops sending.
func (c *Conn) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	close(c.done)
	room := c.room
	c.mu.Unlock()
	if room != nil {
		room.Disconnect()
	}
	c.wg.Wait()
}

func (c *Conn) changed() {
	if c.cfg.OnChange != nil {
		c.cfg.OnChange()
	}
}

// remoteLocked returns the state of identity, made on first use; c.mu is held.
func (c *Conn) remoteLocked(identity string) *remote {
	r := c.remotes[identity]
	if r == nil {
		r = &remote{det: callmedia.NewToneDetector()}
		c.remotes[identity] = r
	}
	return r
}

func (c *Conn) participant(identity string, present bool) {
	c.mu.Lock()
	c.remoteLocked(identity).present = present
	c.mu.Unlock()
	c.changed()
}

func (c *Conn) trackSubscribed(tr *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	if tr.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	r := c.remoteLocked(rp.Identity())
	r.present = true
	c.wg.Add(1)
	c.mu.Unlock()
	go c.receive(tr, r, rp.Identity())
	c.changed()
}

// receive decodes one participant's Opus track into its detector.
func (c *Conn) receive(tr *webrtc.TrackRemote, r *remote, identity string) {
	defer c.wg.Done()
	dec, err := callmedia.NewOpusDecoder()
	if err != nil {
		return
	}
	var frames *frameDecrypter
	if c.cfg.Keys != nil {
		frames = &frameDecrypter{keys: c.cfg.Keys, identity: identity, conn: c}
	}
	out := make([]int16, 5760)
	pending := make([]int16, 0, 4*5760)
	first := true
	go func() { // a track outlives Close only until its read fails
		<-c.done
		_ = tr.SetReadDeadline(time.Now())
	}()
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		r.pktsIn.Add(1)
		if len(pkt.Payload) == 0 {
			continue
		}
		payload := pkt.Payload
		if frames != nil {
			if payload = frames.decrypt(payload, r); payload == nil {
				continue
			}
		}
		n, err := dec.DecodeInt16(payload, out)
		if err != nil {
			continue
		}
		pending = append(pending, out[:n]...)
		k := 0
		for ; len(pending)-k >= callmedia.FrameSamples; k += callmedia.FrameSamples {
			r.det.WriteFrame(pending[k : k+callmedia.FrameSamples])
		}
		pending = pending[:copy(pending, pending[k:])]
		if first {
			first = false
			c.changed()
		}
	}
}

// sendLoop encodes the source into 20 ms Opus packets, paced by the wall clock, until Close.
func (c *Conn) sendLoop() {
	defer c.wg.Done()
	enc, err := callmedia.NewOpusEncoder()
	if err != nil {
		return
	}
	pcm := make([]int16, callmedia.FrameSamples)
	silence := make([]int16, callmedia.FrameSamples)
	buf := make([]byte, 1500)
	ticker := time.NewTicker(callmedia.FrameTime)
	defer ticker.Stop()
	failed := false
	for {
		select {
		case <-c.done:
			return
		case <-ticker.C:
		}
		frame := silence
		if c.cfg.Source != nil && !failed && !c.muted.Load() {
			if err := c.cfg.Source.ReadFrame(pcm); err != nil {
				failed = true
			} else {
				frame = pcm
			}
		}
		size, err := enc.EncodeInt16(frame, buf)
		if err != nil {
			return
		}
		if err := c.track.WriteSample(media.Sample{Data: buf[:size], Duration: callmedia.FrameTime}, nil); err == nil {
			c.pktsOut.Add(1)
		}
	}
}
