package session_test

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

// turnServer is a pion TURN server on 127.0.0.1 (UDP) that takes the TURN REST API credentials
// a homeserver hands out from the shared secret, and counts what it relays.
type turnServer struct {
	uri         string
	allocations atomic.Int64 // allocations made
	packetsIn   atomic.Int64 // packets received from clients on the listener (requests, data)
}

type countingConn struct {
	net.PacketConn
	n *atomic.Int64
}

func (c countingConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(p)
	if err == nil {
		c.n.Add(1)
	}
	return n, addr, err
}

func startTURN(t *testing.T, secret string) *turnServer {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &turnServer{uri: "turn:" + pc.LocalAddr().String() + "?transport=udp"}
	logs := logging.NewDefaultLoggerFactory()
	logs.DefaultLogLevel = logging.LogLevelDisabled
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:         "bos.test",
		LoggerFactory: logs,
		AuthHandler:   turn.LongTermTURNRESTAuthHandler(secret, logs.NewLogger("turn")),
		EventHandler: turn.EventHandler{
			OnAllocationCreated: func(_, _ net.Addr, _, _, _ string, _ net.Addr, _ int) { ts.allocations.Add(1) },
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: countingConn{PacketConn: pc, n: &ts.packetsIn},
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
				RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1",
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return ts
}

// TestCallTURNRelay: the homeserver offers a TURN server (a pion TURN server on loopback, with
// Dendrite's turn_uris and turn_shared_secret), both sides of a call fetch credentials from
// /voip/turnServer and use only relay candidates (CallMediaOptions.RelayOnly): the call connects
// through the relay (the TURN server made allocations and relayed the audio) and each side
// hears the other's tone. A relay-only call on a homeserver without TURN fails with
// ErrNoTURNServer.
func TestCallTURNRelay(t *testing.T) {
	t.Setenv(session.CallLoopbackEnv, "1")
	const secret = "turn-test-secret"
	ts := startTURN(t, secret)
	srv := testserver.Start(t, testserver.Options{TURN: &testserver.TURN{URIs: []string{ts.uri}, SharedSecret: secret}})
	disp, unit := newAccount(t, srv, "disp"), newAccount(t, srv, "unit")
	sa, sb := disp.login(t), unit.login(t)
	runCallSync(t, sa)
	runCallSync(t, sb)
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "TURN", Invite: []id.UserID{sb.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	joinEventually(t, sb, roomID)
	waitJoined(t, sa, roomID, 2)

	heardA, heardB := callmedia.NewToneDetector(), callmedia.NewToneDetector()
	placed, err := sa.PlaceCall(ctx(t), roomID, session.CallMediaOptions{Source: callmedia.NewTone(440), Sink: heardA, RelayOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	in := waitCall(t, sb, "ringing", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateRinging })
	if err := sb.AnswerCall(ctx(t), in.CallID, session.CallMediaOptions{Source: callmedia.NewTone(880), Sink: heardB, RelayOnly: true}); err != nil {
		t.Fatal(err)
	}
	waitCall(t, sa, "connected", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateConnected })
	waitCall(t, sb, "connected", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateConnected })
	waitTone(t, heardA, 880, "caller")
	waitTone(t, heardB, 440, "callee")
	var st callmedia.Stats
	eventually.True(t, 30*time.Second, "100 RTP packets at the caller", func() bool {
		st, _ = sa.CallStats(placed.CallID)
		return st.RTPPacketsIn >= 100
	})
	if n := ts.allocations.Load(); n < 2 {
		t.Fatalf("TURN server saw %d allocations, want one per side", n)
	}
	// Every audio packet either side received came through the TURN server's listener.
	if n := ts.packetsIn.Load(); n < int64(st.RTPPacketsIn) {
		t.Fatalf("TURN server received %d packets, fewer than the %d RTP packets the caller got", n, st.RTPPacketsIn)
	}
	t.Logf("relayed call: %d allocations, %d packets into the TURN server, caller got %d RTP packets",
		ts.allocations.Load(), ts.packetsIn.Load(), st.RTPPacketsIn)
	if err := sa.HangupCall(placed.CallID, ""); err != nil {
		t.Fatal(err)
	}
	waitCall(t, sb, "hangup", func(c session.CallInfo) bool { return c.CallID == placed.CallID && c.State == call.StateEnded })

	t.Run("no TURN server", func(t *testing.T) {
		shared := testserver.Shared(t)
		x, y := newAccount(t, shared, "relayx"), newAccount(t, shared, "relayy")
		sx, sy := x.login(t), y.login(t)
		roomID, err := sx.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "ohne TURN", Invite: []id.UserID{sy.Account().UserID}})
		if err != nil {
			t.Fatal(err)
		}
		joinEventually(t, sy, roomID)
		waitJoined(t, sx, roomID, 2)
		_, err = sx.PlaceCall(ctx(t), roomID, session.CallMediaOptions{RelayOnly: true})
		if !errors.Is(err, session.ErrNoTURNServer) {
			t.Fatalf("relay-only call without TURN: %v, want ErrNoTURNServer", err)
		}
	})
}
