package crypto

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/rs/zerolog"
	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/backup"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// FileName is the crypto database inside an account's data dir.
const FileName = "crypto.db"

// Machine is the E2EE state of one device.
type Machine struct {
	mach  *mcrypto.OlmMachine
	raw   *sql.DB
	log   zerolog.Logger
	rooms *roomState

	mu       sync.Mutex
	received map[id.SessionID]id.RoomID // megolm sessions received since the last TakeReceived

	listsChanged func(context.Context, []id.UserID) // see OnDeviceListsChanged

	encryptMu sync.Map // id.RoomID -> *sync.Mutex: encryption is serialised per room

	backupMu      sync.Mutex              // serializes uploads into the key backup
	devicesMu     sync.Mutex              // serializes Devices: concurrent key queries race inside mautrix
	trustMu       sync.Mutex              // serializes mautrix's trust checks (see trust.go)
	backupKey     *backup.MegolmBackupKey // the key backup this device writes to, once known
	backupVersion id.KeyBackupVersion

	verify *verifier // nil until EnableVerification

	recipientsMu  sync.Mutex
	recipients    func(context.Context, id.RoomID) ([]id.UserID, error) // see SetRoomKeyRecipients
	decryptedHook func(context.Context, DecryptedToDevice)              // see OnDecryptedToDevice (under recipientsMu)
}

// Open opens (creating if needed) the crypto store at path for the logged-in client and uploads
// the device's identity and one-time keys if they are not on the server yet.
func Open(ctx context.Context, cli *mautrix.Client, path string, pickleKey []byte, db *store.DB, log zerolog.Logger) (*Machine, error) {
	if len(pickleKey) < 32 {
		return nil, errors.New("failed to open crypto store: pickle key too short")
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_foreign_keys", "1")
	q.Set("_secure_delete", "on")
	raw, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("failed to open crypto store: %w", err)
	}
	raw.SetMaxOpenConns(1)
	cdb, err := dbutil.NewWithDB(raw, "sqlite3")
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("failed to open crypto store: %w", err)
	}
	cs := mcrypto.NewSQLCryptoStore(cdb, dbutil.ZeroLogger(log.With().Str("db_section", "crypto").Logger()),
		cli.UserID.String(), cli.DeviceID, pickleKey)
	if err := cs.DB.Upgrade(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("failed to upgrade crypto store: %w", err)
	}
	if err := forgetDeviceNames(ctx, cs); err != nil {
		raw.Close()
		return nil, err
	}
	m := &Machine{raw: raw, log: log, rooms: &roomState{db: db}, received: map[id.SessionID]id.RoomID{}}
	m.mach = mcrypto.NewOlmMachine(cli, &m.log, namelessStore{cs}, m.rooms)
	// Ratchet tracking only serves key-deletion features we do not use, and it rewrites a
	// per-session list on every decryption that grows with the message index (decryption fell from
	// about 1700 to 270 events/s over 10,000 messages of one session). Replay detection is separate.
	m.mach.DisableRatchetTracking = true
	m.mach.SessionReceived = func(_ context.Context, roomID id.RoomID, sessionID id.SessionID, _ uint32) {
		m.mu.Lock()
		m.received[sessionID] = roomID
		m.mu.Unlock()
	}
	if err := m.mach.Load(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("failed to load olm account: %w", err)
	}
	if err := m.loadCrossSigningSeeds(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	if err := m.loadBackupKey(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	if !m.mach.GetAccount().Shared {
		// First start of this device: its identity and one-time keys must be on the server before
		// anyone can encrypt to it. Later, one-time keys are topped up from the sync's key count,
		// so opening an existing account works offline.
		if err := m.mach.ShareKeys(ctx, -1); err != nil {
			raw.Close()
			return nil, fmt.Errorf("failed to upload device keys: %w", err)
		}
	}
	return m, nil
}

// Close stops background work and closes the crypto store.
func (m *Machine) Close() error {
	if m.verify != nil {
		m.verify.stop()
	}
	m.mach.Destroy()
	return m.raw.Close()
}

// IdentityKey is this device's curve25519 identity key.
func (m *Machine) IdentityKey() id.IdentityKey { return m.mach.OwnIdentity().IdentityKey }

// SyncInput is the crypto-relevant part of one /sync response.
type SyncInput struct {
	Since       string
	ToDevice    []json.RawMessage
	DeviceLists json.RawMessage
	OTKCounts   json.RawMessage
}

// ProcessSync handles to-device messages (room keys, key requests), device list changes and the
// one-time key count of a sync response. It must run before the response's room events are
// decrypted, so that keys that came with them are known.
func (m *Machine) ProcessSync(ctx context.Context, in SyncInput) {
	resp := &mautrix.RespSync{}
	if len(in.DeviceLists) > 0 {
		if err := json.Unmarshal(in.DeviceLists, &resp.DeviceLists); err != nil {
			m.log.Warn().Err(err).Msg("Ignoring malformed device_lists")
		}
	}
	// A response without device_one_time_keys_count says nothing about our one-time keys (spec);
	// mautrix would read the missing field as zero keys left and generate 50 more each time. The
	// account keeps at most 100, dropping the oldest, which are still on the server: a sender who
	// claims one of those gets "unknown one-time key" and the message stays undecryptable. So an
	// absent or malformed count is passed on as "enough".
	resp.DeviceOTKCount.SignedCurve25519 = int(m.mach.GetAccount().Internal.MaxNumberOfOneTimeKeys() / 2)
	if len(in.OTKCounts) > 0 {
		var counts mautrix.OTKCount
		if err := json.Unmarshal(in.OTKCounts, &counts); err != nil {
			m.log.Warn().Err(err).Msg("Ignoring malformed one-time key counts")
		} else {
			resp.DeviceOTKCount = counts
		}
	}
	for _, raw := range in.ToDevice {
		var evt event.Event
		if err := json.Unmarshal(raw, &evt); err != nil || evt.Type.Type == "" {
			m.log.Warn().Err(err).Msg("Ignoring malformed to-device event")
			continue
		}
		resp.ToDevice.Events = append(resp.ToDevice.Events, &evt)
	}
	m.processSyncResponse(ctx, resp, in.Since)
	m.rotateForNewlyTrusted(ctx, resp.DeviceLists.Changed)
	m.notifyDeviceLists(ctx, resp.DeviceLists.Changed)
	for _, evt := range resp.ToDevice.Events {
		m.dispatchVerification(ctx, evt)
	}
}

// MembershipChanged tells the machine about a member event in an encrypted room, so the room's
// outbound session is not shared with someone who left (and is shared with who joined).
func (m *Machine) MembershipChanged(ctx context.Context, roomID id.RoomID, raw json.RawMessage) {
	var evt event.Event
	if err := json.Unmarshal(raw, &evt); err != nil {
		return
	}
	evt.RoomID = roomID
	if err := evt.Content.ParseRaw(event.StateMember); err != nil {
		return
	}
	if evt.Unsigned.PrevContent != nil {
		_ = evt.Unsigned.PrevContent.ParseRaw(event.StateMember)
	}
	m.mach.HandleMemberEvent(ctx, &evt)
}

// TakeReceived returns the megolm sessions that arrived since the last call.
func (m *Machine) TakeReceived() map[id.SessionID]id.RoomID {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.received
	m.received = map[id.SessionID]id.RoomID{}
	return out
}
