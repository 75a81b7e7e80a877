package session_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/faultproxy"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Real Dendrite answers reach front ends as session sentinel errors (errors.Is), with mautrix's
// error still in the chain.
func TestMatrixErrorsAreSentinels(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	proxy := faultproxy.New(t, srv.URL)
	alice, bob, carl := newAccount(t, srv, "alice"), newAccount(t, srv, "bob"), newAccount(t, srv, "carl")
	sa, err := session.Login(ctx(t), alice.config(), proxy.URL, alice.Local, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sa.Close() })
	sb := bob.login(t)
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Lagezentrum"})
	if err != nil {
		t.Fatal(err)
	}

	check := func(what string, err, sentinel, original error) {
		t.Helper()
		if !errors.Is(err, sentinel) {
			t.Errorf("%s: %v, want errors.Is %v", what, err, sentinel)
		}
		if original != nil && !errors.Is(err, original) {
			t.Errorf("%s: %v, want the original %v in the chain too", what, err, original)
		}
		var httpErr mautrix.HTTPError
		if !errors.As(err, &httpErr) {
			t.Errorf("%s: %v, want the mautrix.HTTPError in the chain", what, err)
		}
		t.Logf("%s: %v", what, err)
	}

	// Not found: a room ID nobody created. (Dendrite 0.13.8 answers an unknown alias with HTTP 500.)
	_, err = sa.Join(ctx(t), "!gibtesnicht:"+srv.ServerName)
	check("join an unknown room", err, session.ErrNotFound, mautrix.MNotFound)

	// Forbidden: bob is not in alice's room.
	check("invite into a room we are not in", sb.Invite(ctx(t), roomID, id.UserID(carl.UserID)), session.ErrForbidden, mautrix.MForbidden)
	check("rename a room we are not in", sb.SetRoomName(ctx(t), roomID, "Übernahme"), session.ErrForbidden, mautrix.MForbidden)

	// Forbidden on the send path: carl joined, then was kicked; his store does not know yet.
	sc := carl.login(t)
	if err := sa.Invite(ctx(t), roomID, id.UserID(carl.UserID)); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := rawClient(t, srv, sa).KickUser(ctx(t), roomID, &mautrix.ReqKickUser{UserID: id.UserID(carl.UserID)}); err != nil {
		t.Fatal(err)
	}
	txn, err := sc.Send(ctx(t), roomID, session.Draft{Text: "nach dem Rauswurf", Plain: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.WaitSent(ctx(t), txn)
	check("send into a room we were kicked from", err, session.ErrForbidden, mautrix.MForbidden)

	// Rate limited: the proxy answers 429 M_LIMIT_EXCEEDED, for an invite and for the send queue.
	proxy.Inject("/invite", faultproxy.Status429, -1)
	check("invite while rate limited", sa.Invite(ctx(t), roomID, id.UserID(bob.UserID)), session.ErrRateLimited, mautrix.MLimitExceeded)
	proxy.Inject("/send/", faultproxy.Status429, -1)
	if _, err := sa.Send(ctx(t), roomID, session.Draft{Text: "zu schnell", Plain: true}); err != nil {
		t.Fatal(err)
	}
	check("send while rate limited", sa.FlushQueue(ctx(t)), session.ErrRateLimited, mautrix.MLimitExceeded)
	proxy.Clear()

	// The room settings' typed contents (mautrix event structs) reach the server and come back.
	if err := sa.SetRoomName(ctx(t), roomID, "Lagezentrum Nord"); err != nil {
		t.Fatal(err)
	}
	if err := sa.SetRoomTopic(ctx(t), roomID, "Hochwasser"); err != nil {
		t.Fatal(err)
	}
	if err := sa.EnableEncryption(ctx(t), roomID); err != nil {
		t.Fatal(err)
	}
	eventually.NoError(t, 20*time.Second, func() error { // sync until the state events come back
		if _, err := sa.SyncOnce(ctx(t), time.Second); err != nil {
			t.Fatal(err)
		}
		sum, err := sa.Room(ctx(t), roomID)
		if err == nil && sum.Name == "Lagezentrum Nord" && sum.Topic == "Hochwasser" && sum.Encrypted {
			return nil
		}
		return fmt.Errorf("room after the settings: %+v %v", sum, err)
	})

	// Signed out: the access token was revoked on the server.
	if _, err := rawClient(t, srv, sa).Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	check("leave after the token was revoked", sa.Leave(ctx(t), roomID), session.ErrSessionTerminated, mautrix.MUnknownToken)
	for _, e := range []error{session.ErrForbidden, session.ErrNotFound, session.ErrRateLimited} {
		if err := sa.Leave(ctx(t), roomID); errors.Is(err, e) {
			t.Errorf("signed out must not also be %v: %v", e, err)
		}
	}
}
