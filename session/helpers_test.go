package session_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

const testPassword = "correct-horse-battery"

var userSeq atomic.Int64

// account is a registered user with its data dir.
type account struct {
	UserID string
	Local  string
	Dir    string
	srv    *testserver.Server
	log    zerolog.Logger
}

func newAccount(t testing.TB, srv *testserver.Server, prefix string) *account {
	t.Helper()
	local := fmt.Sprintf("%s%d", prefix, userSeq.Add(1))
	a := &account{UserID: srv.Register(t, local, testPassword), Local: local, Dir: t.TempDir(), srv: srv}
	// Every test logs at debug level into the data dir, so the at-rest test also covers logs.
	if err := os.MkdirAll(filepath.Join(a.Dir, "log"), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(a.Dir, "log", "test.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	a.log = zerolog.New(f).Level(zerolog.DebugLevel)
	return a
}

func (a *account) config() session.Config {
	return session.Config{DataDir: a.Dir, Log: a.log, Passphrase: "test store passphrase", MinBackoff: 50 * time.Millisecond,
		MaxBackoff: 500 * time.Millisecond, KeyParams: &storekey.Params{Time: 1, MemoryKiB: 1024, Threads: 1}}
}

// login signs the account in (into its data dir) and closes the session at cleanup.
func (a *account) login(t testing.TB) *session.Session {
	t.Helper()
	s, err := session.Login(ctx(t), a.config(), a.srv.URL, a.Local, testPassword)
	if err != nil {
		t.Fatalf("login %s: %v", a.Local, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (a *account) open(t testing.TB) *session.Session {
	t.Helper()
	s, err := session.Open(ctx(t), a.config())
	if err != nil {
		t.Fatalf("open %s: %v", a.Local, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func mustSync(t testing.TB, s *session.Session) session.SyncStats {
	t.Helper()
	st, err := s.SyncOnce(ctx(t), 0)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return st
}

func mustSend(t testing.TB, s *session.Session, roomID id.RoomID, text string) id.EventID {
	t.Helper()
	txn, err := s.Send(ctx(t), roomID, session.Draft{Text: text, Plain: true})
	if err != nil {
		t.Fatalf("queue %q: %v", text, err)
	}
	eventID, err := s.WaitSent(ctx(t), txn)
	if err != nil {
		t.Fatalf("send %q: %v", text, err)
	}
	return eventID
}

// sharedRoom creates a room of a, invites b, and lets b join.
func sharedRoom(t testing.TB, a, b *session.Session, opts session.CreateRoomOptions) id.RoomID {
	t.Helper()
	opts.Invite = append(opts.Invite, b.Account().UserID)
	roomID, err := a.CreateRoom(ctx(t), opts)
	if err != nil {
		t.Fatalf("create room: %v", err)
	}
	if _, err := b.Join(ctx(t), roomID.String()); err != nil {
		t.Fatalf("join: %v", err)
	}
	return roomID
}

// waitForBodies syncs s until the room's history holds all bodies, and returns the history.
func waitForBodies(t testing.TB, s *session.Session, roomID id.RoomID, limit int, bodies ...string) []session.TimelineEvent {
	t.Helper()
	return pollHistory(t, s, roomID, limit, bodies, 30*time.Second, func() {
		if _, err := s.SyncOnce(ctx(t), time.Second); err != nil {
			t.Logf("sync: %v", err)
		}
	})
}

// pollHistory calls step, then reads the room's history, until it holds all bodies or the
// timeout passes (a test failure).
func pollHistory(t testing.TB, s *session.Session, roomID id.RoomID, limit int, bodies []string, timeout time.Duration, step func()) []session.TimelineEvent {
	t.Helper()
	var hist []session.TimelineEvent
	eventually.NoError(t, timeout, func() error {
		step()
		var err error
		if hist, err = s.History(ctx(t), roomID, limit); err != nil {
			t.Fatalf("history: %v", err)
		}
		missing := 0
		for _, b := range bodies {
			if countBody(hist, b) == 0 {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d of %d messages did not arrive", missing, len(bodies))
		}
		return nil
	})
	return hist
}

func countBody(events []session.TimelineEvent, body string) int {
	n := 0
	for _, e := range events {
		if e.Body == body {
			n++
		}
	}
	return n
}

// jsEncryptedRoom creates an encrypted room named name on s, invites the matrix-js-sdk peer js
// (logged in as userID), lets it join and waits until s sees both members.
func jsEncryptedRoom(t *testing.T, s *session.Session, js *jspeer.Peer, userID, name string) id.RoomID {
	t.Helper()
	roomID, err := s.CreateRoom(ctx(t), session.CreateRoomOptions{Name: name, Encrypted: true,
		Invite: []id.UserID{id.UserID(userID)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	waitJoined(t, s, roomID, 2)
	return roomID
}
