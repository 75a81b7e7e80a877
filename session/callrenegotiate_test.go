package session_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jscall"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// TestCallRenegotiateBrowser: renegotiation (m.call.negotiate) with a real peer. Our engine
// calls matrix-js-sdk's MatrixCall in headless Chromium (inside a network namespace with only
// lo), the browser answers, then puts us on hold and takes us off again (setRemoteOnHold, a new
// offer each time in m.call.negotiate: sendonly, then sendrecv). Our side must answer both
// offers in a way the browser accepts (its remote description turns recvonly, then sendrecv
// again), the call stays connected, the browser's tone goes silent while on hold, and after it
// we hear the browser's tone again and our RTP reaches the browser again.
func TestCallRenegotiateBrowser(t *testing.T) {
	jscall.Install(t)
	testserver.BinDir(t)
	if !netns.Enter(t) {
		return
	}
	t.Setenv(session.CallLoopbackEnv, "1")
	srv := testserver.Start(t, testserver.Options{})
	disp := newAccount(t, srv, "disp")
	sa := disp.login(t)
	runCallSync(t, sa)
	srv.Register(t, "web", testPassword)
	web := jscall.Start(t, jscall.Options{Homeserver: srv.URL, User: "web", Password: testPassword, ToneHz: 660, NoCrypto: true})
	c, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	roomID, err := sa.CreateRoom(c, session.CreateRoomOptions{Name: "Halten", Invite: []id.UserID{id.UserID(web.UserID)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := web.WaitInvite(c, string(roomID)); err != nil {
		t.Fatal(err)
	}
	if err := web.Join(c, string(roomID), ""); err != nil {
		t.Fatal(err)
	}
	if err := web.WaitRoom(c, string(roomID), false, string(sa.Account().UserID), web.UserID); err != nil {
		t.Fatal(err)
	}
	waitJoined(t, sa, roomID, 2)

	answered := make(chan error, 1)
	go func() {
		callID, err := web.WaitIncomingAndAnswer(c)
		if err == nil {
			err = web.WaitState(c, callID, jscall.StateConnected)
		}
		answered <- err
	}()
	heard := callmedia.NewToneDetector()
	placed, err := sa.PlaceCall(c, roomID, session.CallMediaOptions{Source: callmedia.NewTone(440), Sink: heard})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-answered; err != nil {
		t.Fatalf("browser: %v", err)
	}
	waitCall(t, sa, "connected", func(ci session.CallInfo) bool { return ci.CallID == placed.CallID && ci.State == call.StateConnected })
	waitTone(t, heard, 660, "ours")
	remoteSDP := func() string {
		_, remote, err := web.SDP(c)
		if err != nil {
			t.Fatalf("browser SDP: %v", err)
		}
		return remote
	}
	packetsIn := func() uint64 { st, _ := sa.CallStats(placed.CallID); return st.RTPPacketsIn }

	// On hold: the browser only sends (and mutes its microphone); our answer only receives.
	if err := web.SetRemoteOnHold(c, true); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 30*time.Second, "our answer to the hold offer (a=recvonly)", func() bool {
		return strings.Contains(remoteSDP(), "a=recvonly")
	})
	eventually.True(t, 30*time.Second, "silence from the browser on hold", func() bool { return heard.DominantHz() == 0 })
	if ci, _ := sa.Call(placed.CallID); ci.State != call.StateConnected {
		t.Fatalf("on hold the call is %s, want connected", ci.State)
	}

	// Off hold: our answer makes it sendrecv again, audio flows both ways.
	before := packetsIn()
	if err := web.SetRemoteOnHold(c, false); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 30*time.Second, "our answer to the unhold offer (a=sendrecv)", func() bool {
		r := remoteSDP()
		return strings.Contains(r, "a=sendrecv") && !strings.Contains(r, "a=recvonly")
	})
	eventually.True(t, 30*time.Second, "the browser's audio again", func() bool { return packetsIn() >= before+50 })
	waitTone(t, heard, 660, "ours after the hold")
	s0, err := web.Stats(c)
	if err != nil {
		t.Fatal(err)
	}
	// Our RTP reaches the browser again. Its analyser of the played audio stays silent after a
	// hold (also while our audio arrives); where that comes from is not known yet, so the tone
	// is only logged here.
	s1, err := web.WaitStats(c, "our audio after the hold", func(s jscall.Stats) bool {
		return s.PacketsReceived >= s0.PacketsReceived+50 && s.BytesReceived > s0.BytesReceived
	})
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	t.Logf("browser after the hold: %d more packets, dominant %.1f Hz, audio level %.3f",
		s1.PacketsReceived-s0.PacketsReceived, s1.DominantHz, s1.AudioLevel)
	if err := sa.HangupCall(placed.CallID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := web.WaitHangup(c, placed.CallID); err != nil {
		t.Fatalf("browser: %v", err)
	}
}
