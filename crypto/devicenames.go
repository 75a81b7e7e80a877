package crypto

import (
	"context"
	"fmt"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/id"
)

// namelessStore is mautrix's SQL crypto store without device display names. mautrix keeps the
// name every device's owner chose (from the key query's unsigned device_display_name) in
// plaintext in crypto_device, while everything else a user chose to show is sealed in the
// account store. Nothing reads names back from the crypto store: Devices answers with the names of
// a fresh key query, which are held in memory only. (docs/MAUTRIX.md, W15.)
type namelessStore struct {
	*mcrypto.SQLCryptoStore
}

var _ mcrypto.Store = namelessStore{}

// PutDevice stores device without its name.
func (s namelessStore) PutDevice(ctx context.Context, userID id.UserID, device *id.Device) error {
	if device == nil || device.Name == "" {
		return s.SQLCryptoStore.PutDevice(ctx, userID, device)
	}
	c := *device
	c.Name = ""
	return s.SQLCryptoStore.PutDevice(ctx, userID, &c)
}

// PutDevices stores devices without their names (the callers' device objects keep them).
func (s namelessStore) PutDevices(ctx context.Context, userID id.UserID, devices map[id.DeviceID]*id.Device) error {
	out := make(map[id.DeviceID]*id.Device, len(devices))
	for k, d := range devices {
		if d != nil && d.Name != "" {
			c := *d
			c.Name = ""
			d = &c
		}
		out[k] = d
	}
	return s.SQLCryptoStore.PutDevices(ctx, userID, out)
}

// forgetDeviceNames blanks the names an earlier version stored.
func forgetDeviceNames(ctx context.Context, cs *mcrypto.SQLCryptoStore) error {
	if _, err := cs.DB.Exec(ctx, "UPDATE crypto_device SET name='' WHERE name<>''"); err != nil {
		return fmt.Errorf("failed to forget device names: %w", err)
	}
	return nil
}
