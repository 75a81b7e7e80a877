package callmedia

import (
	"errors"
	"io"
	"time"
)

// Audio format of sources and sinks.
const (
	SampleRate   = 48000
	FrameSamples = 960 // 20 ms at 48 kHz
	FrameTime    = 20 * time.Millisecond
)

// Errors of the peer and the audio devices, tested with errors.Is.
var (
	ErrICEFailed     = errors.New("ICE connection failed")
	ErrNoAudioDevice = errors.New("no audio device")
	ErrClosed        = errors.New("call media closed")
	ErrBadSDP        = errors.New("invalid session description")
	ErrState         = errors.New("wrong negotiation state")
	ErrGlare         = errors.New("offer crossed an own pending offer")
)

// ICEServer is one STUN or TURN server, as /voip/turnServer lists them.
type ICEServer struct {
	URLs                 []string
	Username, Credential string
}

// Config configures a Peer.
type Config struct {
	ICEServers   []ICEServer // from the homeserver's /voip/turnServer when offered
	LoopbackOnly bool        // tests: gather and accept only 127.0.0.1 candidates, no mDNS
	Source       AudioSource // nil = silence
	Sink         AudioSink   // nil = discard
	ReceiveVideo bool        // offer to receive the other side's video (counted in Stats)
	// RelayOnly gathers and uses only relay candidates (TURN from ICEServers): the media goes
	// through the TURN server or not at all (tests of TURN; networks that must hide addresses).
	RelayOnly bool
	// ICEFailTimeout is how long ICE may go without connectivity (checking or disconnected)
	// before the peer fails with ErrICEFailed; 0 = pion's default (5 s + 25 s).
	ICEFailTimeout time.Duration
	// PionLog receives pion's own warnings and errors (its log lines can name ICE credentials,
	// so never a shared log); nil discards them. They used to go to stderr, which broke
	// bosctl's quiet output at every hangup.
	PionLog io.Writer
}

// AudioSource delivers the audio to send: ReadFrame fills pcm (FrameSamples long) and may block
// until the frame is due; an error ends sending.
type AudioSource interface{ ReadFrame(pcm []int16) error }

// AudioSink takes the decoded received audio, one frame at a time. It must not keep pcm.
type AudioSink interface{ WriteFrame(pcm []int16) }

// Candidate is one ICE candidate in the shape of m.call.candidates.
type Candidate struct {
	Candidate     string `json:"candidate"`
	SDPMid        string `json:"sdpMid"`
	SDPMLineIndex int    `json:"sdpMLineIndex"`
}

// State is the connection state of a Peer.
type State int

// States of a Peer.
const (
	StateNew State = iota
	StateConnecting
	StateConnected
	StateFailed
	StateClosed
)

func (s State) String() string {
	switch s {
	case StateNew:
		return "new"
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateFailed:
		return "failed"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// Stats are counters of a Peer.
type Stats struct {
	RTPPacketsIn, RTPPacketsOut, BytesIn uint64
	VideoPacketsIn                       uint64    // RTP packets of a received video track
	VideoFramesIn                        uint64    // pictures decoded from it (key frames, see KeyFrameInterval)
	VideoWidth, VideoHeight              int       // size of the newest picture (0 before the first)
	PacketsLost                          uint64    // audio packets missing in the sequence (concealed)
	ConnectedAt                          time.Time // zero until connected
	AudioLevel                           float64   // 0..1, RMS of the last received frames
}
