// Package benchseed seeds and caches a Dendrite with one account owning many rooms full of text
// messages, for the initial-sync benchmarks (session's BenchmarkInitialSync200x50 and
// `make bench-compare`). Seeding runs only when a benchmark or the bench-compare tool asks for
// it, never in plain `go test`.
package benchseed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"

	"bosmessenger/internal/testcache"
	"bosmessenger/internal/testserver"
)

// Fixed parts of every seeded data set.
const (
	Marker   = "seeded.ok" // written last: its presence means the data dir is complete
	User     = "bench"
	Peer     = "peer"
	Password = "bench-password-200x50"
	parallel = 16 // rooms seeded at once (Dendrite's CPU is the bottleneck)
	timeout  = 4 * time.Hour
	// version is the data-set version in the cache key: bump it when what seedRoom writes changes,
	// or a stale cache would be reused.
	version = 1
	// port200x50 is the fixed client port of the 200 x 50 data set (its server name, in every ID
	// of the database, contains it; earlier caches were made with it).
	port200x50 = 18600
)

// Spec is the shape of a seeded data set.
type Spec struct {
	Rooms    int // rooms "Raum 001" ... owned by User, each with a topic
	Messages int // text messages per room
}

// Key is the cache key of the data set: its dir name under the test cache.
func (s Spec) Key() string { return fmt.Sprintf("seed-%dx%d-v%d", s.Rooms, s.Messages, version) }

// RoomName is the name of room i (1-based).
func RoomName(i int) string { return fmt.Sprintf("Raum %03d", i) }

// Info is the content of the Marker file.
type Info struct {
	Rooms      int       `json:"rooms"`
	Messages   int       `json:"messages_per_room"`
	User       string    `json:"user_id"`
	Peer       string    `json:"peer_id"`
	ServerName string    `json:"server_name"`
	SeededAt   time.Time `json:"seeded_at"`
	Seconds    float64   `json:"seed_seconds"`
}

// Server is the running seeded server with the seeded account.
type Server struct {
	*testserver.Server
	Spec     Spec
	Info     Info
	User     string // localpart
	Password string
	Reused   bool // the cache was warm
	unlock   func()
}

// Close stops the server and releases the cache lock.
func (s *Server) Close() {
	s.Stop()
	if s.unlock != nil {
		s.unlock()
	}
}

// Start starts the cached seeded server for spec, seeding it first if the cache is missing or
// incomplete (200 x 50 took 44 minutes on the loaded machine with search on; see
// docs/PERFORMANCE.md for 2,000 x 50). It holds an exclusive lock on the cache dir until
// Close, so two processes never seed or run it at once. With cacheDir "" the cache is the test
// cache (testcache.Root()/Key()); otherwise cacheDir is used as is (a test's temp dir). logf
// receives progress lines.
func Start(ctx context.Context, spec Spec, cacheDir string, logf func(format string, args ...any)) (*Server, error) {
	dir := cacheDir
	port := 0
	if dir == "" {
		root, err := testcache.Root()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(root, 0o755); err != nil {
			return nil, fmt.Errorf("failed to create the cache dir: %w", err)
		}
		dir = filepath.Join(root, spec.Key())
		if spec == (Spec{Rooms: 200, Messages: 50}) {
			port = port200x50
		}
	}
	unlock, err := testcache.Lock(dir + ".lock")
	if err != nil {
		return nil, err
	}
	seed := &Server{Spec: spec, User: User, Password: Password, unlock: unlock}
	if info, ok := readInfo(dir, spec); ok {
		srv, err := testserver.StartE(ctx, testserver.Options{Dir: dir})
		if err != nil {
			unlock()
			return nil, err
		}
		seed.Server, seed.Info, seed.Reused = srv, info, true
		logf("reusing seeded server %s (%d rooms x %d messages, seeded %s in %.0f s) from %s",
			srv.ServerName, info.Rooms, info.Messages, info.SeededAt.Format(time.RFC3339), info.Seconds, dir)
		return seed, nil
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		logf("removing incomplete seed cache %s (no %s)", dir, Marker)
		if err := os.RemoveAll(dir); err != nil {
			unlock()
			return nil, fmt.Errorf("failed to remove the incomplete seed cache: %w", err)
		}
	}
	info, err := seedInto(ctx, spec, dir, port, logf)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("failed to seed %s (the cache stays incomplete and is redone next time): %w", dir, err)
	}
	srv, err := testserver.StartE(ctx, testserver.Options{Dir: dir})
	if err != nil {
		unlock()
		return nil, err
	}
	seed.Server, seed.Info = srv, info
	return seed, nil
}

// seedInto seeds a fresh server for spec and leaves its stopped data dir, marker last, in dir.
// The server runs in a staging dir on tmpfs when there is room (no disk syncs), with full-text
// search off (its index merges are about half of Dendrite's CPU per message); the staged dir is
// then copied into dir. Search is on again when the cache is started.
func seedInto(ctx context.Context, spec Spec, dir string, port int, logf func(string, ...any)) (Info, error) {
	stage := stagingDir(spec, logf)
	if stage == "" {
		stage = dir
	} else {
		defer os.RemoveAll(stage)
	}
	srv, err := testserver.StartE(ctx, testserver.Options{Dir: stage, Port: port, NoSearch: true})
	if err != nil {
		return Info{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	info, err := seedServer(ctx, &Server{Server: srv, Spec: spec, User: User, Password: Password}, logf)
	srv.Stop()
	if err != nil {
		return Info{}, err
	}
	if stage != dir {
		start := time.Now()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return Info{}, fmt.Errorf("failed to create the seed cache: %w", err)
		}
		if out, err := exec.CommandContext(ctx, "cp", "-a", stage+"/.", dir).CombinedOutput(); err != nil {
			return Info{}, fmt.Errorf("failed to copy the staged seed into the cache: %w: %s", err, out)
		}
		logf("copied the staged seed from %s into %s in %.1f s", stage, dir, time.Since(start).Seconds())
	}
	data, _ := json.MarshalIndent(info, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, Marker), data, 0o644); err != nil {
		return Info{}, fmt.Errorf("failed to write the seed marker: %w", err)
	}
	return info, nil
}

// stagingDir is a fresh dir on tmpfs (/dev/shm) with room for the seed (about 10 kB per message,
// twice over), or "" when there is none.
func stagingDir(spec Spec, logf func(string, ...any)) string {
	const shm = "/dev/shm"
	var st syscall.Statfs_t
	if err := syscall.Statfs(shm, &st); err != nil {
		return ""
	}
	need := uint64(spec.Rooms*(spec.Messages+10)) * 20 << 10
	if free := st.Bavail * uint64(st.Bsize); free < need+(1<<30) {
		logf("seeding on disk: %s has %d MB free, want %d MB", shm, free>>20, need>>20+1024)
		return ""
	}
	stage, err := os.MkdirTemp(shm, "benchseed-"+spec.Key()+"-")
	if err != nil {
		return ""
	}
	return stage
}

func readInfo(dir string, spec Spec) (Info, bool) {
	var info Info
	data, err := os.ReadFile(filepath.Join(dir, Marker))
	if err != nil || json.Unmarshal(data, &info) != nil {
		return info, false
	}
	return info, info.Rooms == spec.Rooms && info.Messages == spec.Messages
}

// seedServer registers the users, creates the rooms and sends the messages, parallel rooms at a
// time.
func seedServer(ctx context.Context, seed *Server, logf func(string, ...any)) (Info, error) {
	start := time.Now()
	srv, spec := seed.Server, seed.Spec
	userID, err := srv.RegisterE(ctx, User, Password)
	if err != nil {
		return Info{}, err
	}
	peerID, err := srv.RegisterE(ctx, Peer, Password)
	if err != nil {
		return Info{}, err
	}
	cli, err := Client(ctx, srv.URL, User, Password)
	if err != nil {
		return Info{}, err
	}
	logf("seeding %s in %s: %d rooms x %d messages for %s, %d rooms in parallel",
		srv.ServerName, srv.Dir, spec.Rooms, spec.Messages, userID, parallel)
	every := int64(max(20, spec.Rooms/20)) // about 20 progress lines

	var (
		next, roomsDone, sent atomic.Int64
		errOnce               sync.Once
		firstErr              error
		wg                    sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > spec.Rooms || ctx.Err() != nil {
					return
				}
				if err := seedRoom(ctx, cli, spec, i, &sent); err != nil {
					fail(err)
					return
				}
				if n := roomsDone.Add(1); n%every == 0 {
					el := time.Since(start).Seconds()
					logf("seeded %d/%d rooms, %d messages, %.1f sends/s, %.0f s", n, spec.Rooms, sent.Load(),
						float64(sent.Load())/el, el)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return Info{}, firstErr
	}
	joined, err := cli.JoinedRooms(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("failed to list joined rooms: %w", err)
	}
	if len(joined.JoinedRooms) != spec.Rooms || sent.Load() != int64(spec.Rooms*spec.Messages) {
		return Info{}, fmt.Errorf("seeded %d rooms and %d messages, want %d and %d", len(joined.JoinedRooms), sent.Load(),
			spec.Rooms, spec.Rooms*spec.Messages)
	}
	if _, err := cli.Logout(ctx); err != nil {
		return Info{}, fmt.Errorf("failed to log out the seeding device: %w", err)
	}
	took := time.Since(start)
	info := Info{Rooms: spec.Rooms, Messages: spec.Messages, User: userID, Peer: peerID,
		ServerName: srv.ServerName, SeededAt: time.Now().UTC(), Seconds: took.Seconds()}
	logf("seeded %d rooms x %d messages in %.0f s (%.1f sends/s)", spec.Rooms, spec.Messages, took.Seconds(),
		float64(spec.Rooms*spec.Messages)/took.Seconds())
	return info, nil
}

// Client logs in over plain HTTP with mautrix (not through the engine under test), with retries
// for the idempotent seeding sends.
func Client(ctx context.Context, url, user, password string) (*mautrix.Client, error) {
	cli, err := mautrix.NewClient(url, "", "")
	if err != nil {
		return nil, err
	}
	cli.Client = &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2 * parallel}}
	cli.Log = zerolog.Nop()
	cli.DefaultHTTPRetries = 3 // sends are idempotent: retries reuse the explicit transaction ID
	_, err = cli.Login(ctx, &mautrix.ReqLogin{
		Type:                     mautrix.AuthTypePassword,
		Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: user},
		Password:                 password,
		InitialDeviceDisplayName: "benchmark seeder",
		StoreCredentials:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("failed to log in %s: %w", user, err)
	}
	return cli, nil
}

// seedRoom creates room i ("Raum 001" ...) with a topic and sends spec.Messages text messages.
func seedRoom(ctx context.Context, cli *mautrix.Client, spec Spec, i int, sent *atomic.Int64) error {
	resp, err := cli.CreateRoom(ctx, &mautrix.ReqCreateRoom{
		Name:   RoomName(i),
		Topic:  fmt.Sprintf("Lagebesprechung Abschnitt %03d: Einsatzabschnitt, Funkkanal %d", i, 100+i%40),
		Preset: "private_chat",
	})
	if err != nil {
		return fmt.Errorf("failed to create room %d: %w", i, err)
	}
	for j := 1; j <= spec.Messages; j++ {
		content := &event.MessageEventContent{MsgType: event.MsgText, Body: Body(i, j)}
		_, err := cli.SendMessageEvent(ctx, resp.RoomID, event.EventMessage, content,
			mautrix.ReqSendEvent{TransactionID: fmt.Sprintf("seed-%s-%03d-%02d", spec.Key(), i, j)})
		if err != nil {
			return fmt.Errorf("failed to send message %d to room %d: %w", j, i, err)
		}
		sent.Add(1)
	}
	return nil
}

var phrases = []string{
	"Lage unverändert, Kräfte vor Ort ausreichend.",
	"Nachforderung: zwei weitere Fahrzeuge zur Einsatzstelle, Anfahrt über die Nordzufahrt.",
	"Rückmeldung Abschnittsleitung: Wasserversorgung steht, Pendelverkehr eingerichtet.",
	"Bitte Funkkanal wechseln und Lagemeldung um volle Stunde bestätigen.",
	"Verletztenablage eingerichtet, Sichtung läuft, bisher keine Schwerverletzten.",
}

// Body is message n of room i: a realistic text of about 60 to 120 characters.
func Body(room, n int) string {
	return fmt.Sprintf("[%03d/%02d] %s", room, n, phrases[(room+n)%len(phrases)])
}
