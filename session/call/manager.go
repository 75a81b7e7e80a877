package call

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Options configure a Manager.
type Options struct {
	Me      id.UserID
	PartyID string // our party_id: the device ID
	Send    Sender
	// OnChange is called (from the call's goroutine) after every state change; incoming is true
	// once, when an incoming call starts ringing.
	OnChange func(info Info, incoming bool)
	// Disabled, when set and true, makes Place and Answer fail with ErrDisabled and incoming
	// invites be ignored (policy disable_calls).
	Disabled func() bool
	// ErrDisabled is what Place and Answer return when Disabled says so.
	ErrDisabled error
	Lifetime    time.Duration // of our invites; 0: DefaultLifetime
	BatchDelay  time.Duration // of local candidates; 0: DefaultBatchDelay
	Now         func() time.Time
}

// Manager keeps the calls of one device.
type Manager struct {
	opt   Options
	ctx   context.Context
	stop  context.CancelFunc
	mu    sync.Mutex
	calls map[string]*Call
	order []string
}

// NewManager returns a manager; Close ends its calls.
func NewManager(opt Options) *Manager {
	if opt.Lifetime <= 0 {
		opt.Lifetime = DefaultLifetime
	}
	if opt.BatchDelay <= 0 {
		opt.BatchDelay = DefaultBatchDelay
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.ErrDisabled == nil {
		opt.ErrDisabled = fmt.Errorf("calls are disabled")
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Manager{opt: opt, ctx: ctx, stop: stop, calls: map[string]*Call{}}
}

// Close hangs up every active call and stops the manager.
func (m *Manager) Close() {
	for _, c := range m.active() {
		_ = c.Hangup(ReasonUserHangup)
	}
	m.stop()
}

func (m *Manager) disabled() bool { return m.opt.Disabled != nil && m.opt.Disabled() }

// Calls lists all calls of this manager, oldest first.
func (m *Manager) Calls() []Info {
	m.mu.Lock()
	list := make([]*Call, 0, len(m.order))
	for _, id := range m.order {
		list = append(list, m.calls[id])
	}
	m.mu.Unlock()
	out := make([]Info, len(list))
	for i, c := range list {
		out[i] = c.Info()
	}
	return out
}

// Call returns the call with this ID.
func (m *Manager) Call(callID string) (*Call, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.calls[callID]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownCall, callID)
	}
	return c, nil
}

func (m *Manager) active() []*Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Call
	for _, c := range m.calls {
		if c.Info().State != StateEnded {
			out = append(out, c)
		}
	}
	return out
}

func (m *Manager) add(c *Call) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[c.info.CallID] = c
	m.order = append(m.order, c.info.CallID)
}

func newCallID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strconv.FormatInt(time.Now().UnixMilli(), 10) + hex.EncodeToString(b)
}

// Place calls peer in room: it makes the media, sends the invite and returns the ringing call.
func (m *Manager) Place(ctx context.Context, roomID id.RoomID, peer id.UserID, media MediaFactory) (*Call, error) {
	if m.disabled() {
		return nil, m.opt.ErrDisabled
	}
	for _, c := range m.active() {
		if c.Info().State != StateRinging {
			return nil, fmt.Errorf("%w: %s", ErrBusy, c.info.CallID)
		}
	}
	c := m.newCall(Info{CallID: newCallID(), RoomID: roomID, Peer: peer, Outbound: true, State: StateInviteSent,
		PartyID: m.opt.PartyID}, media)
	m.add(c) // before the invite goes out: its answer may come back at once
	if err := c.do(ctx, func() error { return c.invite(ctx) }); err != nil {
		_ = c.Hangup(ReasonUserHangup)
		return nil, err
	}
	c.notify(false)
	return c, nil
}

// Handle takes one received m.call.* event.
func (m *Manager) Handle(ev Event) {
	var head event.BaseCallEventContent
	if err := json.Unmarshal(ev.Content, &head); err != nil || head.CallID == "" {
		return
	}
	if ev.Sender == m.opt.Me && head.PartyID == m.opt.PartyID {
		return // our own echo
	}
	if ev.Type == event.CallInvite {
		m.invite(ev, head)
		return
	}
	m.mu.Lock()
	c := m.calls[head.CallID]
	m.mu.Unlock()
	if c != nil && c.info.RoomID == ev.RoomID {
		c.post(func() { c.handle(ev, head) })
	}
}

// invite handles an incoming invite: stale ones, our own devices', glare and busy.
func (m *Manager) invite(ev Event, head event.BaseCallEventContent) {
	var inv event.CallInviteEventContent
	if json.Unmarshal(ev.Content, &inv) != nil || inv.Offer.SDP == "" {
		return
	}
	if ev.Sender == m.opt.Me || m.disabled() {
		return // our other device calls (do not ring ourselves), or calls are off here
	}
	lifetime := time.Duration(inv.Lifetime) * time.Millisecond
	age := ev.Age
	if age <= 0 && !ev.TS.IsZero() {
		age = m.opt.Now().Sub(ev.TS)
	}
	if lifetime <= 0 || age >= lifetime {
		return // stale: it stopped ringing before it arrived
	}
	m.mu.Lock()
	if _, known := m.calls[head.CallID]; known {
		m.mu.Unlock()
		return
	}
	var glare, busy *Call
	for _, c := range m.calls {
		info := c.Info()
		switch {
		case info.State == StateEnded:
		case info.Outbound && info.State == StateInviteSent && info.RoomID == ev.RoomID && info.Peer == ev.Sender:
			glare = c
		case info.State != StateRinging:
			busy = c
		}
	}
	if glare != nil && head.CallID > glare.info.CallID {
		m.mu.Unlock()
		return // glare: ours has the lower call ID and wins; the other side answers it
	}
	var factory MediaFactory
	if glare != nil {
		factory = glare.factory
	}
	c := m.newCall(Info{CallID: head.CallID, RoomID: ev.RoomID, Peer: ev.Sender, State: StateRinging,
		PartyID: m.opt.PartyID, OpponentParty: head.PartyID}, factory)
	c.offer = inv.Offer.SDP
	m.calls[c.info.CallID] = c
	m.order = append(m.order, c.info.CallID)
	m.mu.Unlock()
	switch {
	case glare != nil:
		// Glare: theirs has the lower call ID. Ours gives way silently and we answer theirs.
		glare.post(func() { glare.replaced(c.info.CallID) })
		c.post(func() {
			if err := c.answer(m.ctx); err != nil {
				c.fail(err)
			}
		})
	case busy != nil:
		c.post(func() {
			c.sendEvent(event.CallHangup, event.CallHangupEventContent{BaseCallEventContent: c.base(), Reason: ReasonUserBusy})
			c.end(ReasonUserBusy, false)
		})
	default:
		c.post(func() {
			c.expiry = time.AfterFunc(lifetime-age, func() {
				c.post(func() {
					if c.info.State == StateRinging {
						c.end(ReasonInviteTimeout, true)
					}
				})
			})
			c.notify(true)
		})
	}
}

func (m *Manager) newCall(info Info, media MediaFactory) *Call {
	ctx, cancel := context.WithCancel(m.ctx)
	c := &Call{m: m, info: info, factory: media, ctx: ctx, cancel: cancel, inbox: make(chan func(), 512), stopped: make(chan struct{}),
		remote: map[string][]event.CallCandidate{}}
	if info.InviteAt.IsZero() {
		c.info.InviteAt = m.opt.Now()
	}
	go c.loop()
	return c
}
