package crypto

import (
	"context"
	"encoding/json"
	"fmt"

	"maunium.net/go/mautrix"
	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// keyCrossSigningSeeds is the kv entry holding the private cross-signing seeds. mautrix keeps them
// only in memory (OlmMachine.CrossSigningKeys) and does not put them into the crypto store; our kv
// table seals every value with the store key, so they never reach the disk in plaintext. They go
// into secret storage (secretstorage.go) once there is one whose key this device knows: when the
// key backup is created, or when secret storage is unlocked with the recovery key.
const keyCrossSigningSeeds = "cross_signing_seeds"

// ServerHasCrossSigning reports whether the user already has a cross-signing master key on the server.
func (m *Machine) ServerHasCrossSigning(ctx context.Context) (bool, error) {
	uid := m.mach.Client.UserID
	resp, err := m.mach.Client.QueryKeys(ctx, &mautrix.ReqQueryKeys{DeviceKeys: mautrix.DeviceKeysRequest{uid: {}}})
	if err != nil {
		return false, fmt.Errorf("failed to query cross-signing keys: %w", err)
	}
	_, ok := resp.MasterKeys[uid]
	return ok, nil
}

// BootstrapCrossSigning generates cross-signing keys, uploads them (answering the server's
// user-interactive auth with the password), keeps the private keys sealed in the store and signs
// this device with the new self-signing key.
func (m *Machine) BootstrapCrossSigning(ctx context.Context, password string) error {
	keys, err := m.mach.GenerateCrossSigningKeys()
	if err != nil {
		return fmt.Errorf("failed to generate cross-signing keys: %w", err)
	}
	uid := m.mach.Client.UserID
	uia := func(resp *mautrix.RespUserInteractive) any {
		return map[string]any{
			"type":       mautrix.AuthTypePassword,
			"identifier": mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: uid.String()},
			"password":   password,
			"session":    resp.Session,
		}
	}
	if err := m.mach.PublishCrossSigningKeys(ctx, keys, uia); err != nil {
		return fmt.Errorf("failed to upload cross-signing keys: %w", err)
	}
	if err := m.saveCrossSigningSeeds(ctx, keys.Seeds()); err != nil {
		return err
	}
	if err := m.mach.SignOwnDevice(ctx, m.mach.OwnIdentity()); err != nil {
		return fmt.Errorf("failed to sign own device: %w", err)
	}
	// Learn the uploaded public keys and signatures, so trust resolves locally.
	if _, err := m.fetchKeys(ctx, []id.UserID{uid}); err != nil {
		return fmt.Errorf("failed to fetch own keys: %w", err)
	}
	return nil
}

func (m *Machine) saveCrossSigningSeeds(ctx context.Context, seeds mcrypto.CrossSigningSeeds) error {
	data, err := json.Marshal(seeds)
	if err != nil {
		return fmt.Errorf("failed to encode cross-signing keys: %w", err)
	}
	err = m.rooms.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetValue(keyCrossSigningSeeds, string(data)) })
	if err != nil {
		return fmt.Errorf("failed to save cross-signing keys: %w", err)
	}
	return nil
}

// loadCrossSigningSeeds imports the private cross-signing keys saved by BootstrapCrossSigning.
func (m *Machine) loadCrossSigningSeeds(ctx context.Context) error {
	var data string
	err := m.rooms.db.Read(ctx, func(tx *store.Tx) (err error) {
		data, err = tx.Value(keyCrossSigningSeeds)
		return err
	})
	if err != nil || data == "" {
		return err
	}
	var seeds mcrypto.CrossSigningSeeds
	if err := json.Unmarshal([]byte(data), &seeds); err != nil {
		return fmt.Errorf("failed to decode cross-signing keys: %w", err)
	}
	if err := m.mach.ImportCrossSigningKeys(seeds); err != nil {
		return fmt.Errorf("failed to import cross-signing keys: %w", err)
	}
	return nil
}

// Device is one device of a user as this device trusts it.
type Device struct {
	UserID      id.UserID
	DeviceID    id.DeviceID
	Name        string
	Trust       id.TrustState
	Verified    bool       // verified by SAS here, or cross-signed by its owner whom we verified
	CrossSigned bool       // signed by its owner's self-signing key
	SigningKey  id.Ed25519 // the device's Ed25519 key as its owner published it
}

// Devices fetches userID's devices from the server and resolves how we trust each.
func (m *Machine) Devices(ctx context.Context, userID id.UserID) ([]Device, error) {
	// Two callers at once (the settings' device list and security tab) raced on the device
	// objects mautrix's key query writes while the other resolves trust from them.
	m.devicesMu.Lock()
	defer m.devicesMu.Unlock()
	all, err := m.fetchKeys(ctx, []id.UserID{userID})
	if err != nil {
		return nil, fmt.Errorf("failed to fetch devices: %w", err)
	}
	var out []Device
	for _, dev := range all[userID] {
		trust, err := m.resolveTrust(ctx, dev)
		if err != nil {
			return nil, fmt.Errorf("failed to resolve trust of %s: %w", dev.DeviceID, err)
		}
		out = append(out, Device{UserID: userID, DeviceID: dev.DeviceID, Name: dev.Name, Trust: trust,
			Verified:    trust == id.TrustStateVerified || trust == id.TrustStateCrossSignedVerified,
			CrossSigned: m.signedByOwner(ctx, dev), SigningKey: dev.SigningKey})
	}
	return out, nil
}

// signedByOwner reports whether dev carries a signature of its owner's self-signing key.
func (m *Machine) signedByOwner(ctx context.Context, dev *id.Device) bool {
	keys, err := m.mach.CryptoStore.GetCrossSigningKeys(ctx, dev.UserID)
	if err != nil {
		return false
	}
	ssk, ok := keys[id.XSUsageSelfSigning]
	if !ok {
		return false
	}
	signed, err := m.mach.CryptoStore.IsKeySignedBy(ctx, dev.UserID, dev.SigningKey, dev.UserID, ssk.Key)
	return err == nil && signed
}

// CrossSigningSeeds returns the private cross-signing seeds this device holds (nil without them),
// for tests that check they never reach the disk in plaintext.
func (m *Machine) CrossSigningSeeds() [][]byte {
	if m.mach.CrossSigningKeys == nil {
		return nil
	}
	s := m.mach.ExportCrossSigningKeys()
	return [][]byte{s.MasterKey, s.SelfSigningKey, s.UserSigningKey}
}
