//go:build linux

package session_test

// Seeding of the cached Dendrite server used by BenchmarkInitialSync200x50 (test-only; called from
// benchmarks, so plain `go test` never seeds anything).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"

	"bosmessenger/internal/testcache"
	"bosmessenger/internal/testserver"
)

// The seeded data set. Changing any of these needs a new seedDirName (bump the -vN suffix), or a
// stale cache would be reused.
const (
	seedDirName  = "seed-200x50-v1"
	seedMarker   = "seeded.ok" // written last: its presence means the data dir is complete
	seedPort     = 18600       // fixed: the server name (in every ID in the database) contains it
	seedRooms    = 200
	seedMessages = 50 // per room
	seedParallel = 8  // rooms seeded at once (Dendrite is the bottleneck: about 28 sends/s)
	seedUser     = "bench"
	seedPeer     = "peer"
	seedPassword = "bench-password-200x50"
	seedTimeout  = 45 * time.Minute
)

// seededServer is the running cached server with the seeded account.
type seededServer struct {
	srv      *testserver.Server
	URL      string
	User     string // localpart
	Password string
}

// seedInfo is the content of the seededMarker file.
type seedInfo struct {
	Rooms      int       `json:"rooms"`
	Messages   int       `json:"messages_per_room"`
	User       string    `json:"user_id"`
	Peer       string    `json:"peer_id"`
	ServerName string    `json:"server_name"`
	SeededAt   time.Time `json:"seeded_at"`
	Seconds    float64   `json:"seed_seconds"`
}

// startSeededServer starts the cached seeded server, seeding it first if the cache is missing or
// incomplete (about 6 minutes). It holds an exclusive lock on the cache for the rest of the
// benchmark, so two benchmark processes never seed or run it at once; the server stops and the
// lock is released at cleanup.
func startSeededServer(b *testing.B) *seededServer {
	b.Helper()
	root, err := testcache.Root()
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		b.Fatalf("failed to create the cache dir: %v", err)
	}
	dir := filepath.Join(root, seedDirName)
	unlock, err := testcache.Lock(dir + ".lock")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(unlock) // registered first, so it runs after the server's cleanup stopped it

	seed := &seededServer{User: seedUser, Password: seedPassword}
	if info, ok := readSeedInfo(dir); ok {
		seed.srv = testserver.Start(b, testserver.Options{Dir: dir, Port: seedPort})
		seed.URL = seed.srv.URL
		seedLogf(b, "reusing seeded server %s (%d rooms x %d messages, seeded %s in %.0f s) from %s",
			seed.srv.ServerName, info.Rooms, info.Messages, info.SeededAt.Format(time.RFC3339), info.Seconds, dir)
		return seed
	}
	if _, err := os.Stat(dir); err == nil {
		seedLogf(b, "removing incomplete seed cache %s (no %s)", dir, seedMarker)
		if err := os.RemoveAll(dir); err != nil {
			b.Fatalf("failed to remove the incomplete seed cache: %v", err)
		}
	}
	seed.srv = testserver.Start(b, testserver.Options{Dir: dir, Port: seedPort})
	seed.URL = seed.srv.URL
	ctx, cancel := context.WithTimeout(context.Background(), seedTimeout)
	defer cancel()
	if err := seedServer(ctx, b, seed); err != nil {
		b.Fatalf("seeding %s failed (the cache stays incomplete and is redone next time): %v", dir, err)
	}
	return seed
}

// seedLogf logs with b.Logf and also writes the line to stderr at once: seeding takes minutes, and
// the parent benchmark's b.Logf output is printed only with -v, and only after all sub-benchmarks.
func seedLogf(b *testing.B, format string, args ...any) {
	b.Helper()
	b.Logf(format, args...)
	fmt.Fprintf(os.Stderr, "%s: "+format+"\n", append([]any{b.Name()}, args...)...)
}

func readSeedInfo(dir string) (seedInfo, bool) {
	var info seedInfo
	data, err := os.ReadFile(filepath.Join(dir, seedMarker))
	if err != nil || json.Unmarshal(data, &info) != nil {
		return info, false
	}
	return info, info.Rooms == seedRooms && info.Messages == seedMessages
}

// seedServer registers the users, creates the rooms and sends the messages, seedParallel rooms at
// a time, then writes the marker.
func seedServer(ctx context.Context, b *testing.B, seed *seededServer) error {
	start := time.Now()
	srv := seed.srv
	userID, err := srv.RegisterE(ctx, seedUser, seedPassword)
	if err != nil {
		return err
	}
	peerID, err := srv.RegisterE(ctx, seedPeer, seedPassword)
	if err != nil {
		return err
	}
	cli, err := seedClient(ctx, srv.URL, seedUser, seedPassword)
	if err != nil {
		return err
	}
	seedLogf(b, "seeding %s: %d rooms x %d messages for %s, %d rooms in parallel (about 6 minutes)",
		srv.ServerName, seedRooms, seedMessages, userID, seedParallel)

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
	for range seedParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > seedRooms || ctx.Err() != nil {
					return
				}
				if err := seedRoom(ctx, cli, i, &sent); err != nil {
					fail(err)
					return
				}
				if n := roomsDone.Add(1); n%20 == 0 {
					el := time.Since(start).Seconds()
					seedLogf(b, "seeded %d/%d rooms, %d messages, %.1f sends/s, %.0f s", n, seedRooms, sent.Load(),
						float64(sent.Load())/el, el)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	joined, err := cli.JoinedRooms(ctx)
	if err != nil {
		return fmt.Errorf("failed to list joined rooms: %w", err)
	}
	if len(joined.JoinedRooms) != seedRooms || sent.Load() != seedRooms*seedMessages {
		return fmt.Errorf("seeded %d rooms and %d messages, want %d and %d", len(joined.JoinedRooms), sent.Load(),
			seedRooms, seedRooms*seedMessages)
	}
	if _, err := cli.Logout(ctx); err != nil {
		return fmt.Errorf("failed to log out the seeding device: %w", err)
	}
	took := time.Since(start)
	info := seedInfo{Rooms: seedRooms, Messages: seedMessages, User: userID, Peer: peerID,
		ServerName: srv.ServerName, SeededAt: time.Now().UTC(), Seconds: took.Seconds()}
	data, _ := json.MarshalIndent(info, "", "  ")
	if err := os.WriteFile(filepath.Join(srv.Dir, seedMarker), data, 0o644); err != nil {
		return fmt.Errorf("failed to write the seed marker: %w", err)
	}
	seedLogf(b, "seeded %d rooms x %d messages in %.0f s (%.1f sends/s)", seedRooms, seedMessages, took.Seconds(),
		float64(seedRooms*seedMessages)/took.Seconds())
	return nil
}

// seedClient logs in over plain HTTP with mautrix (not through the engine under test).
func seedClient(ctx context.Context, url, user, password string) (*mautrix.Client, error) {
	cli, err := mautrix.NewClient(url, "", "")
	if err != nil {
		return nil, err
	}
	cli.Client = &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2 * seedParallel}}
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

// seedRoom creates room i ("Raum 001" ...) with a topic and sends seedMessages text messages.
func seedRoom(ctx context.Context, cli *mautrix.Client, i int, sent *atomic.Int64) error {
	resp, err := cli.CreateRoom(ctx, &mautrix.ReqCreateRoom{
		Name:   fmt.Sprintf("Raum %03d", i),
		Topic:  fmt.Sprintf("Lagebesprechung Abschnitt %03d: Einsatzabschnitt, Funkkanal %d", i, 100+i%40),
		Preset: "private_chat",
	})
	if err != nil {
		return fmt.Errorf("failed to create room %d: %w", i, err)
	}
	for j := 1; j <= seedMessages; j++ {
		content := &event.MessageEventContent{MsgType: event.MsgText, Body: seedBody(i, j)}
		_, err := cli.SendMessageEvent(ctx, resp.RoomID, event.EventMessage, content,
			mautrix.ReqSendEvent{TransactionID: fmt.Sprintf("seed-%s-%03d-%02d", seedDirName, i, j)})
		if err != nil {
			return fmt.Errorf("failed to send message %d to room %d: %w", j, i, err)
		}
		sent.Add(1)
	}
	return nil
}

var seedPhrases = []string{
	"Lage unverändert, Kräfte vor Ort ausreichend.",
	"Nachforderung: zwei weitere Fahrzeuge zur Einsatzstelle, Anfahrt über die Nordzufahrt.",
	"Rückmeldung Abschnittsleitung: Wasserversorgung steht, Pendelverkehr eingerichtet.",
	"Bitte Funkkanal wechseln und Lagemeldung um volle Stunde bestätigen.",
	"Verletztenablage eingerichtet, Sichtung läuft, bisher keine Schwerverletzten.",
}

// seedBody is a realistic message text of about 60 to 120 characters.
func seedBody(room, n int) string {
	return fmt.Sprintf("[%03d/%02d] %s", room, n, seedPhrases[(room+n)%len(seedPhrases)])
}
