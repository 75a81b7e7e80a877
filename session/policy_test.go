package session_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// denyPolicy refuses one action and records every request it was asked about.
type denyPolicy struct {
	mu    sync.Mutex
	deny  session.Action
	asked []session.PolicyRequest
}

func (p *denyPolicy) Check(_ context.Context, req session.PolicyRequest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, req)
	if req.Action == p.deny {
		return errors.New("not on the list of vetted servers")
	}
	return nil
}

func TestPolicyHookIsAskedAndEnforced(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")

	p := &denyPolicy{deny: session.ActionLogin}
	cfg := alice.config()
	cfg.Policy = p
	if _, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("login: want ErrPolicyDenied, got %v", err)
	}
	if len(p.asked) != 1 || p.asked[0].Homeserver != srv.URL {
		t.Fatalf("login request: %+v", p.asked)
	}

	p.deny = ""
	sa, err := session.Login(ctx(t), cfg, srv.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	sb := bob.login(t)
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Policy"})
	if err != nil {
		t.Fatal(err)
	}

	p.deny = session.ActionInvite
	if err := sa.Invite(ctx(t), roomID, sb.Account().UserID); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("invite: want ErrPolicyDenied, got %v", err)
	}
	p.deny = session.ActionSend
	if _, err := sa.Send(ctx(t), roomID, session.Draft{Text: "nicht erlaubt", Plain: true}); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("send: want ErrPolicyDenied, got %v", err)
	}
	p.deny = ""
	if err := sa.Invite(ctx(t), roomID, sb.Account().UserID); err != nil {
		t.Fatal(err)
	}
	denyJoin := &denyPolicy{deny: session.ActionJoin}
	bcfg := bob.config()
	bcfg.Policy = denyJoin
	sb.Close()
	sb2, err := session.Open(ctx(t), bcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sb2.Close()
	if _, err := sb2.Join(ctx(t), roomID.String()); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("join: want ErrPolicyDenied, got %v", err)
	}
	seen := map[session.Action]bool{}
	for _, r := range p.asked {
		seen[r.Action] = true
	}
	for _, a := range []session.Action{session.ActionLogin, session.ActionInvite, session.ActionSend} {
		if !seen[a] {
			t.Errorf("policy never asked about %s", a)
		}
	}
}
