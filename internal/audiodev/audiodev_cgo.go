//go:build cgo

package audiodev

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// NullBackend is miniaudio's ma_backend_null: devices that run in real time, silently (capture
// gives silence). malgo's BackendNull (13) misses the ma_backend_custom that miniaudio lists
// before it, so it names the custom backend.
const NullBackend = malgo.BackendNull + 1

// Null is the backend list of the null backend alone, for tests.
func Null() []malgo.Backend { return []malgo.Backend{NullBackend} }

// Errors of InitContext and Start, wrapping miniaudio's.
var (
	ErrContext = errors.New("failed to open audio output")
	ErrOpen    = errors.New("failed to open audio device")
	ErrStart   = errors.New("failed to start audio device")
)

// InitContext opens a miniaudio context on backends (nil: miniaudio's default order, which ends
// with the null backend).
func InitContext(backends []malgo.Backend) (*malgo.AllocatedContext, error) {
	ctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrContext, err)
	}
	return ctx, nil
}

// FreeContext closes a context of InitContext (its devices must be stopped first).
func FreeContext(ctx *malgo.AllocatedContext) {
	_ = ctx.Uninit()
	ctx.Free()
}

// Config is what differs between the devices: all are mono.
type Config struct {
	Kind       malgo.DeviceType // malgo.Capture or malgo.Playback
	Format     malgo.FormatType
	SampleRate uint32
	PeriodMs   uint32         // 0: miniaudio's default
	DeviceID   unsafe.Pointer // a *malgo.DeviceID (pinned by the caller); nil: the default device
}

// Start initialises a device of cfg on ctx and starts it; data is miniaudio's data callback.
// A device that fails to start is uninitialised again.
func Start(ctx *malgo.AllocatedContext, cfg Config, data malgo.DataProc) (*malgo.Device, error) {
	dc := malgo.DefaultDeviceConfig(cfg.Kind)
	dc.SampleRate = cfg.SampleRate
	dc.PeriodSizeInMilliseconds = cfg.PeriodMs
	if cfg.Kind == malgo.Capture {
		dc.Capture.Format, dc.Capture.Channels, dc.Capture.DeviceID = cfg.Format, 1, cfg.DeviceID
	} else {
		dc.Playback.Format, dc.Playback.Channels, dc.Playback.DeviceID = cfg.Format, 1, cfg.DeviceID
	}
	dev, err := malgo.InitDevice(ctx.Context, dc, malgo.DeviceCallbacks{Data: data})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	if err := dev.Start(); err != nil {
		dev.Uninit()
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	return dev, nil
}

// Stop stops and uninitialises a device of Start.
func Stop(dev *malgo.Device) {
	_ = dev.Stop()
	dev.Uninit()
}

// Open is InitContext and Start for a device with a context of its own, which is closed again
// when the device fails. Close both with Stop and FreeContext.
func Open(backends []malgo.Backend, cfg Config, data malgo.DataProc) (*malgo.AllocatedContext, *malgo.Device, error) {
	ctx, err := InitContext(backends)
	if err != nil {
		return nil, nil, err
	}
	dev, err := Start(ctx, cfg, data)
	if err != nil {
		FreeContext(ctx)
		return nil, nil, err
	}
	return ctx, dev, nil
}
