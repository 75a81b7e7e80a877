//go:build guibench && linux

package main

// BenchmarkGUI: start-up time and memory of the real bosmessenger under Xvfb, next to the floor of
// an empty Fyne window (internal/emptywindow), in the same run. Needs the build tag guibench (the
// seeding hook in session/seed_guibench.go), so `go test ./...` never runs or compiles it:
//
//	go test -tags goolm,guibench -run '^$' -bench GUI -benchtime 5x -timeout 30m ./cmd/bosmessenger
//
// GUIBENCH_NO_SCROLL=1 leaves out the big room (start-up figures only).
//
// (make gui-bench). Each iteration is one round of three runs, each a fresh process:
//
//   - floor: the empty window, from process start to the window mapped (a visible window with its
//     title, polled with xdotool every 15 ms), and its memory after 2 s idle;
//   - start: bosmessenger on an account with 500 rooms x 100 messages and one room of 10 000
//     messages, from process start to its trace line "ready" (room list shown), memory then and
//     after 2 s idle;
//   - bigroom: bosmessenger --room on the 10 000-message room, from process start to "room_shown",
//     then the mouse wheel over the timeline until the oldest message was rendered
//     ("event_shown" of it), memory then (and its peak, VmHWM).
//
// The account is real: a Dendrite from internal/testserver, `bosctl login` and `bosctl sync --once`;
// then the rooms are written into its store through the engine's own ingest code
// (Session.IngestSyncForBench: synthetic /sync bodies, unencrypted rooms, the real next_batch kept),
// so the app syncs with its server as usual while it runs. Medians over the iterations are
// reported as metrics; each round is logged.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// The seeded data set.
const (
	benchRooms        = 500
	benchRoomMessages = 100                // per room
	bigRoomMessages   = 10000              // the one big room
	benchChunk        = 1000               // timeline events per ingested /sync body
	emptyWindowTitle  = "BOS empty window" // internal/emptywindow.Title
)

func BenchmarkGUI(b *testing.B) {
	requireGUITools(b)
	empty := filepath.Join(binDir, "emptywindow")
	if err := goBuild(empty, "bosmessenger/internal/emptywindow", raceEnabled); err != nil {
		b.Fatal(err)
	}
	srv := testserver.Start(b, testserver.Options{})
	acct := newAccount(b, srv, "bench")
	acct.bosctl(b, "sync", "--once")
	seedStart := time.Now()
	bigRoom, oldest := seedBench(b, acct, srv.ServerName)
	b.Logf("seeded %d rooms x %d messages and one room of %d messages in %v", benchRooms, benchRoomMessages,
		bigRoomMessages, time.Since(seedStart).Round(time.Millisecond))
	var rooms []json.RawMessage
	if err := json.Unmarshal([]byte(acct.bosctl(b, "rooms", "--json")), &rooms); err != nil || len(rooms) != benchRooms+1 {
		b.Fatalf("bosctl rooms --json: %d rooms (%v), want %d", len(rooms), err, benchRooms+1)
	}
	x := startXvfb(b)
	logLoad(b, "start")
	defer logLoad(b, "end")

	var m struct {
		floorMapped, floorRSS, floorPSS                       []float64
		startMapped, startReady, readyRSS, readyPSS, idleRSS  []float64
		idlePSS, bigShown, bigShownRSS, scrolled, scrolledRSS []float64
		scrolledPSS, scrolledHWM, clicks                      []float64
	}
	round := 0
	for b.Loop() {
		round++
		// (a) The floor: an empty Fyne window.
		p := startProc(b, x, "de_DE.UTF-8", "", empty)
		floorMapped := x.waitMapped(b, p, emptyWindowTitle, 60*time.Second)
		time.Sleep(2 * time.Second)
		fm := p.mem()
		p.terminate(10 * time.Second)
		m.floorMapped, m.floorRSS, m.floorPSS = append(m.floorMapped, ms(floorMapped)), append(m.floorRSS, fm.rss), append(m.floorPSS, fm.pss)

		// (b) Cold start on the big account to the room list.
		p = startApp(b, x, "de_DE.UTF-8", acct.dir, "")
		mapped := x.waitMapped(b, p, windowTitle, 60*time.Second)
		ready := p.waitTrace("ready", nil, 2*time.Minute)
		rm := p.mem()
		if n, _ := strconv.Atoi(ready.args["rooms"]); n != benchRooms+1 {
			b.Errorf("round %d: ready rooms=%s, want %d", round, ready.args["rooms"], benchRooms+1)
		}
		time.Sleep(2 * time.Second)
		im := p.mem()
		p.terminate(10 * time.Second)
		readyAfter := float64(ready.ms - p.start.UnixMilli())
		m.startMapped, m.startReady = append(m.startMapped, ms(mapped)), append(m.startReady, readyAfter)
		m.readyRSS, m.readyPSS = append(m.readyRSS, rm.rss), append(m.readyPSS, rm.pss)
		m.idleRSS, m.idlePSS = append(m.idleRSS, im.rss), append(m.idlePSS, im.pss)

		if os.Getenv("GUIBENCH_NO_SCROLL") != "" { // start-up figures only
			b.Logf("round %d: floor mapped %.0f ms, RSS %.1f MB, PSS %.1f MB | start mapped %.0f ms, ready %.0f ms, "+
				"RSS %.1f MB (PSS %.1f), after 2 s %.1f MB (PSS %.1f)", round, ms(floorMapped), fm.rss, fm.pss,
				ms(mapped), readyAfter, rm.rss, rm.pss, im.rss, im.pss)
			continue
		}
		// (c) The 10 000-message room, scrolled to its first message.
		p = startApp(b, x, "de_DE.UTF-8", acct.dir, bigRoom)
		shown := p.waitTrace("room_shown", map[string]string{"room": bigRoom}, 2*time.Minute)
		sm := p.mem()
		win := x.waitWindow(b, windowTitle, 30*time.Second)
		scrollStart := time.Now()
		clicks := x.scrollUntil(b, p, win, oldest, 10*time.Minute)
		scrolledAfter := time.Since(scrollStart)
		xm := p.mem()
		p.terminate(10 * time.Second)
		m.bigShown, m.bigShownRSS = append(m.bigShown, float64(shown.ms-p.start.UnixMilli())), append(m.bigShownRSS, sm.rss)
		m.scrolled, m.clicks = append(m.scrolled, ms(scrolledAfter)), append(m.clicks, float64(clicks))
		m.scrolledRSS, m.scrolledPSS, m.scrolledHWM = append(m.scrolledRSS, xm.rss), append(m.scrolledPSS, xm.pss), append(m.scrolledHWM, xm.hwm)

		b.Logf("round %d: floor mapped %.0f ms, RSS %.1f MB, PSS %.1f MB | start mapped %.0f ms, ready %.0f ms, "+
			"RSS %.1f MB (PSS %.1f), after 2 s %.1f MB (PSS %.1f) | big room shown %d ms (messages=%s), RSS %.1f MB; "+
			"scrolled to the first message in %.1f s (%d wheel clicks), RSS %.1f MB, PSS %.1f MB, peak %.1f MB",
			round, ms(floorMapped), fm.rss, fm.pss, ms(mapped), readyAfter, rm.rss, rm.pss, im.rss, im.pss,
			shown.ms-p.start.UnixMilli(), shown.args["messages"], sm.rss, scrolledAfter.Seconds(), clicks, xm.rss, xm.pss, xm.hwm)
	}
	report := func(v []float64, unit string) {
		if len(v) > 0 {
			b.ReportMetric(median(v), unit)
		}
	}
	report(m.floorMapped, "floor-mapped-ms")
	report(m.floorRSS, "floor-RSS-MB")
	report(m.floorPSS, "floor-PSS-MB")
	report(m.startMapped, "start-mapped-ms")
	report(m.startReady, "start-ready-ms")
	report(m.readyRSS, "ready-RSS-MB")
	report(m.readyPSS, "ready-PSS-MB")
	report(m.idleRSS, "idle-RSS-MB")
	report(m.idlePSS, "idle-PSS-MB")
	report(m.bigShown, "bigroom-shown-ms")
	report(m.bigShownRSS, "bigroom-shown-RSS-MB")
	report(m.scrolled, "scroll-ms")
	report(m.clicks, "scroll-clicks")
	report(m.scrolledRSS, "scrolled-RSS-MB")
	report(m.scrolledPSS, "scrolled-PSS-MB")
	report(m.scrolledHWM, "scrolled-peak-RSS-MB")
}

// logLoad logs the load averages: the machine is shared, and load inflates the timings.
func logLoad(b *testing.B, when string) {
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average at the %s: %s", when, strings.Join(strings.Fields(string(data))[:3], " "))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// waitMapped polls every 15 ms for a visible window named title and returns the time from the
// process start. (xdotool search --sync polls only every 0.5 s.)
func (x *xserver) waitMapped(t testing.TB, p *appProc, title string, timeout time.Duration) time.Duration {
	t.Helper()
	env := environ(x.display, "")
	pattern := "^" + regexp.QuoteMeta(title) + "$"
	for time.Since(p.start) < timeout {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", pattern)
		cmd.Env = env
		if out, err := cmd.Output(); err == nil && strings.TrimSpace(string(out)) != "" {
			return time.Since(p.start)
		}
		select {
		case <-p.done:
			t.Fatalf("the process ended (%v) before its window %q was mapped", p.err, title)
		case <-time.After(15 * time.Millisecond):
		}
	}
	t.Fatalf("no visible window %q within %v", title, timeout)
	return 0
}

// scrollUntil turns the mouse wheel up over the timeline (the middle of the window's right two
// thirds) until the trace says the event was shown, and returns the number of wheel clicks.
func (x *xserver) scrollUntil(t testing.TB, p *appProc, win, eventID string, timeout time.Duration) int {
	t.Helper()
	g := x.geometry(t, win)
	x.xdotool(t, "mousemove", strconv.Itoa(g.x+g.w*2/3), strconv.Itoa(g.y+g.h/2))
	const burst = 100
	clicks := 0
	deadline := time.Now().Add(timeout)
	for {
		if _, ok := p.findTrace("event_shown", map[string]string{"event": eventID}); ok {
			return clicks
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first message %s was not shown after %d wheel clicks in %v", eventID, clicks, timeout)
		}
		x.xdotool(t, "click", "--repeat", strconv.Itoa(burst), "--delay", "1", "4")
		clicks += burst
	}
}

// seedBench writes benchRooms rooms of benchRoomMessages messages and one room of bigRoomMessages
// into the account's store through Session.IngestSyncForBench; it returns the big room's ID and the
// ID of its first message.
func seedBench(t testing.TB, acct *account, serverName string) (bigRoom, oldest string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s, err := session.Open(ctx, session.Config{DataDir: acct.dir, Passphrase: testPassphrase, Log: zerolog.Nop()})
	if err != nil {
		t.Fatalf("open the account: %v", err)
	}
	defer s.Close()
	me := acct.id
	others := []string{"@einsatzleitung:" + serverName, "@thw-ov:" + serverName, "@feuerwehr-nord:" + serverName}
	base := time.Now().Add(-30 * 24 * time.Hour).UnixMilli()
	ingest := func(join map[string]any) {
		body, err := json.Marshal(map[string]any{"next_batch": "ignored", "rooms": map[string]any{"join": join}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.IngestSyncForBench(ctx, body); err != nil {
			t.Fatalf("ingest: %v", err)
		}
	}
	state := func(roomID, name string, ts int64) []any {
		evs := []any{
			stateEvent(roomID, "create", me, "m.room.create", "", ts, map[string]any{"creator": me, "room_version": "10"}),
			stateEvent(roomID, "name", me, "m.room.name", "", ts, map[string]any{"name": name}),
			stateEvent(roomID, "topic", me, "m.room.topic", "", ts, map[string]any{"topic": "Lage und Meldungen " + name}),
		}
		for i, u := range append([]string{me}, others...) {
			evs = append(evs, stateEvent(roomID, fmt.Sprintf("member%d", i), u, "m.room.member", u, ts,
				map[string]any{"membership": "join", "displayname": strings.TrimPrefix(strings.Split(u, ":")[0], "@")}))
		}
		return evs
	}
	message := func(roomID string, n int, ts int64) any {
		sender := others[n%len(others)]
		if n%5 == 0 {
			sender = me
		}
		return map[string]any{"type": "m.room.message", "event_id": fmt.Sprintf("$%s-%05d", strings.TrimPrefix(strings.Split(roomID, ":")[0], "!"), n),
			"sender": sender, "origin_server_ts": ts,
			"content": map[string]any{"msgtype": "m.text", "body": benchBody(n)}}
	}

	// 500 rooms of 100 messages, 10 rooms per body (1000 events).
	perBody := benchChunk / benchRoomMessages
	for first := 0; first < benchRooms; first += perBody {
		join := map[string]any{}
		for r := first; r < min(first+perBody, benchRooms); r++ {
			roomID := fmt.Sprintf("!gb%03d:%s", r+1, serverName)
			ts := base + int64(r)*60_000
			var timeline []any
			for n := 1; n <= benchRoomMessages; n++ {
				timeline = append(timeline, message(roomID, n, ts+int64(n)*1000))
			}
			join[roomID] = map[string]any{
				"state":                map[string]any{"events": state(roomID, fmt.Sprintf("Einsatz %03d", r+1), ts)},
				"timeline":             map[string]any{"events": timeline, "limited": false},
				"unread_notifications": map[string]any{"notification_count": r % 7, "highlight_count": 0},
			}
		}
		ingest(join)
	}

	// The big room, 1000 messages per body (the first with the room's state).
	bigRoom = "!gbbig:" + serverName
	for first := 1; first <= bigRoomMessages; first += benchChunk {
		var timeline []any
		for n := first; n < first+benchChunk && n <= bigRoomMessages; n++ {
			timeline = append(timeline, message(bigRoom, n, base+int64(n)*60_000))
		}
		room := map[string]any{"timeline": map[string]any{"events": timeline, "limited": false}}
		if first == 1 {
			room["state"] = map[string]any{"events": state(bigRoom, "Großlage Archiv", base)}
		}
		ingest(map[string]any{bigRoom: room})
	}
	return bigRoom, fmt.Sprintf("$gbbig-%05d", 1)
}

func stateEvent(roomID, name, sender, evType, stateKey string, ts int64, content map[string]any) map[string]any {
	return map[string]any{"type": evType, "state_key": stateKey, "sender": sender, "origin_server_ts": ts,
		"event_id": "$" + strings.TrimPrefix(strings.Split(roomID, ":")[0], "!") + "-" + name, "content": content}
}

// benchBody is the text of message n: German operational messages of varying length.
func benchBody(n int) string {
	texts := []string{
		"Lage unverändert.",
		"Fahrzeug %d am Einsatzort eingetroffen, Erkundung läuft.",
		"Rückmeldung Abschnitt Nord: Wasserversorgung steht, zwei Trupps unter Atemschutz im Innenangriff, Nachalarmierung eines weiteren Löschzugs angefordert (Meldung %d).",
		"Bitte Lagekarte aktualisieren, Sperrung der B%d bis auf Weiteres.",
		"Verpflegung für 40 Einsatzkräfte ab 18 Uhr an der Bereitstellungsfläche, Ansprechpartner Zugführer THW, Kanal %d.",
	}
	t := texts[n%len(texts)]
	if strings.Contains(t, "%d") {
		return fmt.Sprintf(t, n)
	}
	return t
}
