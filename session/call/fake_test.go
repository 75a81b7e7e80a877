package call

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/callmedia"
)

// fakeMedia connects when it has the remote description and a remote candidate.
type fakeMedia struct {
	mu        sync.Mutex
	name      string
	onCand    func(*callmedia.Candidate)
	onState   func(callmedia.State)
	remoteSDP string
	cands     []callmedia.Candidate
	connected bool
	closed    bool
}

func (f *fakeMedia) gather() {
	go func() {
		for i := range 3 {
			f.onCand(&callmedia.Candidate{Candidate: f.name + "-cand-" + string(rune('0'+i)), SDPMid: "0"})
		}
		f.onCand(nil)
	}()
}

func (f *fakeMedia) Offer(ctx context.Context) (string, error) {
	f.gather()
	return "offer-" + f.name, nil
}
func (f *fakeMedia) Answer(ctx context.Context, offer string) (string, error) {
	f.mu.Lock()
	f.remoteSDP = offer
	f.mu.Unlock()
	f.gather()
	f.check()
	return "answer-" + f.name, nil
}
func (f *fakeMedia) SetAnswer(sdp string) error {
	f.mu.Lock()
	f.remoteSDP = sdp
	f.mu.Unlock()
	f.check()
	return nil
}
func (f *fakeMedia) AddRemoteCandidate(c callmedia.Candidate) error {
	f.mu.Lock()
	f.cands = append(f.cands, c)
	f.mu.Unlock()
	f.check()
	return nil
}
func (f *fakeMedia) check() {
	f.mu.Lock()
	ok := !f.connected && f.remoteSDP != "" && len(f.cands) > 0 && !f.closed
	if ok {
		f.connected = true
	}
	f.mu.Unlock()
	if ok {
		go f.onState(callmedia.StateConnected)
	}
}
func (f *fakeMedia) OnLocalCandidate(fn func(*callmedia.Candidate)) { f.onCand = fn }
func (f *fakeMedia) OnState(fn func(callmedia.State))               { f.onState = fn }
func (f *fakeMedia) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}
func (f *fakeMedia) remoteCands() []callmedia.Candidate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]callmedia.Candidate(nil), f.cands...)
}

// sent is one event on the fake room.
type sent struct {
	from    id.UserID
	room    id.RoomID
	evType  event.Type
	content json.RawMessage
}

// fakeNet delivers every sent event to every device (the sender's too, as the server echoes it),
// in order; while held, events wait for release.
type fakeNet struct {
	t       *testing.T
	mu      sync.Mutex
	devices []*device
	log     []sent
	held    bool
	queue   []sent
	age     time.Duration
	pipe    chan sent
}

type device struct {
	m        *Manager
	user     id.UserID
	media    []*fakeMedia
	incoming chan Info
	changes  chan Info
}

func newNet(t *testing.T) *fakeNet {
	n := &fakeNet{t: t, pipe: make(chan sent, 4096)}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		for {
			select {
			case s := <-n.pipe:
				n.mu.Lock()
				devices, age := append([]*device(nil), n.devices...), n.age
				n.mu.Unlock()
				deliver(devices, s, age)
			case <-stop:
				return
			}
		}
	}()
	return n
}

func (n *fakeNet) add(user id.UserID, party string, tweak func(*Options)) *device {
	d := &device{user: user, incoming: make(chan Info, 16), changes: make(chan Info, 256)}
	opt := Options{Me: user, PartyID: party, BatchDelay: 50 * time.Millisecond,
		Send: func(ctx context.Context, room id.RoomID, t event.Type, content any) error {
			raw, err := json.Marshal(content)
			if err != nil {
				return err
			}
			n.send(sent{from: user, room: room, evType: t, content: raw})
			return nil
		},
		OnChange: func(info Info, incoming bool) {
			if incoming {
				d.incoming <- info
			}
			d.changes <- info
		}}
	if tweak != nil {
		tweak(&opt)
	}
	d.m = NewManager(opt)
	n.t.Cleanup(d.m.Close)
	n.mu.Lock()
	n.devices = append(n.devices, d)
	n.mu.Unlock()
	return d
}

func (d *device) factory(name string) MediaFactory {
	return func() (Media, error) {
		f := &fakeMedia{name: name}
		d.media = append(d.media, f)
		return f, nil
	}
}

func (n *fakeNet) send(s sent) {
	n.mu.Lock()
	n.log = append(n.log, s)
	if n.held {
		n.queue = append(n.queue, s)
		n.mu.Unlock()
		return
	}
	n.mu.Unlock()
	n.pipe <- s
}

func deliver(devices []*device, s sent, age time.Duration) {
	for _, d := range devices {
		d.m.Handle(Event{RoomID: s.room, Sender: s.from, Type: s.evType, Content: s.content,
			TS: time.Now().Add(-age), Age: age})
	}
}

func (n *fakeNet) hold() { n.mu.Lock(); n.held = true; n.mu.Unlock() }
func (n *fakeNet) release() {
	n.mu.Lock()
	q := n.queue
	n.queue, n.held = nil, false
	n.mu.Unlock()
	for _, s := range q {
		n.pipe <- s
	}
}

// count counts the sent events of a type by a user.
func (n *fakeNet) count(from id.UserID, t event.Type) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, s := range n.log {
		if s.from == from && s.evType == t {
			c++
		}
	}
	return c
}

func (n *fakeNet) find(from id.UserID, t event.Type) json.RawMessage {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, s := range n.log {
		if s.from == from && s.evType == t {
			return s.content
		}
	}
	return nil
}

// waitState waits until the call is in state want.
func waitState(t *testing.T, m *Manager, callID string, want State) Info {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := m.Call(callID); err == nil {
			if info := c.Info(); info.State == want {
				return info
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c, err := m.Call(callID)
	if err != nil {
		t.Fatalf("call %s: %v (want %s)", callID, err, want)
	}
	t.Fatalf("call %s is %+v, want state %s", callID, c.Info(), want)
	return Info{}
}

func waitIncoming(t *testing.T, d *device) Info {
	t.Helper()
	select {
	case info := <-d.incoming:
		return info
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no incoming call", d.user)
	}
	return Info{}
}
