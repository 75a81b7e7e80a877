package session_test

// The load generator of BenchmarkAlert200: lightweight members (plain mautrix clients, one
// goroutine each) that long-poll /sync like a device, and answer every alert they see as our
// engine would: a de.bos.alert.ack after a delay drawn by alert.AckDelay over the current jitter
// window, then a response (Rückmeldung) after a second, human delay. Each member draws from its own
// seeded source, so a run is repeatable.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
)

// loadFilter is what a member syncs: the room timelines, no presence (like the engine's filter).
var loadFilter = &mautrix.Filter{
	Room: &mautrix.RoomFilter{
		State:    &mautrix.FilterPart{LazyLoadMembers: true},
		Timeline: &mautrix.FilterPart{Limit: 50, LazyLoadMembers: true},
	},
	Presence: &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
}

// loadParams are the delays of the current alert, set before it is sent.
type loadParams struct {
	ackWindow, responseWindow time.Duration
}

// memberTrack is what one member did for one alert.
type memberTrack struct {
	seen, acked, answered time.Time
	status                alert.Status
	retries               int
	err                   error
}

// alertTrack collects the members' tracks of one alert.
type alertTrack struct {
	mu      sync.Mutex
	members map[int]*memberTrack
	done    sync.WaitGroup // one per member that saw the alert, until it answered or failed
}

// loadGen is the set of members.
type loadGen struct {
	members []*loadMember
	params  atomic.Pointer[loadParams]
	syncErr atomic.Int64
	txnSeq  atomic.Int64

	mu     sync.Mutex
	tracks map[id.EventID]*alertTrack
}

type loadMember struct {
	i      int
	gen    *loadGen
	cli    *mautrix.Client
	rng    *rand.Rand // drawn by one goroutine at a time: the sync loop, or the push handler
	filter string
	since  string
	seen   map[id.EventID]bool
}

func (g *loadGen) track(alertEvent id.EventID) *alertTrack {
	g.mu.Lock()
	defer g.mu.Unlock()
	t := g.tracks[alertEvent]
	if t == nil {
		t = &alertTrack{members: map[int]*memberTrack{}}
		g.tracks[alertEvent] = t
	}
	return t
}

// statusOf is member i's answer: a mix of the three, with ETAs for coming and later.
func statusOf(i int) alert.Response {
	switch i % 3 {
	case 0:
		return alert.Response{Status: alert.StatusComing, ETAMinutes: 3 + i%12}
	case 1:
		return alert.Response{Status: alert.StatusNotComing}
	}
	return alert.Response{Status: alert.StatusLater, ETAMinutes: 20 + i%25}
}

// prepare makes the initial sync, so that later events arrive live.
func (m *loadMember) prepare(ctx context.Context) error {
	f, err := m.cli.CreateFilter(ctx, loadFilter)
	if err != nil {
		return fmt.Errorf("failed to create the filter of member %d: %w", m.i, err)
	}
	m.filter = f.FilterID
	resp, err := m.cli.FullSyncRequest(ctx, mautrix.ReqSync{FilterID: m.filter})
	if err != nil {
		return fmt.Errorf("failed to sync member %d: %w", m.i, err)
	}
	m.since = resp.NextBatch
	return nil
}

// run long-polls /sync until ctx ends and answers each alert it sees.
func (m *loadMember) run(ctx context.Context) {
	for ctx.Err() == nil {
		resp, err := m.cli.FullSyncRequest(ctx, mautrix.ReqSync{Since: m.since, FilterID: m.filter, Timeout: 30000})
		if err != nil {
			if ctx.Err() == nil {
				m.gen.syncErr.Add(1)
				sleepCtx(ctx, 200*time.Millisecond)
			}
			continue
		}
		m.since = resp.NextBatch
		now := time.Now()
		for roomID, room := range resp.Rooms.Join {
			for _, ev := range room.Timeline.Events {
				if m.seen[ev.ID] {
					continue
				}
				if _, ok := alert.ParseAlert(ev.Type.Type, ev.Content.VeryRaw); !ok {
					continue
				}
				m.seen[ev.ID] = true
				m.answer(ctx, roomID, ev.ID, now)
			}
		}
	}
}

// push wakes every member with the alert's event ID (as a push gateway would, event ID only): each
// fetches the event, and answers it when it is an alert.
func (g *loadGen) push(ctx context.Context, roomID id.RoomID, alertEvent id.EventID) {
	for _, m := range g.members {
		go func() {
			var ev *event.Event
			var err error
			for attempt := range 10 {
				if ev, err = m.cli.GetEvent(ctx, roomID, alertEvent); err == nil || !sleepCtx(ctx, time.Duration(attempt+1)*200*time.Millisecond) {
					break
				}
			}
			if err != nil {
				g.syncErr.Add(1)
				return
			}
			if _, ok := alert.ParseAlert(ev.Type.Type, ev.Content.VeryRaw); ok {
				m.answer(ctx, roomID, alertEvent, time.Now())
			}
		}()
	}
}

// answer acknowledges and answers one alert in the background, after the drawn delays.
func (m *loadMember) answer(ctx context.Context, roomID id.RoomID, alertEvent id.EventID, seen time.Time) {
	p := m.gen.params.Load()
	ackDelay := alert.AckDelay(p.ackWindow, m.rng.Float64())
	thinkDelay := alert.AckDelay(p.responseWindow, m.rng.Float64())
	resp := statusOf(m.i)
	tr := &memberTrack{seen: seen, status: resp.Status}
	at := m.gen.track(alertEvent)
	at.mu.Lock()
	at.members[m.i] = tr
	at.mu.Unlock()
	at.done.Add(1)
	go func() {
		defer at.done.Done()
		fail := func(err error) { at.mu.Lock(); tr.err = err; at.mu.Unlock() }
		if !sleepCtx(ctx, ackDelay) {
			fail(ctx.Err())
			return
		}
		if err := m.send(ctx, roomID, event.Type{Type: alert.TypeAck, Class: event.MessageEventType}, alert.AckContent(alertEvent), tr, at); err != nil {
			fail(err)
			return
		}
		at.mu.Lock()
		tr.acked = time.Now()
		at.mu.Unlock()
		content, err := alert.ResponseContent(alertEvent, resp)
		if err != nil {
			fail(err)
			return
		}
		if !sleepCtx(ctx, thinkDelay) {
			fail(ctx.Err())
			return
		}
		if err := m.send(ctx, roomID, event.EventMessage, content, tr, at); err != nil {
			fail(err)
			return
		}
		at.mu.Lock()
		tr.answered = time.Now()
		at.mu.Unlock()
	}()
}

// send sends one event, retrying with the same transaction ID (idempotent) when the request fails.
func (m *loadMember) send(ctx context.Context, roomID id.RoomID, t event.Type, content any, tr *memberTrack, at *alertTrack) error {
	txn := fmt.Sprintf("load-%d-%d", m.i, m.gen.txnSeq.Add(1))
	var err error
	for attempt := range 10 {
		if attempt > 0 {
			at.mu.Lock()
			tr.retries++
			at.mu.Unlock()
			if !sleepCtx(ctx, time.Duration(attempt)*200*time.Millisecond) {
				return ctx.Err()
			}
		}
		_, err = m.cli.SendMessageEvent(ctx, roomID, t, content, mautrix.ReqSendEvent{TransactionID: txn})
		if err == nil {
			return nil
		}
		var httpErr mautrix.HTTPError
		if errors.As(err, &httpErr) && httpErr.Response != nil && httpErr.Response.StatusCode < 500 &&
			httpErr.Response.StatusCode != http.StatusTooManyRequests {
			return err
		}
	}
	return fmt.Errorf("member %d: failed to send %s after 10 attempts: %w", m.i, t.Type, err)
}

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
