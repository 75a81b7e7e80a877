package session_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/policy"
)

// The signed list decides everything: a tampered, unreadable, rolled-back or expired list blocks
// BOS mode (every homeserver request refused at one door), and a newer valid list recovers
// without a restart. The rollback floor survives a restart (sealed in the store).
func TestBOSModeFederationListStates(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	list := newBOSList(t)
	week := time.Now().Add(7 * 24 * time.Hour)
	list.publish(t, 2, week, srv.ServerName)
	pol := list.policy(t, map[string]any{"require_encryption": false})
	alice := newAccount(t, srv, "alice")
	s := alice.bosLogin(t, pol)
	roomID, err := s.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Lage"})
	if err != nil {
		t.Fatal(err)
	}
	mustSend(t, s, roomID, "Liste gültig")
	e := s.Enforcer()
	if st := e.State(); st.List == nil || st.List.Version != 2 || st.Blocked != nil {
		t.Fatalf("state: %+v", st)
	}
	if org, vetted, known := s.Organisation(srv.ServerName); !known || !vetted || org != "Organisation 1" {
		t.Fatalf("organisation: %q %v %v", org, vetted, known)
	}
	if _, vetted, known := s.Organisation("elsewhere.example"); !known || vetted {
		t.Fatalf("unlisted server: vetted %v known %v", vetted, known)
	}

	blocks := func(what, want string) {
		t.Helper()
		if err := e.Refresh(ctx(t)); !errors.Is(err, session.ErrPolicyBlocked) || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: want blocked (%q), got %v", what, want, err)
		}
		if err := s.BlockedReason(); !errors.Is(err, session.ErrPolicyBlocked) {
			t.Fatalf("%s: BlockedReason %v", what, err)
		}
		if _, err := s.Send(ctx(t), roomID, session.Draft{Text: "gesperrt", Plain: true}); !errors.Is(err, session.ErrPolicyBlocked) {
			t.Fatalf("%s: send: %v", what, err)
		}
		// The door: a request no policy check guards (sync) is refused too.
		if _, err := s.SyncOnce(ctx(t), 0); !errors.Is(err, session.ErrPolicyBlocked) {
			t.Fatalf("%s: sync: %v", what, err)
		}
	}
	recovers := func(what string) {
		t.Helper()
		eventually.NoError(t, 20*time.Second, func() error {
			if err := s.BlockedReason(); err != nil {
				return fmt.Errorf("%s: did not recover: %w", what, err)
			}
			return nil
		})
		mustSync(t, s)
		mustSend(t, s, roomID, "wieder frei: "+what)
	}

	seq, _ := s.LastSeq(ctx(t))
	valid := list.publish(t, 3, week, srv.ServerName)
	parts := strings.Split(valid, ".")
	list.write(t, parts[0]+"."+strings.Replace(parts[1], parts[1][10:14], "AAAA", 1)+"."+parts[2])
	blocks("tampered", "signature")
	waitChangeKind(t, s, seq, session.ChangePolicy)

	list.publish(t, 3, week, srv.ServerName)
	recovers("newer list") // by the refresher, without a call to Refresh

	list.publish(t, 2, week, srv.ServerName)
	blocks("rollback", "older than the accepted version 3")
	list.publish(t, 4, week, srv.ServerName)
	recovers("after rollback")

	list.publish(t, 5, time.Now().Add(-time.Minute), srv.ServerName)
	blocks("expired", "expired")
	list.publish(t, 6, week, srv.ServerName)
	recovers("after expiry")

	// A list that expires while in use blocks at its expiry, by itself.
	list.publish(t, 7, time.Now().Add(2*time.Second), srv.ServerName)
	if err := e.Refresh(ctx(t)); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 10*time.Second, "the expired list to block", func() bool { return s.BlockedReason() != nil })

	if !strings.Contains(s.BlockedReason().Error(), "expired") {
		t.Fatalf("reason: %v", s.BlockedReason())
	}

	if err := os.Remove(list.path); err != nil {
		t.Fatal(err)
	}
	blocks("unreadable", "unreadable")
	list.write(t, "kein JWS")
	blocks("malformed", "malformed")

	list.publish(t, 8, week, srv.ServerName)
	recovers("list 8")
	s.Close()

	// After a restart an older (validly signed) list is still a rollback.
	list.publish(t, 7, week, srv.ServerName)
	s2, err := session.Open(ctx(t), bosConfig(alice, pol))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.BlockedReason(); !errors.Is(err, session.ErrPolicyBlocked) || !strings.Contains(err.Error(), "older than the accepted version 8") {
		t.Fatalf("rollback after restart: %v", err)
	}
	if _, err := s2.SyncOnce(ctx(t), 0); !errors.Is(err, session.ErrPolicyBlocked) {
		t.Fatalf("sync after restart: %v", err)
	}
}

// BOS mode without a list URL or keys is blocked: not even the login starts.
func TestBOSModeWithoutListIsBlocked(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	for name, managed := range map[string]map[string]any{
		"no url":  {"bos_mode": true, "federation_list_public_keys": []any{"3q0kT0bbd8yzq2bGg2D2pJ0m0aKXhA0Cw9mV1i1lQ0s="}},
		"no keys": {"bos_mode": true, "federation_list_url": "file:///nonexistent/list.jws"},
	} {
		p, err := policy.Resolve(policy.Source{Name: "test", Managed: managed})
		if err != nil {
			t.Fatal(err)
		}
		_, err = session.Login(ctx(t), bosConfig(alice, p), srv.URL, alice.UserID, testPassword)
		if !errors.Is(err, session.ErrPolicyBlocked) {
			t.Fatalf("%s: want ErrPolicyBlocked, got %v", name, err)
		}
	}
}

// require_encryption: no unencrypted room can be created or sent to (also outside BOS mode).
func TestRequireEncryption(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, carol := newAccount(t, srv, "alice"), newAccount(t, srv, "carol")
	p, err := policy.Resolve(policy.Source{Name: "test", Managed: map[string]any{"require_encryption": true}})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := session.Login(ctx(t), session.ApplyPolicy(alice.config(), p), srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	sc := carol.login(t)
	if _, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "offen"}); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("create unencrypted: %v", err)
	}
	if _, err := sa.CreateDM(ctx(t), sc.Account().UserID, false); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("create plain DM: %v", err)
	}
	enc, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "verschlüsselt", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	mustSend(t, sa, enc, "verschlüsselt ok")
	plain := sharedRoom(t, sc, sa, session.CreateRoomOptions{Name: "unverschlüsselt von carol"})
	_, err = sa.Send(ctx(t), plain, session.Draft{Text: "darf nicht raus", Plain: true})
	if !errors.Is(err, session.ErrPolicyDenied) || !strings.Contains(err.Error(), "require_encryption") {
		t.Fatalf("send to unencrypted room: %v", err)
	}
	if _, err := sa.SendFile(ctx(t), plain, "lage.txt", "text/plain", []byte("x")); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("file to unencrypted room: %v", err)
	}
}

// waitChangeKind waits for a change of kind after seq.
func waitChangeKind(t *testing.T, s *session.Session, seq int64, kind session.ChangeKind) {
	t.Helper()
	sub := s.Subscribe(seq)
	defer sub.Close()
	c, cancel := context.WithTimeout(ctx(t), 10*time.Second)
	defer cancel()
	for {
		batch, err := sub.Next(c)
		if err != nil {
			t.Fatalf("no %s change: %v", kind, err)
		}
		for _, ch := range batch {
			if ch.Kind == kind {
				return
			}
		}
	}
}
