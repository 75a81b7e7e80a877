package jscall_test

import (
	"testing"
	"time"

	"bosmessenger/internal/jscall"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
)

// Two matrix-js-sdk MatrixCalls in two headless Chromiums call each other across two federated
// Dendrites, inside a network namespace with only lo: in a plain room alice calls bob and bob
// hangs up, in an encrypted room bob calls alice and bob hangs up again (the caller's side);
// then alice calls bob, who rejects.
// Each side must connect, receive the other's tone (energy from getStats() and the dominant
// frequency from an FFT of the played audio) and see the other's hangup.
func TestBrowserToBrowserCall(t *testing.T) {
	// Installing needs the network: before entering the namespace (the child finds both ready).
	jscall.Install(t)
	testserver.BinDir(t)
	if !netns.Enter(t) {
		return
	}
	a, b := testserver.StartFederated(t)
	peers := startPeers(t, account{a, "alice", 440}, account{b, "bob", 660})
	alice, bob := peers[0], peers[1]
	tone := map[*jscall.Peer]float64{alice: 440, bob: 660}
	server := map[*jscall.Peer]string{alice: a.ServerName, bob: b.ServerName}

	var plainRoom string
	for _, tc := range []struct {
		name           string
		encrypted      bool
		caller, callee *jscall.Peer
		hangupByCaller bool
	}{
		{"plain", false, alice, bob, false},
		{"encrypted", true, bob, alice, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			roomID := sharedRoom(t, tc.caller, tc.callee, server[tc.caller], tc.encrypted)
			if !tc.encrypted {
				plainRoom = roomID
			}
			ctx := ctxT(t, 90*time.Second)
			callID, err := tc.caller.PlaceCall(ctx, roomID)
			if err != nil {
				t.Fatal(err)
			}
			answered, err := tc.callee.WaitIncomingAndAnswer(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if answered != callID {
				t.Fatalf("callee answered call %s, want %s", answered, callID)
			}
			for _, p := range []*jscall.Peer{tc.caller, tc.callee} {
				if err := p.WaitState(ctx, callID, jscall.StateConnected); err != nil {
					t.Fatalf("%s: %v", p.UserID, err)
				}
			}
			cs := expectAudio(t, tc.caller, tone[tc.callee])
			ce := expectAudio(t, tc.callee, tone[tc.caller])
			t.Logf("caller %s: connected after %d ms, %d bytes in, energy %.3f, %.1f Hz",
				tc.caller.UserID, cs.ConnectedMS, cs.BytesReceived, cs.TotalAudioEnergy, cs.DominantHz)
			t.Logf("callee %s: connected after %d ms, %d bytes in, energy %.3f, %.1f Hz",
				tc.callee.UserID, ce.ConnectedMS, ce.BytesReceived, ce.TotalAudioEnergy, ce.DominantHz)

			hanger, other := tc.callee, tc.caller
			if tc.hangupByCaller {
				hanger, other = tc.caller, tc.callee
			}
			if err := hanger.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			h, err := other.WaitHangup(ctx, callID)
			if err != nil {
				t.Fatalf("%s: %v", other.UserID, err)
			}
			if h.Party != "remote" || h.Reason != "user_hangup" {
				t.Fatalf("%s saw hangup %+v, want party remote, reason user_hangup", other.UserID, h)
			}
			if err := hanger.WaitState(ctx, callID, jscall.StateEnded); err != nil {
				t.Fatalf("%s: %v", hanger.UserID, err)
			}
		})
	}

	// A rejected call ends on both sides, the caller's with the remote party's hangup.
	t.Run("rejected", func(t *testing.T) {
		if plainRoom == "" {
			t.Fatal("no room from the plain call")
		}
		ctx := ctxT(t, 90*time.Second)
		callID, err := alice.PlaceCall(ctx, plainRoom)
		if err != nil {
			t.Fatal(err)
		}
		rejected, err := bob.WaitIncomingAndReject(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rejected != callID {
			t.Fatalf("bob rejected call %s, want %s", rejected, callID)
		}
		h, err := alice.WaitHangup(ctx, callID)
		if err != nil {
			t.Fatal(err)
		}
		if h.Party != "remote" {
			t.Fatalf("alice saw hangup %+v, want one by the remote party", h)
		}
		for _, p := range []*jscall.Peer{alice, bob} {
			if err := p.WaitState(ctx, callID, jscall.StateEnded); err != nil {
				t.Fatalf("%s: %v", p.UserID, err)
			}
		}
	})
}
