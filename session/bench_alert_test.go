package session_test

// BenchmarkAlert200: one alert from our engine to a room of 200 members whose devices acknowledge
// and answer it (issue 10, docs/PERFORMANCE.md section "Alert to 200 members"). The members are a
// load generator (bench_alert_load_test.go); every request of the sender and the members passes a
// counting proxy in front of Dendrite (bench_alert_proxy_test.go). ns/op is the time from sending
// the alert until the sender's board is complete: all 200 answered, nobody missing.
//
//	go test -tags goolm -run '^$' -bench 'Alert200' -benchtime 1x -timeout 30m ./session

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
)

const (
	alertMembers        = 200
	alertResponseWindow = 5 * time.Second // the members' "human" delay between receipt and answer
	alertSetupParallel  = 16
	alertBoardTimeout   = 40 * time.Minute // beyond the windows: Dendrite takes many minutes in long-poll mode
	memberHTTPTimeout   = 15 * time.Minute // a send may wait that long in Dendrite's queue
)

// alertBench is the seeded room with its running sender and members.
type alertBench struct {
	counter *reqCounter
	sender  *session.Session
	roomID  id.RoomID
	users   []id.UserID // members by index
	gen     *loadGen
	seq     atomic.Int64

	ctx      context.Context // until the benchmark ends
	longPoll bool            // the members hold /sync long-polls; else they are woken by push
}

// startSync starts every member's long-poll loop (until the benchmark ends) and waits until
// every long-poll is under way.
func (ab *alertBench) startSync() {
	for _, m := range ab.gen.members {
		go m.run(ab.ctx)
	}
	ab.longPoll = true
	time.Sleep(5 * time.Second)
}

func BenchmarkAlert200(b *testing.B) {
	ab := setupAlertBench(b)
	// Phones woken by a push that carries the event ID only (docs/MOBILE.md): they fetch the alert
	// event and answer, without a long-poll of their own.
	for _, w := range []time.Duration{0, 10 * time.Second, 30 * time.Second} {
		b.Run(fmt.Sprintf("mode=push/jitter=%s", w), func(b *testing.B) { ab.bench(b, w) })
	}
	// Devices that hold a /sync long-poll all the time (desktop apps): every event wakes all 201.
	ab.startSync()
	for _, w := range []time.Duration{0, 10 * time.Second} {
		b.Run(fmt.Sprintf("mode=longpoll/jitter=%s", w), func(b *testing.B) { ab.bench(b, w) })
	}
}

func benchLogf(b *testing.B, format string, args ...any) {
	b.Helper()
	b.Logf(format, args...)
	fmt.Fprintf(os.Stderr, "%s: "+format+"\n", append([]any{b.Name()}, args...)...)
}

// setupAlertBench starts Dendrite, registers and signs in the sender (our engine) and the 200
// members (mautrix clients), creates the room with everybody invited, lets the members join and
// sync, and starts everybody's sync loop. Nothing is cached across runs: it takes about a minute.
func setupAlertBench(b *testing.B) *alertBench {
	start := time.Now()
	srv := testserver.Start(b, testserver.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	ab := &alertBench{counter: newReqCounter()}
	senderURL := countingProxy(b, ab.counter, "sender", srv.URL)
	membersURL := countingProxy(b, ab.counter, "members", srv.URL)

	acct := newAccount(b, srv, "leitstelle")
	sender, err := session.Login(ctx, acct.config(), senderURL, acct.Local, testPassword)
	if err != nil {
		b.Fatalf("login sender: %v", err)
	}
	b.Cleanup(func() { sender.Close() })
	ab.sender = sender

	// Members: registered and signed in concurrently, one shared transport.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 2 * alertMembers
	hc := &http.Client{Transport: transport, Timeout: memberHTTPTimeout}
	b.Cleanup(transport.CloseIdleConnections)
	ab.gen = &loadGen{members: make([]*loadMember, alertMembers), tracks: map[id.EventID]*alertTrack{}}
	ab.users = make([]id.UserID, alertMembers)
	err = forEachParallel(ctx, alertMembers, func(i int) error {
		local := fmt.Sprintf("ff%03d", i)
		if _, err := srv.RegisterE(ctx, local, testPassword); err != nil {
			return err
		}
		cli, err := mautrix.NewClient(membersURL, "", "")
		if err != nil {
			return err
		}
		cli.Client = hc
		cli.DefaultHTTPRetries = 0
		resp, err := cli.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword,
			Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: local}, Password: testPassword,
			StoreCredentials: true})
		if err != nil {
			return fmt.Errorf("failed to log in %s: %w", local, err)
		}
		ab.users[i] = resp.UserID
		ab.gen.members[i] = &loadMember{i: i, gen: ab.gen, cli: cli, rng: rand.New(rand.NewPCG(2026, uint64(i))),
			seen: map[id.EventID]bool{}}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	benchLogf(b, "registered and signed in %d members in %.1f s", alertMembers, time.Since(start).Seconds())

	roomID, err := sender.CreateRoom(ctx, session.CreateRoomOptions{Name: "Alarmierung FF", Invite: ab.users})
	if err != nil {
		b.Fatalf("create room: %v", err)
	}
	ab.roomID = roomID
	if err := forEachParallel(ctx, alertMembers, func(i int) error {
		_, err := ab.gen.members[i].cli.JoinRoomByID(ctx, roomID)
		return err
	}); err != nil {
		b.Fatalf("join: %v", err)
	}
	joined, err := ab.gen.members[0].cli.JoinedMembers(ctx, roomID)
	if err != nil || len(joined.Joined) != alertMembers+1 {
		b.Fatalf("joined members: %d, %v", len(joined.Joined), err)
	}
	benchLogf(b, "room with %d joined after %.1f s", len(joined.Joined), time.Since(start).Seconds())

	if err := forEachParallel(ctx, alertMembers, func(i int) error { return ab.gen.members[i].prepare(ctx) }); err != nil {
		b.Fatal(err)
	}
	ab.ctx = ctx
	if _, err := sender.SyncOnce(ctx, 0); err != nil {
		b.Fatalf("sender sync: %v", err)
	}
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = sender.Run(ctx, 30*time.Second, nil) }()
	b.Cleanup(func() { cancel(); <-runDone })
	benchLogf(b, "set up in %.1f s", time.Since(start).Seconds())
	return ab
}

// forEachParallel runs f for 0..n-1, alertSetupParallel at a time, and returns the first error.
func forEachParallel(ctx context.Context, n int, f func(i int) error) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range alertSetupParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// alertResult is one alert's measurement.
type alertResult struct {
	seenMax, acked, full time.Duration
	boardCalls           int
	gaps                 int // limited syncs of the sender in the room (the board's gap is filled)
	retries              int
	stats                reqStats
}

// bench sends b.N alerts with ack jitter window w and reports the averages (peaks: the highest).
func (ab *alertBench) bench(b *testing.B, w time.Duration) {
	var sum alertResult
	b.ResetTimer()
	for range b.N {
		r := ab.alertOnce(b, w)
		sum.seenMax += r.seenMax
		sum.acked += r.acked
		sum.full += r.full
		sum.boardCalls += r.boardCalls
		sum.gaps += r.gaps
		sum.retries += r.retries
		sum.stats.PeakPerSec = max(sum.stats.PeakPerSec, r.stats.PeakPerSec)
		sum.stats.PeakSendsSec = max(sum.stats.PeakSendsSec, r.stats.PeakSendsSec)
		sum.stats.MaxInflight = max(sum.stats.MaxInflight, r.stats.MaxInflight)
		sum.stats.MaxSends = max(sum.stats.MaxSends, r.stats.MaxSends)
		if sum.stats.Counts == nil {
			sum.stats.Counts = map[string]int{}
		}
		for k, v := range r.stats.Counts {
			sum.stats.Counts[k] += v
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(sum.seenMax.Milliseconds())/n, "ms_all_seen")
	b.ReportMetric(float64(sum.acked.Milliseconds())/n, "ms_all_acked")
	b.ReportMetric(float64(sum.full.Milliseconds())/n, "ms_board_full")
	b.ReportMetric(float64(sum.stats.PeakPerSec), "peak_req/s")
	b.ReportMetric(float64(sum.stats.PeakSendsSec), "peak_sends/s")
	b.ReportMetric(float64(sum.stats.MaxInflight), "max_inflight")
	b.ReportMetric(float64(sum.stats.MaxSends), "max_inflight_sends")
	b.ReportMetric(float64(sum.stats.Counts["all"])/n, "requests")
	b.ReportMetric(float64(sum.stats.Counts[reqSync])/n, "syncs")
	b.ReportMetric(float64(sum.stats.Counts["sender/"+reqSync]+sum.stats.Counts["sender/"+reqSend]+
		sum.stats.Counts["sender/"+reqJoinedMembers]+sum.stats.Counts["sender/"+reqOther])/n, "sender_requests")
	b.ReportMetric(float64(sum.stats.Counts["sender/"+reqJoinedMembers])/n, "sender_joined_members")
	b.ReportMetric(float64(sum.boardCalls)/n, "board_reads")
	b.ReportMetric(float64(sum.gaps)/n, "sender_gaps")
	b.ReportMetric(float64(sum.retries)/n, "retries")
	benchLogf(b, "requests by kind: %v", sum.stats.Counts)
}

// alertOnce sends one alert and waits until the sender's board is complete, then checks it.
func (ab *alertBench) alertOnce(b *testing.B, w time.Duration) alertResult {
	ctx, cancel := context.WithTimeout(context.Background(), w+alertResponseWindow+alertBoardTimeout)
	defer cancel()
	ab.gen.params.Store(&loadParams{ackWindow: w, responseWindow: alertResponseWindow})
	s := ab.sender
	seqNo, err := s.LastSeq(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sub := s.Subscribe(seqNo)
	defer sub.Close()

	ab.counter.Reset()
	t0 := time.Now()
	n := ab.seq.Add(1)
	txn, err := s.SendAlert(ctx, ab.roomID, alert.Alert{ID: fmt.Sprintf("load-%d", n), Keyword: "B3 Brand Gebäude",
		Text: "Lastprobe: Rückmeldung aller Mitglieder", Address: "Hauptstr. 1", Units: []string{"HLF 20-1", "DLK 23-1"},
		DeadlineTS: time.Now().Add(15 * time.Minute).UnixMilli(), Required: 20})
	if err != nil {
		b.Fatal(err)
	}
	alertID, err := s.WaitSent(ctx, txn)
	if err != nil {
		b.Fatal(err)
	}
	if !ab.longPoll {
		ab.gen.push(ctx, ab.roomID, alertID)
	}
	var r alertResult
	var board *alert.Board
	var progress atomic.Pointer[alert.Board]
	stopProgress := make(chan struct{})
	defer close(stopProgress)
	go func() { // a line every 30 s: the long-poll runs take minutes
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-tick.C:
				if p := progress.Load(); p != nil {
					benchLogf(b, "after %.0f s: %d answered, %d only received, %d none", time.Since(t0).Seconds(),
						len(p.Responses), p.Counts.Received, p.Counts.None)
				}
			}
		}
	}()
	for {
		changes, err := sub.Next(ctx)
		if err != nil {
			ab.failBoard(b, alertID, board, err)
		}
		r.gaps += countFunc(changes, func(c session.Change) bool {
			return c.Kind == session.ChangeTimelineReset && c.RoomID == ab.roomID
		})
		if !slices.ContainsFunc(changes, func(c session.Change) bool {
			return (c.Kind == session.ChangeAlertUpdate && c.EventID == alertID) ||
				(c.Kind == session.ChangeTimelineReset && c.RoomID == ab.roomID)
		}) {
			continue
		}
		board, err = s.AlertBoard(ctx, ab.roomID, alertID)
		r.boardCalls++
		if err != nil {
			ab.failBoard(b, alertID, board, err)
		}
		progress.Store(board)
		if r.acked == 0 && len(board.Responses)+board.Counts.Received == alertMembers {
			r.acked = time.Since(t0)
		}
		if len(board.Responses) == alertMembers && board.Counts.None == 0 {
			r.full = time.Since(t0)
			break
		}
	}
	r.stats = ab.counter.Stats()
	ab.checkComplete(b, alertID, board, t0, &r)
	return r
}

// failBoard stops the benchmark with what is known about an incomplete board.
func (ab *alertBench) failBoard(b *testing.B, alertID id.EventID, board *alert.Board, err error) {
	b.Helper()
	at := ab.gen.track(alertID)
	at.mu.Lock()
	defer at.mu.Unlock()
	answered, failed := 0, 0
	for _, t := range at.members {
		if !t.answered.IsZero() {
			answered++
		}
		if t.err != nil {
			failed++
		}
	}
	if board != nil {
		acks, responses := ab.serverRelations(alertID)
		b.Fatalf("board of %s incomplete (%v): %d responses, counts %+v; members: %d saw the alert, %d answered, %d failed; %d sync errors; "+
			"the server's /relations: %d receipts, %d responses",
			alertID, err, len(board.Responses), board.Counts, len(at.members), answered, failed, ab.gen.syncErr.Load(), acks, responses)
	}
	b.Fatalf("no board of %s (%v); members: %d saw the alert, %d answered, %d failed", alertID, err, len(at.members), answered, failed)
}

// serverRelations counts the receipts and responses of the alert the server has (/relations, as
// member 0), to tell a late server from a board that lost something.
func (ab *alertBench) serverRelations(alertID id.EventID) (acks, responses int) {
	cli := ab.gen.members[0].cli
	from := ""
	for range 50 {
		resp, err := cli.GetRelations(context.Background(), ab.roomID, alertID,
			&mautrix.ReqGetRelations{RelationType: "m.reference", Dir: mautrix.DirectionBackward, From: from, Limit: 100})
		if err != nil {
			return -1, -1
		}
		for _, ev := range resp.Chunk {
			if _, ok := alert.ParseAck(ev.Type.Type, ev.Content.VeryRaw); ok {
				acks++
			} else if _, _, ok := alert.ParseResponse(ev.Type.Type, ev.Content.VeryRaw); ok {
				responses++
			}
		}
		if resp.NextBatch == "" || len(resp.Chunk) == 0 {
			break
		}
		from = resp.NextBatch
	}
	return acks, responses
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}

// checkComplete asserts that nothing was lost: every member saw the alert, acknowledged and
// answered it without error, the board holds each member's own answer, and the sender stored all
// 200 receipts.
func (ab *alertBench) checkComplete(b *testing.B, alertID id.EventID, board *alert.Board, t0 time.Time, r *alertResult) {
	b.Helper()
	at := ab.gen.track(alertID)
	at.done.Wait()
	at.mu.Lock()
	defer at.mu.Unlock()
	if len(at.members) != alertMembers {
		b.Fatalf("%d of %d members saw the alert", len(at.members), alertMembers)
	}
	got := map[id.UserID]alert.Status{}
	for _, e := range board.Responses {
		got[e.UserID] = e.Status
	}
	for i, t := range at.members {
		if t.err != nil {
			b.Fatalf("member %d: %v", i, t.err)
		}
		if got[ab.users[i]] != t.status {
			b.Fatalf("board shows %q for member %d, who answered %q", got[ab.users[i]], i, t.status)
		}
		r.seenMax = max(r.seenMax, t.seen.Sub(t0))
		r.retries += t.retries
	}
	hist, err := ab.sender.History(context.Background(), ab.roomID, 3000)
	if err != nil {
		b.Fatal(err)
	}
	ackers := map[id.UserID]bool{}
	for _, e := range hist {
		if target, ok := alert.ParseAck(e.Type, e.Content); ok && target == alertID {
			ackers[e.Sender] = true
		}
	}
	if len(ackers) != alertMembers {
		b.Fatalf("the sender stored receipts of %d members, want %d", len(ackers), alertMembers)
	}
	benchLogf(b, "alert %s: all seen after %v, all acknowledged after %v, board complete after %v; %d board reads, requests %v",
		alertID, r.seenMax.Round(time.Millisecond), r.acked.Round(time.Millisecond), r.full.Round(time.Millisecond),
		r.boardCalls, r.stats.Counts)
}
