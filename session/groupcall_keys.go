package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/session/rtc"
	"bosmessenger/store"
)

// Media keys of a group call, as Element Call (matrix-js-sdk's RTCEncryptionManager with the
// to-device key transport) handles them: this device makes a random 16-byte key (index 0) and
// encrypts its frames with it at once; it sends the key Olm-encrypted as
// io.element.call.encryption_keys to every other member device of the call, and to every device
// that joins later. When a member leaves, it makes a new key at the next index (mod 256), sends
// it to the remaining members and starts using it groupCallKeyUseDelay later, so that the
// others have it before the first frame that needs it. Received keys go into the call's key
// ring under the sender's LiveKit identity (user and the device Olm proved), newer (sent_ts)
// keys replacing older ones at the same index.

// GroupCallE2EE says whether a group call encrypts its media end to end.
type GroupCallE2EE int

const (
	// GroupCallE2EEAuto encrypts in encrypted rooms, as Element Call does.
	GroupCallE2EEAuto GroupCallE2EE = iota
	// GroupCallE2EEOn always encrypts (the room must be encrypted: keys go over Olm anyway).
	GroupCallE2EEOn
	// GroupCallE2EEOff never encrypts: frames go to the SFU in plain Opus.
	GroupCallE2EEOff
)

// groupCallKeyUseDelay is how long a rotated key is sent before it is used (Element Call's
// RTCEncryptionManager: useKeyDelay, 1 s).
var groupCallKeyUseDelay = time.Second

// groupCallKeyRetry is how long a failed key delivery waits before it is tried again.
const groupCallKeyRetry = 3 * time.Second

// groupCallKeyResend is how often the current key goes to all members again. Element Call
// sends it once per member; a to-device message lost on the way (an Olm session that broke
// when two devices started sessions with each other at once, a device that restarted) would
// leave that member without our audio until the next rotation.
var groupCallKeyResend = 20 * time.Second

// groupCallKeys distributes the own media keys of one call and takes in the others'.
type groupCallKeys struct {
	s      *Session
	roomID id.RoomID
	ring   *rtc.KeyRing
	kick   chan struct{}
	done   chan struct{}
	wg     sync.WaitGroup

	mu         sync.Mutex
	index      uint8
	key        []byte
	sharedWith map[memberDevice]int64 // devices that have the current key -> their membership's created_ts
	received   map[string]int64       // identity/index -> sent_ts of the key held there
}

type memberDevice struct {
	user   id.UserID
	device id.DeviceID
}

func newGroupCallKeys(s *Session, roomID id.RoomID) (*groupCallKeys, error) {
	k := &groupCallKeys{s: s, roomID: roomID, ring: rtc.NewKeyRing(), kick: make(chan struct{}, 1),
		done: make(chan struct{}), sharedWith: map[memberDevice]int64{}, received: map[string]int64{}}
	k.key = make([]byte, 16)
	if _, err := rand.Read(k.key); err != nil {
		return nil, err
	}
	if err := k.ring.SetOwnKey(0, k.key); err != nil {
		return nil, err
	}
	return k, nil
}

// start runs the distribution until stop.
func (k *groupCallKeys) start() {
	k.wg.Add(1)
	go k.loop()
	k.trigger()
}

func (k *groupCallKeys) stop() {
	close(k.done)
	k.wg.Wait()
}

// trigger asks for a look at the call's members (coalesced).
func (k *groupCallKeys) trigger() {
	select {
	case k.kick <- struct{}{}:
	default:
	}
}

func (k *groupCallKeys) loop() {
	defer k.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-k.done
		cancel()
	}()
	resend := time.NewTicker(groupCallKeyResend)
	defer resend.Stop()
	for {
		all := false
		select {
		case <-k.done:
			return
		case <-k.kick:
		case <-resend.C:
			all = true
		}
		if !k.reconcile(ctx, all) {
			select {
			case <-k.done:
				return
			case <-time.After(groupCallKeyRetry):
				k.trigger()
			}
		}
	}
}

// reconcile sends the current key to members that lack it (all members with all), or rotates
// it when a member that had it left; false means something failed and should be tried again.
func (k *groupCallKeys) reconcile(ctx context.Context, all bool) bool {
	members, err := k.s.GroupCallMembers(ctx, k.roomID)
	if err != nil {
		return false
	}
	me := memberDevice{k.s.account.UserID, k.s.account.DeviceID}
	current := map[memberDevice]int64{}
	for _, m := range members {
		if d := (memberDevice{m.UserID, m.DeviceID}); d != me {
			current[d] = m.CreatedTS
		}
	}
	k.mu.Lock()
	left := false
	for d, ts := range k.sharedWith {
		if cts, ok := current[d]; !ok {
			left = true
		} else if cts != ts {
			delete(k.sharedWith, d) // re-joined (a new membership): it needs the key again
		}
	}
	k.mu.Unlock()
	if left {
		return k.rotate(ctx, current)
	}
	k.mu.Lock()
	var joined []memberDevice
	for d := range current {
		if _, ok := k.sharedWith[d]; !ok || all {
			joined = append(joined, d)
		}
	}
	index, key := k.index, k.key
	k.mu.Unlock()
	if len(joined) == 0 {
		return true
	}
	if err := k.send(ctx, index, key, joined); err != nil {
		k.s.log.Debug().Err(err).Msg("Sending the group call media key failed")
		return false
	}
	k.mu.Lock()
	if k.index == index {
		for _, d := range joined {
			k.sharedWith[d] = current[d]
		}
	}
	k.mu.Unlock()
	return true
}

// rotate makes a new own key, sends it to the current members and uses it after the delay.
func (k *groupCallKeys) rotate(ctx context.Context, current map[memberDevice]int64) bool {
	key := make([]byte, 16)
	if _, err := rand.Read(key); err != nil {
		return false
	}
	k.mu.Lock()
	index := k.index + 1
	k.index, k.key = index, key
	k.sharedWith = map[memberDevice]int64{}
	k.mu.Unlock()
	var to []memberDevice
	for d := range current {
		to = append(to, d)
	}
	ok := true
	if len(to) > 0 {
		if err := k.send(ctx, index, key, to); err != nil {
			k.s.log.Debug().Err(err).Msg("Sending the rotated group call media key failed")
			ok = false // the next round sends it to who lacks it
		} else {
			k.mu.Lock()
			for _, d := range to {
				k.sharedWith[d] = current[d]
			}
			k.mu.Unlock()
		}
		select {
		case <-time.After(groupCallKeyUseDelay):
		case <-k.done:
			return true
		}
	}
	if err := k.ring.SetOwnKey(index, key); err != nil {
		return false
	}
	k.s.groupCallChanged(k.roomID)
	return ok
}

// send gives the key at index to the devices, Olm-encrypted.
func (k *groupCallKeys) send(ctx context.Context, index uint8, key []byte, to []memberDevice) error {
	if k.s.e2ee == nil {
		return ErrCannotEncrypt
	}
	devices := map[id.UserID][]id.DeviceID{}
	for _, d := range to {
		devices[d.user] = append(devices[d.user], d.device)
	}
	content := rtc.NewKeysContent(k.roomID, k.s.account.DeviceID, index, key, time.Now())
	err := k.s.e2ee.SendEncryptedToDevices(ctx, rtc.KeysEventType, &content, devices)
	k.s.log.Debug().Err(err).Int("index", int(index)).Int("devices", len(to)).Msg("Sent the group call media key")
	return err
}

// receive stores a key another device sent for this call.
func (k *groupCallKeys) receive(user id.UserID, device id.DeviceID, c rtc.KeysContent, index uint8, raw []byte) {
	identity := rtc.Identity(user, device)
	slot := identity + "/" + strconv.Itoa(int(index))
	k.mu.Lock()
	if ts, ok := k.received[slot]; ok && c.SentTS != 0 && c.SentTS < ts {
		k.mu.Unlock()
		return // an older key for this index arrived late
	}
	k.received[slot] = c.SentTS
	k.mu.Unlock()
	if err := k.ring.SetKey(identity, index, raw); err != nil {
		return
	}
	k.s.log.Debug().Str("from", identity).Int("index", int(index)).Msg("Received a group call media key")
	k.s.groupCallChanged(k.roomID)
}

// ownIndex is the index of the key the own frames are encrypted with now.
func (k *groupCallKeys) ownIndex() uint8 { return k.ring.OwnIndex() }

// onGroupCallToDevice takes the decrypted to-device events the crypto layer does not handle;
// media keys of a call this device is in go to its key ring.
func (s *Session) onGroupCallToDevice(_ context.Context, evt e2ee.DecryptedToDevice) {
	if evt.Type != rtc.KeysEventType.Type {
		return
	}
	c, index, raw, err := rtc.ParseKeysContent(evt.Content)
	if err != nil {
		s.log.Debug().Err(err).Msg("Ignoring a call encryption keys event")
		return
	}
	// The device is the one Olm proved; a claimed device that differs is not believed.
	if evt.SenderDevice == "" || c.Member.ClaimedDeviceID != evt.SenderDevice {
		s.log.Debug().Str("sender", string(evt.Sender)).Str("device", string(evt.SenderDevice)).Msg("Ignoring call encryption keys of an unknown or mismatched device")
		return
	}
	s.groupCalls.mu.Lock()
	k := s.groupCalls.keys[c.RoomID]
	s.groupCalls.mu.Unlock()
	if k == nil {
		return
	}
	k.receive(evt.Sender, evt.SenderDevice, c, index, raw)
}

// wantGroupCallE2EE decides whether a call in the room encrypts its media.
func (s *Session) wantGroupCallE2EE(ctx context.Context, roomID id.RoomID, mode GroupCallE2EE) (bool, error) {
	switch mode {
	case GroupCallE2EEOff:
		return false, nil
	case GroupCallE2EEOn:
		if s.e2ee == nil {
			return false, ErrCannotEncrypt
		}
		return true, nil
	}
	encrypted := false
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, ok, err := tx.Room(string(roomID))
		encrypted = ok && r.Encryption != ""
		return err
	})
	if err != nil {
		return false, err
	}
	if !encrypted {
		// Not (yet) in the store as encrypted, as in a data dir that has not synced the room:
		// the server's state decides.
		var enc event.EncryptionEventContent
		err := s.cli.StateEvent(ctx, roomID, event.StateEncryption, "", &enc)
		if err != nil && !errors.Is(err, mautrix.MNotFound) {
			return false, s.classify("read the room's encryption", err)
		}
		encrypted = err == nil && enc.Algorithm != ""
	}
	if encrypted && s.e2ee == nil {
		return false, ErrCannotEncrypt
	}
	return encrypted, nil
}

// groupCallsSynced looks for call membership changes in the rooms of joined group calls, so
// that their media keys reach newcomers and are rotated when someone leaves.
func (s *Session) groupCallsSynced(resp *syncResponse) {
	s.groupCalls.mu.Lock()
	defer s.groupCalls.mu.Unlock()
	for roomID, k := range s.groupCalls.keys {
		if raw, ok := resp.Rooms.Join[string(roomID)]; ok && bytes.Contains(raw, []byte(rtc.MemberEventType.Type)) {
			k.trigger()
		}
	}
}
