package session_test

import (
	"errors"
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
		deadline := time.Now().Add(45 * time.Second)
		for {
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
			if membershipOf(t, sb, roomID, sa.Account().UserID) == "leave" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the inviter never saw the invite rejected (membership %q)", membershipOf(t, sb, roomID, sa.Account().UserID))
			}
			time.Sleep(200 * time.Millisecond)
		}
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
		queued, err := sa.SendText(ctx(t), roomID, "vor dem Beitritt")
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Invite(ctx(t), roomID, sb.Account().UserID); err != nil {
			t.Fatal(err)
		}
		joinEventually(t, sb, roomID)
		waitJoined(t, sa, roomID, 3)
		_, err = sa.SendText(ctx(t), roomID, "nicht für b")
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
		deadline := time.Now().Add(8 * time.Second)
		var seen bool
		for time.Now().Before(deadline) {
			mustSync(t, sb)
			hist, err := sb.History(ctx(t), roomID, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range hist {
				if e.Body == "nur für geprüfte Server" {
					t.Fatal("the device on the unvetted server decrypted the message")
				}
				if e.Sender == sa.Account().UserID && e.Encrypted && !e.Decrypted {
					seen = true
				}
			}
			time.Sleep(300 * time.Millisecond)
		}
		if !seen {
			t.Fatal("bob never received alice's encrypted message (the test proves nothing)")
		}
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
		for deadline := time.Now().Add(30 * time.Second); membershipOf(t, sb, fromB, sa.Account().UserID) != "leave"; {
			if time.Now().After(deadline) {
				t.Fatal("the stored invite from the delisted server was not rejected")
			}
			mustSync(t, sb)
			time.Sleep(200 * time.Millisecond)
		}
		mustSync(t, sa)
		if r, err := sa.Room(ctx(t), fromB); err == nil && r.Membership == "invite" {
			t.Fatalf("the invite is still shown: %+v", r)
		}
		joinEventually(t, sb, roomID)
		waitForBodies(t, sb, roomID, 50, "b noch gelistet") // bob had the first key: the test can see a leak
		deadline := time.Now().Add(6 * time.Second)
		for time.Now().Before(deadline) {
			mustSync(t, sb)
			hist, err := sb.History(ctx(t), roomID, 50)
			if err != nil {
				t.Fatal(err)
			}
			if countBody(hist, "b nicht mehr gelistet") > 0 {
				t.Fatal("a device on a server removed from the list read a message sent after its removal")
			}
			time.Sleep(300 * time.Millisecond)
		}
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
		if m.UserID == user.String() {
			return m.Membership
		}
	}
	return ""
}

// waitInvite syncs s until it holds an invite to (or membership of) roomID.
func waitInvite(t *testing.T, s *session.Session, roomID id.RoomID) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mustSync(t, s)
		rooms, _ := s.Rooms(ctx(t))
		if slices.ContainsFunc(rooms, func(r session.RoomSummary) bool { return r.ID == roomID }) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never got the invite to %s", s.Account().UserID, roomID)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
