package session_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/faultproxy"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/store/storekey"
)

// BOS mode against two federated servers: a (vetted, on the signed list) and b (not on it).
// Accounts under BOS mode run on a; the others are ordinary clients without a policy.
func TestBOSModeEnforcement(t *testing.T) {
	t.Parallel()
	a, b := testserver.SharedFederated(t)
	list := newBOSList(t)
	list.publish(t, 1, time.Now().Add(24*time.Hour), a.ServerName)
	pol := list.policy(t, nil)

	t.Run("LoginToUnvettedServerRefusedBeforePassword", func(t *testing.T) {
		bob := newAccount(t, b, "bob")
		proxy := faultproxy.New(t, b.URL)
		_, err := session.Login(ctx(t), bosConfig(bob, pol), proxy.URL, bob.UserID, testPassword)
		if !errors.Is(err, session.ErrPolicyDenied) || !strings.Contains(err.Error(), b.ServerName) {
			t.Fatalf("want a policy error naming %s, got %v", b.ServerName, err)
		}
		if n := proxy.Count(""); n != 0 {
			t.Fatalf("%d requests reached the server: %v", n, proxy.Paths())
		}
		if storekey.Exists(bob.Dir) {
			t.Fatal("a refused login left a store behind")
		}
		// The vetted server is fine, also given as a localpart with a server name.
		alice := newAccount(t, a, "alice")
		s, err := session.Login(ctx(t), bosConfig(alice, pol), a.URL, alice.UserID, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		// A vetted Matrix ID with the URL of another host (not named by the server's
		// .well-known): the password would go elsewhere.
		mallory := newRecordingProxy(t, "127.0.0.2", b.URL)
		dave := newAccount(t, a, "dave")
		_, err = session.Login(ctx(t), bosConfig(dave, pol), mallory.URL, dave.UserID, testPassword)
		if !errors.Is(err, session.ErrPolicyDenied) || !strings.Contains(err.Error(), "not the homeserver of") {
			t.Fatalf("foreign URL for a vetted ID: %v", err)
		}
		if n := mallory.count("/login"); n != 0 {
			t.Fatalf("%d login requests reached the foreign URL", n)
		}
		// A URL with a bare localpart cannot be checked before the password is sent.
		carol := newAccount(t, a, "carol")
		if _, err := session.Login(ctx(t), bosConfig(carol, pol), a.URL, carol.Local, testPassword); !errors.Is(err, session.ErrPolicyDenied) {
			t.Fatalf("localpart with URL: %v", err)
		}
	})

	t.Run("InviteFromUnvettedServerHiddenAndRejected", func(t *testing.T) {
		alice, bob := newAccount(t, a, "alice"), newAccount(t, b, "bob")
		sa, sb := alice.bosLogin(t, pol), bob.login(t)
		roomID, err := sb.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Von außen", Invite: []id.UserID{sa.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		eventually.NoError(t, 45*time.Second, func() error {
			mustSync(t, sa)
			rooms, err := sa.Rooms(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rooms {
				if r.ID == roomID {
					t.Fatalf("the invite from %s is shown: %+v", bob.UserID, r)
				}
			}
			mustSync(t, sb)
			if m := membershipOf(t, sb, roomID, sa.Account().UserID); m != "leave" {
				return fmt.Errorf("the inviter never saw the invite rejected (membership %q)", m)
			}
			return nil
		})

		if _, err := sa.Room(ctx(t), roomID); err == nil {
			if r, _ := sa.Room(ctx(t), roomID); r.Membership == "invite" {
				t.Fatalf("invite stored: %+v", r)
			}
		}
	})

	t.Run("JoinRoomOnUnvettedServerRefused", func(t *testing.T) {
		alice, bob := newAccount(t, a, "alice"), newAccount(t, b, "bob")
		sa := alice.bosLogin(t, list.policy(t, map[string]any{"invites_from": "any"}))
		sb := bob.login(t)
		roomID, err := sb.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Raum auf b", Invite: []id.UserID{sa.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		waitInvite(t, sa, roomID)
		_, err = sa.Join(ctx(t), roomID.String())
		if !errors.Is(err, session.ErrPolicyDenied) || !strings.Contains(err.Error(), b.ServerName) {
			t.Fatalf("want a policy error naming %s, got %v", b.ServerName, err)
		}
		if r, _ := sa.Room(ctx(t), roomID); r.Membership == "join" {
			t.Fatal("joined anyway")
		}
	})

	t.Run("SendRefusedWhileUnvettedMemberJoined", func(t *testing.T) {
		alice, bob, carol := newAccount(t, a, "alice"), newAccount(t, b, "bob"), newAccount(t, a, "carol")
		sa, sb, sc := alice.bosLogin(t, pol), bob.login(t), carol.login(t)
		roomID, err := sc.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Gemischt", Encrypted: true,
			Invite: []id.UserID{sa.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		waitInvite(t, sa, roomID)
		if _, err := sa.Join(ctx(t), roomID.String()); err != nil {
			t.Fatal(err)
		}
		// Queued while only vetted members are in the room; bob joins before it goes out.
		queued, err := sa.Send(ctx(t), roomID, session.Draft{Text: "vor dem Beitritt", Plain: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Invite(ctx(t), roomID, sb.Account().UserID); err != nil {
			t.Fatal(err)
		}
		joinEventually(t, sb, roomID)
		waitJoined(t, sa, roomID, 3)
		_, err = sa.Send(ctx(t), roomID, session.Draft{Text: "nicht für b", Plain: true})
		if !errors.Is(err, session.ErrPolicyDenied) || !strings.Contains(err.Error(), bob.UserID) {
			t.Fatalf("want a policy error naming %s, got %v", bob.UserID, err)
		}
		if err := sa.FlushQueue(ctx(t)); err != nil {
			t.Logf("flush: %v", err)
		}
		st, err := sa.SendStateOf(ctx(t), queued)
		if err != nil || st.State != "failed" || !strings.Contains(st.Error, bob.UserID) {
			t.Fatalf("the queued message should fail naming %s: %+v %v", bob.UserID, st, err)
		}
		out, _ := sa.Outgoing(ctx(t), roomID)
		for _, o := range out {
			if o.State == "queued" {
				t.Fatalf("still queued: %+v", o)
			}
		}
		mustSend(t, sc, roomID, "Kontrollnachricht")
		hist := waitForBodies(t, sb, roomID, 50, "Kontrollnachricht")
		for _, e := range hist {
			if e.Sender == sa.Account().UserID && (e.Type == "m.room.message" || e.Type == "m.room.encrypted") {
				t.Fatalf("a message of alice reached b: %+v", e)
			}
		}
	})

	t.Run("NoRoomKeyForUnvettedDevice", func(t *testing.T) {
		alice, bob, carol := newAccount(t, a, "alice"), newAccount(t, b, "bob"), newAccount(t, a, "carol")
		sa, sb, sc := alice.bosLogin(t, pol), bob.login(t), carol.login(t)
		roomID, err := sc.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Schlüssel", Encrypted: true,
			Invite: []id.UserID{sa.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		waitInvite(t, sa, roomID)
		if _, err := sa.Join(ctx(t), roomID.String()); err != nil {
			t.Fatal(err)
		}
		// bob is invited (by carol) but has not joined: sending is allowed, the key is not his.
		if err := sc.Invite(ctx(t), roomID, sb.Account().UserID); err != nil {
			t.Fatal(err)
		}
		waitInvite(t, sb, roomID)
		waitJoined(t, sa, roomID, 2)
		mustSync(t, sa)
		mustSend(t, sa, roomID, "nur für geprüfte Server")
		waitForBodies(t, sc, roomID, 50, "nur für geprüfte Server") // carol (vetted) can read it
		joinEventually(t, sb, roomID)
		// The room key goes out before the message: once bob has the message, one more sync
		// brings any key that was sent to him.
		undecrypted := func() bool {
			mustSync(t, sb)
			hist, err := sb.History(ctx(t), roomID, 50)
			if err != nil {
				t.Fatal(err)
			}
			seen := false
			for _, e := range hist {
				if e.Body == "nur für geprüfte Server" {
					t.Fatal("the device on the unvetted server decrypted the message")
				}
				seen = seen || (e.Sender == sa.Account().UserID && e.Encrypted && !e.Decrypted)
			}
			return seen
		}
		eventually.True(t, 30*time.Second, "alice's encrypted message at bob (else the test proves nothing)", undecrypted)
		undecrypted()
	})

	t.Run("DelistedServerGetsNoNewRoomKey", func(t *testing.T) {
		both := newBOSList(t)
		both.publish(t, 1, time.Now().Add(24*time.Hour), a.ServerName, b.ServerName)
		alice, bob, carol := newAccount(t, a, "alice"), newAccount(t, b, "bob"), newAccount(t, a, "carol")
		sa, sb, sc := alice.bosLogin(t, both.policy(t, nil)), bob.login(t), carol.login(t)
		roomID, err := sc.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Entzug", Encrypted: true,
			Invite: []id.UserID{sa.Account().UserID, sb.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		waitInvite(t, sa, roomID)
		if _, err := sa.Join(ctx(t), roomID.String()); err != nil {
			t.Fatal(err)
		}
		waitInvite(t, sb, roomID)
		fromB, err := sb.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Einladung von b", Invite: []id.UserID{sa.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		waitInvite(t, sa, fromB)                   // shown while b is on the list
		mustSend(t, sa, roomID, "b noch gelistet") // b's server is vetted: the key goes to bob (invited)
		// b leaves the list; alice's next message (bob is still only invited) needs a new key.
		both.publish(t, 2, time.Now().Add(24*time.Hour), a.ServerName)
		if err := sa.Enforcer().Refresh(ctx(t)); err != nil {
			t.Fatal(err)
		}
		mustSend(t, sa, roomID, "b nicht mehr gelistet")
		waitForBodies(t, sc, roomID, 50, "b nicht mehr gelistet")
		// The invite from b, stored while b was listed, is rejected now.
		eventually.True(t, 30*time.Second, "the stored invite from the delisted server rejected", func() bool {
			mustSync(t, sb)
			return membershipOf(t, sb, fromB, sa.Account().UserID) == "leave"
		})

		mustSync(t, sa)
		if r, err := sa.Room(ctx(t), fromB); err == nil && r.Membership == "invite" {
			t.Fatalf("the invite is still shown: %+v", r)
		}
		joinEventually(t, sb, roomID)
		waitForBodies(t, sb, roomID, 50, "b noch gelistet") // bob had the first key: the test can see a leak
		// bob has the message after the first one (the second encrypted event from alice); the
		// sync after that brings any key that was sent to him.
		secondUnreadable := func() bool {
			mustSync(t, sb)
			hist, err := sb.History(ctx(t), roomID, 50)
			if err != nil {
				t.Fatal(err)
			}
			if countBody(hist, "b nicht mehr gelistet") > 0 {
				t.Fatal("a device on a server removed from the list read a message sent after its removal")
			}
			undecrypted := 0
			for _, e := range hist {
				if e.Sender == sa.Account().UserID && e.Encrypted && !e.Decrypted {
					undecrypted++
				}
			}
			return undecrypted > 0
		}
		eventually.True(t, 30*time.Second, "alice's second message at bob, undecrypted", secondUnreadable)
		secondUnreadable()
	})
}

// recordingProxy forwards to a target on its own loopback address and records request paths.
type recordingProxy struct {
	URL   string
	mu    sync.Mutex
	paths []string
}

func newRecordingProxy(t *testing.T, ip, target string) *recordingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &recordingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.Path)
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *recordingProxy) count(part string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, path := range p.paths {
		if strings.Contains(path, part) {
			n++
		}
	}
	return n
}

// membershipOf is user's stored membership in roomID as s sees it.
func membershipOf(t *testing.T, s *session.Session, roomID id.RoomID, user id.UserID) string {
	t.Helper()
	ms, err := s.Members(ctx(t), roomID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.UserID == user {
			return m.Membership
		}
	}
	return ""
}

// waitInvite syncs s until it holds an invite to (or membership of) roomID.
func waitInvite(t *testing.T, s *session.Session, roomID id.RoomID) {
	t.Helper()
	eventually.True(t, 30*time.Second, fmt.Sprintf("the invite of %s to %s", s.Account().UserID, roomID), func() bool {
		mustSync(t, s)
		rooms, _ := s.Rooms(ctx(t))
		return slices.ContainsFunc(rooms, func(r session.RoomSummary) bool { return r.ID == roomID })
	})
}
