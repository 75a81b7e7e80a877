package session_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/livekittest"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/callmedia"
	"bosmessenger/session/rtc"
)

// TestGroupCallThreeParties: three of our clients join one MatrixRTC group call (Dendrite,
// livekit-server --dev and the test JWT service on loopback, inside a network namespace with
// only lo), each sending its own tone; each hears both others' tones on their own tracks. The
// memberships are in the room state while in the call and empty after leaving. disable_calls
// blocks joining.
func TestGroupCallThreeParties(t *testing.T) {
	if !netns.Enter(t) {
		return
	}
	livekittest.AddClientInterface(t)
	srv := testserver.Start(t, testserver.Options{Federation: true})
	focus := livekittest.Start(t, livekittest.Options{Homeservers: map[string]string{srv.ServerName: srv.FederationURL}})

	tones := []float64{440, 660, 880}
	accts := make([]*account, 3)
	sess := make([]*session.Session, 3)
	for i := range accts {
		accts[i] = newAccount(t, srv, fmt.Sprintf("grp%d_", i))
		sess[i] = accts[i].login(t)
	}
	pl := &event.PowerLevelsEventContent{Users: map[id.UserID]int{sess[0].Account().UserID: 100},
		Events: map[string]int{rtc.MemberEventType.Type: 0}}
	roomID, err := sess[0].CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Gruppenanruf", PowerLevels: pl,
		Invite: []id.UserID{sess[1].Account().UserID, sess[2].Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sess[1:] {
		joinEventually(t, s, roomID)
	}

	opts := func(i int) session.GroupCallOptions {
		return session.GroupCallOptions{Source: callmedia.NewTone(tones[i]), WellKnownURL: focus.WellKnownURL}
	}
	for i, s := range sess {
		info, err := s.JoinGroupCall(ctx(t), roomID, opts(i))
		if err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
		if info.ConnectedAt.IsZero() {
			t.Fatalf("join %d: not connected", i)
		}
	}
	members, err := sess[2].GroupCallMembers(ctx(t), roomID)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 3 {
		t.Fatalf("%d call memberships in the room state, want 3: %+v", len(members), members)
	}

	for i, s := range sess {
		want := map[string]float64{}
		for j, o := range sess {
			if j != i {
				want[rtc.Identity(o.Account().UserID, o.Account().DeviceID)] = tones[j]
			}
		}
		eventually.NoError(t, 60*time.Second, func() error {
			info, err := s.GroupCall(roomID)
			if err != nil {
				return err
			}
			heard := map[string]float64{}
			for _, p := range info.Participants {
				heard[p.Identity] = p.DetectedHz
			}
			for ident, hz := range want {
				if got, ok := heard[ident]; !ok || math.Abs(got-hz) > 15 {
					return fmt.Errorf("client %d hears %v, want %v", i, heard, want)
				}
			}
			return nil
		})
		info, _ := s.GroupCall(roomID)
		t.Logf("client %d (%.0f Hz) hears %+v", i, tones[i], info.Participants)
	}

	if err := sess[0].LeaveGroupCall(ctx(t), roomID); err != nil {
		t.Fatal(err)
	}
	if _, err := sess[0].GroupCall(roomID); !errors.Is(err, session.ErrNotInGroupCall) {
		t.Fatalf("after leaving: %v", err)
	}
	eventually.NoError(t, 30*time.Second, func() error {
		members, err := sess[1].GroupCallMembers(ctx(t), roomID)
		if err != nil {
			return err
		}
		if len(members) != 2 {
			return fmt.Errorf("%d memberships after one left, want 2", len(members))
		}
		return nil
	})

	off := newAccount(t, srv, "grpoff").loginWith(t, func(c *session.Config) { c.DisableCalls = true })
	if _, err := off.JoinGroupCall(ctx(t), roomID, opts(0)); !errors.Is(err, session.ErrCallsDisabled) {
		t.Fatalf("join under disable_calls: %v", err)
	}
}
