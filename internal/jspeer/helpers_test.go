package jspeer_test

import (
	"sync"
	"testing"
	"time"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/nodeproc"
	"bosmessenger/internal/testserver"
)

const password = "correct-horse-battery"

// ctxT returns a context that ends after d or with the test.
var ctxT = nodeproc.TestContext

// loggedIn registers localpart on srv, starts a js peer and logs it in.
func loggedIn(t *testing.T, srv *testserver.Server, localpart string) *jspeer.Peer {
	t.Helper()
	srv.Register(t, localpart, password)
	p := jspeer.Start(t, srv.URL)
	if _, _, err := p.Login(ctxT(t, 60*time.Second), localpart, password); err != nil {
		t.Fatalf("login %s: %v", localpart, err)
	}
	return p
}

// loggedInAll does loggedIn for several users in parallel (Node start and
// crypto initialisation dominate).
func loggedInAll(t *testing.T, srv *testserver.Server, localparts ...string) []*jspeer.Peer {
	t.Helper()
	peers := make([]*jspeer.Peer, len(localparts))
	errs := make([]error, len(localparts))
	var wg sync.WaitGroup
	for i, lp := range localparts {
		srv.Register(t, lp, password)
		peers[i] = jspeer.Start(t, srv.URL)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = peers[i].Login(ctxT(t, 60*time.Second), lp, password)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("login %s: %v", localparts[i], err)
		}
	}
	return peers
}

// expectText waits until p decrypts a message with body in roomID from sender.
func expectText(t *testing.T, p *jspeer.Peer, roomID, sender, body string) jspeer.Event {
	t.Helper()
	ev, err := p.WaitForText(ctxT(t, 20*time.Second), roomID, body)
	if err != nil {
		t.Fatalf("%s waiting for %q: %v", p.UserID(), body, err)
	}
	if ev.Sender != sender {
		t.Fatalf("%q came from %s, want %s", body, ev.Sender, sender)
	}
	if !ev.Encrypted || ev.DecryptionFailure != "" {
		t.Fatalf("%q: encrypted=%v failure=%q, want an encrypted, decrypted event", body, ev.Encrypted, ev.DecryptionFailure)
	}
	return ev
}
