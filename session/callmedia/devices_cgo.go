//go:build cgo

package callmedia

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gen2brain/malgo"

	"bosmessenger/internal/audiodev"
)

// systemBackends are the real audio systems per OS, without the null backend that miniaudio
// would fall back to, so that a machine without audio gives ErrNoAudioDevice.
func systemBackends() []malgo.Backend {
	switch runtime.GOOS {
	case "windows":
		return []malgo.Backend{malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm}
	case "darwin", "ios":
		return []malgo.Backend{malgo.BackendCoreaudio}
	case "android":
		return []malgo.Backend{malgo.BackendAaudio, malgo.BackendOpensl}
	default:
		return []malgo.Backend{malgo.BackendPulseaudio, malgo.BackendAlsa, malgo.BackendJack, malgo.BackendOss}
	}
}

// Audio is the system's audio (a miniaudio context through malgo). Its methods are safe from
// any goroutine.
type Audio struct {
	mu  sync.Mutex
	ctx *malgo.AllocatedContext
}

// OpenAudio opens the system's audio: PulseAudio, ALSA, JACK or OSS on Linux (loaded at run
// time), WASAPI on Windows, Core Audio on macOS. Without any: ErrNoAudioDevice.
func OpenAudio() (*Audio, error) { return openAudio(systemBackends()) }

// OpenNullAudio opens miniaudio's null backend: one microphone and one speaker that run in
// real time, silently (the microphone captures silence), for tests.
func OpenNullAudio() (*Audio, error) { return openAudio(audiodev.Null()) }

func openAudio(backends []malgo.Backend) (*Audio, error) {
	ctx, err := audiodev.InitContext(backends)
	if err != nil {
		return nil, fmt.Errorf("failed to open audio: %w (%v)", ErrNoAudioDevice, err)
	}
	return &Audio{ctx: ctx}, nil
}

// Microphones lists the capture devices; none is ErrNoAudioDevice.
func (a *Audio) Microphones() ([]AudioDevice, error) { return a.devices(malgo.Capture) }

// Speakers lists the playback devices; none is ErrNoAudioDevice.
func (a *Audio) Speakers() ([]AudioDevice, error) { return a.devices(malgo.Playback) }

func (a *Audio) devices(kind malgo.DeviceType) ([]AudioDevice, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx == nil {
		return nil, ErrClosed
	}
	infos, err := a.ctx.Devices(kind)
	if err != nil {
		return nil, fmt.Errorf("failed to list audio devices: %w", err)
	}
	if len(infos) == 0 {
		return nil, ErrNoAudioDevice
	}
	out := make([]AudioDevice, 0, len(infos))
	for _, in := range infos {
		out = append(out, AudioDevice{ID: in.ID.String(), Name: in.Name(), Default: in.IsDefault != 0})
	}
	return out, nil
}

// Close closes the context; open microphones and speakers must be closed first.
func (a *Audio) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx != nil {
		audiodev.FreeContext(a.ctx)
		a.ctx = nil
	}
}

// openDevice starts a 48 kHz mono s16 device of kind with id ("" = default), calling data.
func (a *Audio) openDevice(kind malgo.DeviceType, id string, data malgo.DataProc) (*malgo.Device, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx == nil {
		return nil, ErrClosed
	}
	cfg := audiodev.Config{Kind: kind, Format: malgo.FormatS16, SampleRate: SampleRate, PeriodMs: 10}
	var devID malgo.DeviceID
	if id != "" {
		b, err := hex.DecodeString(id)
		if err != nil || len(b) > len(devID) {
			return nil, fmt.Errorf("failed to open audio device %q: %w", id, ErrNoAudioDevice)
		}
		copy(devID[:], b)
	}
	if id != "" {
		// miniaudio reads the ID during InitDevice only; pinned, it may sit in C memory.
		var pin runtime.Pinner
		pin.Pin(&devID)
		defer pin.Unpin()
		cfg.DeviceID = unsafe.Pointer(&devID)
	}
	if id != "" && !a.hasDevice(kind, id) {
		return nil, fmt.Errorf("failed to open audio device %q: %w", id, ErrNoAudioDevice)
	}
	dev, err := audiodev.Start(a.ctx, cfg, data)
	if errors.Is(err, audiodev.ErrOpen) {
		return nil, fmt.Errorf("failed to open audio device: %w (%v)", ErrNoAudioDevice, err)
	}
	return dev, err
}

// hasDevice tells whether the context lists id for kind (a.mu held).
func (a *Audio) hasDevice(kind malgo.DeviceType, id string) bool {
	infos, err := a.ctx.Devices(kind)
	if err != nil {
		return false
	}
	for _, in := range infos {
		if in.ID.String() == id {
			return true
		}
	}
	return false
}

// pcmRing is a bounded FIFO of samples that drops the oldest when full.
type pcmRing struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []int16
	closed bool
}

func newPCMRing() *pcmRing {
	r := &pcmRing{buf: make([]int16, 0, deviceBuffer)}
	r.cond = sync.NewCond(&r.mu)
	return r
}

func (r *pcmRing) write(pcm []int16) {
	r.mu.Lock()
	if over := len(r.buf) + len(pcm) - cap(r.buf); over > 0 {
		if over >= len(r.buf) {
			r.buf = r.buf[:0]
			pcm = pcm[max(0, len(pcm)-cap(r.buf)):]
		} else {
			r.buf = r.buf[:copy(r.buf, r.buf[over:])]
		}
	}
	r.buf = append(r.buf, pcm...)
	r.mu.Unlock()
	r.cond.Broadcast()
}

// readFull blocks until len(pcm) samples are there (or the ring is closed: false).
func (r *pcmRing) readFull(pcm []int16) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) < len(pcm) && !r.closed {
		r.cond.Wait()
	}
	if r.closed {
		return false
	}
	r.take(pcm)
	return true
}

// keepLatest drops all but the newest n samples.
func (r *pcmRing) keepLatest(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if over := len(r.buf) - n; over > 0 {
		r.buf = r.buf[:copy(r.buf, r.buf[over:])]
	}
}

// readSome fills pcm with what there is and zeros after it; it never blocks long.
func (r *pcmRing) readSome(pcm []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := min(len(pcm), len(r.buf))
	r.take(pcm[:n])
	clear(pcm[n:])
}

// readPrebuffered is readSome for playback with a jitter buffer: after the ring ran dry it
// gives silence until prebuffer samples wait; *starving holds that state between calls.
func (r *pcmRing) readPrebuffered(pcm []int16, prebuffer int, starving *bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *starving && len(r.buf) < prebuffer {
		clear(pcm)
		return
	}
	n := min(len(pcm), len(r.buf))
	r.take(pcm[:n])
	clear(pcm[n:])
	*starving = n < len(pcm)
}

func (r *pcmRing) take(pcm []int16) {
	copy(pcm, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[len(pcm):])]
}

func (r *pcmRing) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cond.Broadcast()
}

// bytesToPCM reads little-endian s16 samples.
func bytesToPCM(b []byte, pcm []int16) []int16 {
	pcm = pcm[:0]
	for i := 0; i+1 < len(b); i += 2 {
		pcm = append(pcm, int16(binary.LittleEndian.Uint16(b[i:])))
	}
	return pcm
}

// Microphone is an AudioSource from a capture device: ReadFrame blocks until the next 20 ms
// are captured. Capture runs on while nobody reads; the oldest audio beyond 200 ms is dropped,
// and ReadFrame skips to the newest 60 ms.
type Microphone struct {
	dev    *malgo.Device
	ring   *pcmRing
	level  atomic.Uint64
	frames atomic.Int64
	once   sync.Once
}

// OpenMicrophone starts capturing from the device id ("" = the default).
func (a *Audio) OpenMicrophone(id string) (*Microphone, error) {
	m := &Microphone{ring: newPCMRing()}
	var scratch []int16
	dev, err := a.openDevice(malgo.Capture, id, func(_, in []byte, frames uint32) {
		scratch = bytesToPCM(in, scratch)
		m.ring.write(scratch)
		m.level.Store(math.Float64bits(frameLevel(scratch)))
		m.frames.Add(int64(frames))
	})
	if err != nil {
		return nil, err
	}
	m.dev = dev
	return m, nil
}

// micBacklog is the most captured audio ReadFrame lets wait: older audio is dropped, so that
// a reader that started late or stalled does not add its delay to the call for good.
const micBacklog = 3 * FrameSamples

// ReadFrame blocks until the next frame is captured; after Close it returns ErrClosed.
func (m *Microphone) ReadFrame(pcm []int16) error {
	m.ring.keepLatest(micBacklog)
	if !m.ring.readFull(pcm) {
		return ErrClosed
	}
	return nil
}

// Level is the level (0..1, 1 = a full-scale sine) of the last captured audio, for a meter.
func (m *Microphone) Level() float64 { return math.Float64frombits(m.level.Load()) }

// Captured counts the samples the device delivered.
func (m *Microphone) Captured() int64 { return m.frames.Load() }

// Close stops capturing; a waiting ReadFrame returns ErrClosed.
func (m *Microphone) Close() error {
	m.once.Do(func() {
		m.ring.close()
		m.dev.Uninit()
	})
	return nil
}

// speakerPrebuffer is the jitter buffer of a Speaker: after running dry it waits for 40 ms.
const speakerPrebuffer = 2 * FrameSamples

// Speaker is an AudioSink to a playback device. Frames wait in a buffer of at most 200 ms
// (the oldest are dropped); when it runs dry the speaker plays silence until 40 ms are there
// again, so that network jitter does not chop every frame.
type Speaker struct {
	dev    *malgo.Device
	ring   *pcmRing
	level  atomic.Uint64
	played atomic.Int64
	once   sync.Once
}

// OpenSpeaker starts playing to the device id ("" = the default).
func (a *Audio) OpenSpeaker(id string) (*Speaker, error) {
	s := &Speaker{ring: newPCMRing()}
	var scratch []int16
	starving := true // only the device's thread touches it
	dev, err := a.openDevice(malgo.Playback, id, func(out, _ []byte, frames uint32) {
		if cap(scratch) < int(frames) {
			scratch = make([]int16, frames)
		}
		pcm := scratch[:frames]
		s.ring.readPrebuffered(pcm, speakerPrebuffer, &starving)
		for i, v := range pcm {
			binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
		}
		s.played.Add(int64(frames))
	})
	if err != nil {
		return nil, err
	}
	s.dev = dev
	return s, nil
}

// WriteFrame queues a frame for playback.
func (s *Speaker) WriteFrame(pcm []int16) {
	s.level.Store(math.Float64bits(frameLevel(pcm)))
	s.ring.write(pcm)
}

// Level is the level (0..1) of the last frame written, for a meter.
func (s *Speaker) Level() float64 { return math.Float64frombits(s.level.Load()) }

// Played counts the samples the device took (silence included).
func (s *Speaker) Played() int64 { return s.played.Load() }

// Close stops playback.
func (s *Speaker) Close() error {
	s.once.Do(func() {
		s.ring.close()
		s.dev.Uninit()
	})
	return nil
}
