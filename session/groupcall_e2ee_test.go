package session_test

import (
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

// TestGroupCallE2EE: three of our clients in a group call of an encrypted room encrypt their
// media (on by default there, as Element Call) with per-participant keys sent over Olm
// to-device (io.element.call.encryption_keys), and each hears the others' tones. A fourth
// client with media encryption forced off gets every participant's packets but hears none of
// their tones (the frames on the wire are not Opus it can decode), and the others count its
// plain frames as decryption failures and do not hear it either. When members leave, the
// remaining ones rotate their keys (a new key index) and still hear each other.
func TestGroupCallE2EE(t *testing.T) {
	if !netns.Enter(t) {
		return
	}
	livekittest.AddClientInterface(t)
	srv := testserver.Start(t, testserver.Options{Federation: true})
	focus := livekittest.Start(t, livekittest.Options{Homeservers: map[string]string{srv.ServerName: srv.FederationURL}})

	tones := []float64{440, 660, 880, 1100}
	sess := make([]*session.Session, 4)
	for i := range sess {
		sess[i] = newAccount(t, srv, fmt.Sprintf("gre%d_", i)).login(t)
	}
	ident := func(i int) string { return rtc.Identity(sess[i].Account().UserID, sess[i].Account().DeviceID) }
	pl := &event.PowerLevelsEventContent{Users: map[id.UserID]int{sess[0].Account().UserID: 100},
		Events: map[string]int{rtc.MemberEventType.Type: 0}}
	var invite []id.UserID
	for _, s := range sess[1:] {
		invite = append(invite, s.Account().UserID)
	}
	roomID, err := sess[0].CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Verschlüsselter Gruppenanruf",
		Encrypted: true, PowerLevels: pl, Invite: invite})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sess[1:] {
		joinEventually(t, s, roomID)
	}
	stops := make([]func(), len(sess))
	for i, s := range sess {
		stops[i] = startSyncLoop(t, s) // media keys come as to-device messages
	}

	for i, s := range sess[:3] {
		info, err := s.JoinGroupCall(ctx(t), roomID, session.GroupCallOptions{Source: callmedia.NewTone(tones[i]),
			WellKnownURL: focus.WellKnownURL})
		if err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
		if !info.Encrypted || info.KeyIndex != 0 {
			t.Fatalf("join %d: encrypted %v, key index %d; want encrypted media at key index 0", i, info.Encrypted, info.KeyIndex)
		}
	}
	// hears waits until client i detects each of the others' tones.
	hears := func(i int, others ...int) {
		t.Helper()
		eventually.NoError(t, 60*time.Second, func() error {
			info, err := sess[i].GroupCall(roomID)
			if err != nil {
				return err
			}
			heard := map[string]rtc.ParticipantStats{}
			for _, p := range info.Participants {
				heard[p.Identity] = p
			}
			for _, j := range others {
				if p, ok := heard[ident(j)]; !ok || math.Abs(p.DetectedHz-tones[j]) > 15 {
					return fmt.Errorf("client %d hears %+v, want %.0f Hz from client %d", i, info.Participants, tones[j], j)
				}
			}
			return nil
		})
	}
	hears(0, 1, 2)
	hears(1, 0, 2)
	hears(2, 0, 1)

	// A client without media encryption: the packets reach it, the tones do not.
	plain, err := sess[3].JoinGroupCall(ctx(t), roomID, session.GroupCallOptions{Source: callmedia.NewTone(tones[3]),
		WellKnownURL: focus.WellKnownURL, E2EE: session.GroupCallE2EEOff})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Encrypted {
		t.Fatal("E2EE off: the call says it is encrypted")
	}
	eventually.NoError(t, 60*time.Second, func() error {
		info, err := sess[3].GroupCall(roomID)
		if err != nil {
			return err
		}
		n := 0
		for _, p := range info.Participants {
			if p.RTPPacketsIn >= 150 {
				n++
			}
		}
		if n < 3 {
			return fmt.Errorf("the plain client got %+v, want 150 packets from each of three", info.Participants)
		}
		a, err := sess[0].GroupCall(roomID)
		if err != nil {
			return err
		}
		for _, p := range a.Participants {
			if p.Identity == ident(3) && p.DecryptErrors >= 100 {
				return nil
			}
		}
		return fmt.Errorf("client 0 counts no decryption failures of the plain client's frames: %+v", a.Participants)
	})
	// Look a few times: a tone heard more than once would mean plain Opus on the wire.
	heardTone := map[string]int{}
	for k := 0; k < 5; k++ {
		info, _ := sess[3].GroupCall(roomID)
		for _, p := range info.Participants {
			for j := 0; j < 3; j++ {
				if p.Identity == ident(j) && math.Abs(p.DetectedHz-tones[j]) <= 15 {
					heardTone[p.Identity]++
				}
			}
		}
		a, _ := sess[0].GroupCall(roomID)
		for _, p := range a.Participants {
			if p.Identity == ident(3) && math.Abs(p.DetectedHz-tones[3]) <= 15 {
				heardTone["plain@0"]++
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	for who, n := range heardTone {
		if n > 1 {
			t.Fatalf("a tone was heard without the key (%s, %d of 5 looks): the media is not encrypted", who, n)
		}
	}
	info, _ := sess[3].GroupCall(roomID)
	t.Logf("plain client gets %+v", info.Participants)

	// Members leave: the others rotate their keys and still hear each other.
	for _, i := range []int{3, 2} {
		if err := sess[i].LeaveGroupCall(ctx(t), roomID); err != nil {
			t.Fatal(err)
		}
	}
	eventually.NoError(t, 60*time.Second, func() error {
		for i, j := range map[int]int{0: 1, 1: 0} {
			own, err := sess[j].GroupCall(roomID)
			if err != nil {
				return err
			}
			if own.KeyIndex == 0 {
				return fmt.Errorf("client %d did not rotate its key after members left", j)
			}
			info, err := sess[i].GroupCall(roomID)
			if err != nil {
				return err
			}
			ok := false
			for _, p := range info.Participants {
				if p.Identity == ident(j) && p.KeyIndex == own.KeyIndex && math.Abs(p.DetectedHz-tones[j]) <= 15 {
					ok = true
				}
			}
			if !ok {
				return fmt.Errorf("client %d hears %+v, want client %d at key index %d", i, info.Participants, j, own.KeyIndex)
			}
		}
		return nil
	})
	for i := 0; i < 2; i++ {
		info, _ := sess[i].GroupCall(roomID)
		t.Logf("client %d (key index %d) hears %+v", i, info.KeyIndex, info.Participants)
	}
}
