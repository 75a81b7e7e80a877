package session_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// SAS between two of our accounts (different users) where one side confirms only after the other
// side's MAC arrived: mautrix's ConfirmSAS would then check the MAC'd master key against our own
// ("master keys do not match") and the other side would cancel. Both roles confirm late once.
func TestCrossUserSASConfirmedAfterTheirMAC(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	for _, tc := range []struct {
		name          string
		requesterLate bool
	}{{"requester confirms late", true}, {"acceptor confirms late", false}} {
		t.Run(tc.name, func(t *testing.T) {
			sa := newAccount(t, srv, "alice").login(t)
			sb := newAccount(t, srv, "bob").login(t)
			sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Lage", Encrypted: true})
			runSyncLoop(t, sa)
			runSyncLoop(t, sb)

			va, vb := startCrossUserSAS(t, sa, sb)
			first, late := va, vb
			if tc.requesterLate {
				first, late = vb, va
			}
			if err := first.ConfirmSAS(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if err := late.WaitTheyConfirmed(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if info := late.Info(); !info.TheyConfirmed || info.State != session.VerificationSAS {
				t.Fatalf("late side after the other's MAC: %+v", info)
			}
			if info := first.Info(); info.State != session.VerificationSAS {
				t.Fatalf("first side before the late confirmation: %+v", info)
			}
			if err := late.ConfirmSAS(ctx(t)); err != nil {
				t.Fatal(err)
			}
			for _, v := range []*session.Verification{late, first} {
				if err := v.Wait(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			waitUserVerified(t, sa, sb.Account().UserID)
			waitUserVerified(t, sb, sa.Account().UserID)
		})
	}
}

// startCrossUserSAS has sa request verification with sb, sb accept, and waits until both show
// the same emojis.
func startCrossUserSAS(t *testing.T, sa, sb *session.Session) (va, vb *session.Verification) {
	t.Helper()
	va, err := sa.StartVerification(ctx(t), sb.Account().UserID, sb.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	vb = acceptIncoming(t, sb)
	ea, err1 := va.WaitEmojis(ctx(t))
	eb, err2 := vb.WaitEmojis(ctx(t))
	if err1 != nil || err2 != nil || len(ea) != 7 || !slices.Equal(ea, eb) {
		t.Fatalf("emojis: %v %v / %v %v", ea, err1, eb, err2)
	}
	return va, vb
}

// waitUserVerified waits until s sees userID verified.
func waitUserVerified(t *testing.T, s *session.Session, userID id.UserID) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		info, err := s.UserTrust(c, userID)
		if err != nil {
			t.Fatal(err)
		}
		if info.State == session.UserVerified {
			return
		}
		select {
		case <-c.Done():
			t.Fatalf("%s sees %s as %+v", s.Account().UserID, userID, info)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// SAS with matrix-js-sdk where the SDK confirms first and we confirm only after its MAC arrived,
// with either side requesting; and once the other way round (we confirm first, the SDK later).
func TestSASWithJSConfirmedAfterTheirMAC(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	for _, tc := range []struct {
		name     string
		jsAsks   bool
		jsFirst  bool
		waitMore time.Duration
	}{
		{"we ask, js confirms first", false, true, 0},
		{"js asks, js confirms first", true, true, 0},
		{"we ask, we confirm first", false, false, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sa := newAccount(t, srv, "alice").login(t)
			js, _ := jsPeerWithRoom(t, srv, sa)
			runSyncLoop(t, sa)
			var v *session.Verification
			if tc.jsAsks {
				if err := js.RequestVerification(ctx(t), sa.Account().UserID.String(), sa.Account().DeviceID.String()); err != nil {
					t.Fatal(err)
				}
				v = acceptIncoming(t, sa)
			} else {
				var err error
				if v, err = sa.StartVerification(ctx(t), id.UserID(js.UserID()), id.DeviceID(js.DeviceID())); err != nil {
					t.Fatal(err)
				}
				if _, _, err := js.AcceptVerification(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			sameEmojisAsJS(t, v, js)
			if tc.jsFirst {
				if err := js.ConfirmSASNoWait(ctx(t)); err != nil {
					t.Fatal(err)
				}
				if err := v.WaitTheyConfirmed(ctx(t)); err != nil {
					t.Fatal(err)
				}
				if info := v.Info(); !info.TheyConfirmed || info.State != session.VerificationSAS {
					t.Fatalf("after the js MAC: %+v", info)
				}
				if err := v.ConfirmSAS(ctx(t)); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := v.ConfirmSAS(ctx(t)); err != nil {
					t.Fatal(err)
				}
				// The SDK's sync brings our MAC within a moment (there is no way to ask it).
				time.Sleep(tc.waitMore)
				if err := js.ConfirmSASNoWait(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			if err := v.Wait(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if err := js.WaitVerificationDone(ctx(t)); err != nil {
				t.Fatal(err)
			}
			waitMutualUserTrust(t, sa, js)
		})
	}
}
