package crypto

import (
	"context"
	"errors"
	"fmt"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// DecryptedToDevice is an Olm-encrypted to-device event of a type the crypto layer does not handle
// itself (for example MatrixRTC media keys), after decryption. Sender and SenderDevice are what
// Olm proved: the user of the event and the device whose identity key encrypted it (empty when
// the device is unknown).
type DecryptedToDevice struct {
	Sender       id.UserID
	SenderDevice id.DeviceID
	Type         string
	Content      []byte // the decrypted content's JSON
}

// OnDecryptedToDevice sets the function that gets every decrypted to-device event of a type
// the crypto layer does not handle (called during ProcessSync, on the sync goroutine).
func (m *Machine) OnDecryptedToDevice(fn func(context.Context, DecryptedToDevice)) {
	m.recipientsMu.Lock()
	defer m.recipientsMu.Unlock()
	m.decryptedHook = fn
}

// processSyncResponse is mautrix's OlmMachine.ProcessSyncResponse, except that the decrypted
// to-device events mautrix does not handle (it drops them) go to the OnDecryptedToDevice hook.
func (m *Machine) processSyncResponse(ctx context.Context, resp *mautrix.RespSync, since string) {
	m.trustMu.Lock() // its key query stores cross-signing keys (see fetchKeys)
	m.mach.HandleDeviceLists(ctx, &resp.DeviceLists, since)
	m.trustMu.Unlock()
	m.recipientsMu.Lock()
	hook := m.decryptedHook
	m.recipientsMu.Unlock()
	for _, evt := range resp.ToDevice.Events {
		evt.Type.Class = event.ToDeviceEventType
		if err := evt.Content.ParseRaw(evt.Type); err != nil && !errors.Is(err, event.ErrContentAlreadyParsed) {
			m.log.Warn().Str("event_type", evt.Type.Type).Err(err).Msg("Failed to parse to-device event")
			continue
		}
		if _, ok := evt.Content.Parsed.(*event.EncryptedEventContent); !ok || hook == nil {
			m.mach.HandleToDeviceEvent(ctx, evt)
			continue
		}
		dec := m.mach.HandleEncryptedEvent(ctx, evt)
		if dec == nil || len(dec.Content.VeryRaw) == 0 {
			continue
		}
		out := DecryptedToDevice{Sender: dec.Sender, Type: dec.Type.Type, Content: dec.Content.VeryRaw}
		if dec.SenderDevice != nil {
			out.SenderDevice = dec.SenderDevice.DeviceID
		}
		hook(ctx, out)
	}
	m.mach.HandleOTKCounts(ctx, &resp.DeviceOTKCount)
	m.mach.MarkOlmHashSavePoint(ctx)
}

// SendEncryptedToDevices Olm-encrypts one event content for each of the given devices and sends
// it as to-device messages; devices whose keys cannot be found are skipped (and named in the
// error when none got it).
func (m *Machine) SendEncryptedToDevices(ctx context.Context, evType event.Type, content any, devices map[id.UserID][]id.DeviceID) error {
	evType.Class = event.ToDeviceEventType
	req := &mautrix.ReqSendToDevice{Messages: map[id.UserID]map[id.DeviceID]*event.Content{}}
	n := 0
	var errs []error
	for user, devs := range devices {
		for _, dev := range devs {
			if _, err := m.mach.GetOrFetchDevice(ctx, user, dev); err != nil {
				errs = append(errs, err)
				continue
			}
			if req.Messages[user] == nil {
				req.Messages[user] = map[id.DeviceID]*event.Content{}
			}
			req.Messages[user][dev] = &event.Content{Parsed: content}
			n++
		}
	}
	if n == 0 {
		if len(errs) > 0 {
			return fmt.Errorf("failed to find the devices' keys: %w", errors.Join(errs...))
		}
		return nil
	}
	enc, err := m.mach.EncryptToDevices(ctx, evType, req)
	if err != nil {
		return fmt.Errorf("failed to encrypt to-device event: %w", err)
	}
	if _, err := m.mach.Client.SendToDevice(ctx, event.ToDeviceEncrypted, enc); err != nil {
		return fmt.Errorf("failed to send to-device event: %w", err)
	}
	return nil
}
