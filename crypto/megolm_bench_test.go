package crypto_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/crypto"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/store"
)

// benchEncryption is the m.room.encryption content of the benchmark room: the default rotation
// (100 messages) would make every stack start a new session mid-run, so both benchmark one session.
var benchEncryption = json.RawMessage(`{"algorithm":"m.megolm.v1.aes-sha2","rotation_period_msgs":10000000,"rotation_period_ms":604800000}`)

// megolmBench is a sender and a receiver machine sharing one megolm session of a room.
type megolmBench struct {
	roomID           id.RoomID
	sender, receiver *crypto.Machine
	seq              atomic.Int64
	known            map[id.SessionID]bool // sessions the receiver has
}

// newMegolmBench sets up the two machines (against a stub server: no network is part of the
// measurement). The sender's room state carries benchEncryption; the receiver gets the sessions
// through a key export/import (outside the timed loops).
func newMegolmBench(b testing.TB, roomID id.RoomID) *megolmBench {
	b.Helper()
	ctx := context.Background()
	hs := stubHomeserver(b)
	sender, db := stubMachineDB(b, hs, "@sender:stub.local", "SENDERDEV")
	receiver := stubMachine(b, hs, "@receiver:stub.local", "RECEIVERDEV")
	err := db.Tx(ctx, func(tx *store.Tx) error {
		room, err := tx.RoomOrNew(roomID.String(), "join")
		if err != nil {
			return err
		}
		room.Encryption = string(id.AlgorithmMegolmV1)
		if err := tx.SaveRoom(room); err != nil {
			return err
		}
		empty := ""
		rowID, _, err := tx.PutEvent(&store.Event{RoomID: roomID.String(), EventID: "$encryption:stub.local", Sender: "@sender:stub.local",
			Type: "m.room.encryption", StateKey: &empty, TS: 1, Content: benchEncryption})
		if err != nil {
			return err
		}
		return tx.SetState(roomID.String(), "m.room.encryption", "", rowID)
	})
	if err != nil {
		b.Fatal(err)
	}
	mb := &megolmBench{roomID: roomID, sender: sender, receiver: receiver, known: map[id.SessionID]bool{}}
	mb.encrypt(b, 1)
	return mb
}

// shareKeys gives the receiver the sender's sessions (export and import of a key file).
func (mb *megolmBench) shareKeys(b testing.TB) {
	ctx := context.Background()
	keys, err := mb.sender.ExportRoomKeys(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := mb.receiver.ImportRoomKeys(ctx, "bench", keys); err != nil {
		b.Fatalf("import room keys: %v", err)
	}
}

// encrypt encrypts n message events and returns them as timeline events (unique event IDs, so
// the receiver's replay check sees n distinct events).
func (mb *megolmBench) encrypt(b testing.TB, n int) (events []json.RawMessage, elapsed time.Duration) {
	ctx := context.Background()
	contents := make([]json.RawMessage, n)
	for i := range contents {
		contents[i] = json.RawMessage(fmt.Sprintf(`{"msgtype":"m.text","body":"bench %d"}`, i))
	}
	encrypted := make([]json.RawMessage, n)
	start := time.Now()
	for i := range n {
		enc, err := mb.sender.Encrypt(ctx, mb.roomID, "m.room.message", contents[i], noMembers)
		if err != nil {
			b.Fatal(err)
		}
		encrypted[i] = enc
	}
	elapsed = time.Since(start)
	// Both stacks rotate a session after at most 10000 messages: hand new sessions to the receiver.
	rotated := false
	for _, enc := range encrypted {
		var c struct {
			SessionID id.SessionID `json:"session_id"`
		}
		if err := json.Unmarshal(enc, &c); err != nil {
			b.Fatal(err)
		}
		if !mb.known[c.SessionID] {
			mb.known[c.SessionID], rotated = true, true
		}
	}
	if rotated {
		mb.shareKeys(b)
	}
	events = make([]json.RawMessage, n)
	for i, enc := range encrypted {
		events[i] = timelineEvent(enc, "@sender:stub.local", int(mb.seq.Add(1)))
	}
	return events, elapsed
}

// decrypt decrypts the events on the receiver and checks each.
func (mb *megolmBench) decrypt(b testing.TB, events []json.RawMessage) time.Duration {
	ctx := context.Background()
	out := make([]crypto.Decrypted, len(events))
	start := time.Now()
	for i, raw := range events {
		out[i] = mb.receiver.Decrypt(ctx, mb.roomID, raw)
	}
	elapsed := time.Since(start)
	for i, d := range out {
		if d.Error != "" {
			b.Fatalf("event %d: %s", i, d.Error)
		}
	}
	return elapsed
}

func perSec(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// BenchmarkMegolm measures our stack alone (crypto.Machine over mautrix's goolm): b.N events
// encrypted by one machine with an established outbound session, decrypted by a second machine.
//
//	go test -tags goolm -run '^$' -bench 'BenchmarkMegolm$' ./crypto
func BenchmarkMegolm(b *testing.B) {
	mb := newMegolmBench(b, "!bench:stub.local")
	b.Run("encrypt", func(b *testing.B) {
		_, d := mb.encrypt(b, b.N)
		b.ReportMetric(perSec(b.N, d), "events/s")
	})
	// Decryption gets slower the further a session has advanced (mautrix's ratchet bookkeeping grows
	// with the message index, see docs/PERFORMANCE.md), so every 1000 events start a fresh session
	// on a fresh pair of machines, like the JS side: this measures messages 1 to 1000 of a session.
	b.Run("decrypt", func(b *testing.B) {
		var total time.Duration
		for done := 0; done < b.N; {
			n := min(b.N-done, 1000)
			b.StopTimer()
			mb := newMegolmBench(b, "!bench:stub.local")
			events, _ := mb.encrypt(b, n)
			b.StartTimer()
			total += mb.decrypt(b, events)
			done += n
		}
		b.ReportMetric(perSec(b.N, total), "events/s")
	})
}

// BenchmarkMegolmVsJS measures our stack and matrix-js-sdk's Rust crypto in the same run on the
// same encrypted room of a real Dendrite (created with benchEncryption, joined by the JS peer),
// each encrypting and decrypting megolmVsJSEvents events per iteration, and reports both and the
// ratio ours/theirs. Each iteration starts a fresh megolm session on both sides, so the figures are
// for messages 1 to n of a session. Needs Node (the JS peer). MEGOLM_BENCH_N (1 to 9999) overrides
// the event count.
//
//	go test -tags goolm -run '^$' -bench BenchmarkMegolmVsJS -benchtime 3x ./crypto
func BenchmarkMegolmVsJS(b *testing.B) {
	n := 1000
	if v := os.Getenv("MEGOLM_BENCH_N"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil || n <= 0 || n >= 10000 {
			b.Fatalf("MEGOLM_BENCH_N=%q", v)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv := testserver.Start(b, testserver.Options{})
	const password = "bench-password-1"
	owner := srv.Register(b, "benchowner", password)
	srv.Register(b, "benchjs", password)
	cli, err := mautrix.NewClient(srv.URL, "", "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cli.Login(ctx, &mautrix.ReqLogin{Type: mautrix.AuthTypePassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "benchowner"},
		Password:   password, StoreCredentials: true}); err != nil {
		b.Fatal(err)
	}
	js := jspeer.Start(b, srv.URL)
	jsUser, _, err := js.Login(ctx, "benchjs", password)
	if err != nil {
		b.Fatal(err)
	}
	var enc map[string]any
	_ = json.Unmarshal(benchEncryption, &enc)
	created, err := cli.CreateRoom(ctx, &mautrix.ReqCreateRoom{Name: "Megolm bench", Preset: "private_chat",
		Invite:       []id.UserID{id.UserID(jsUser)},
		InitialState: []*event.Event{{Type: event.StateEncryption, StateKey: new(string), Content: event.Content{Raw: enc}}}})
	if err != nil {
		b.Fatal(err)
	}
	roomID := created.RoomID
	if _, err := js.Join(ctx, roomID.String()); err != nil {
		b.Fatal(err)
	}
	b.Logf("room %s of %s, joined by matrix-js-sdk %s (%s); %d events per iteration", roomID, owner, js.SDKVersion(), jsUser, n)
	var goEnc, goDec, jsEnc, jsDec float64
	b.ResetTimer()
	for range b.N {
		// A fresh session per iteration on both sides (the JS side discards its session per call).
		mb := newMegolmBench(b, roomID)
		events, d := mb.encrypt(b, n)
		goEnc += perSec(n, d)
		goDec += perSec(n, mb.decrypt(b, events))
		e, d2, err := js.BenchMegolm(ctx, roomID.String(), n)
		if err != nil {
			b.Fatal(err)
		}
		jsEnc += e
		jsDec += d2
	}
	k := float64(b.N)
	b.ReportMetric(goEnc/k, "go-enc-events/s")
	b.ReportMetric(goDec/k, "go-dec-events/s")
	b.ReportMetric(jsEnc/k, "js-enc-events/s")
	b.ReportMetric(jsDec/k, "js-dec-events/s")
	b.ReportMetric(goEnc/jsEnc, "enc-ratio-go/js")
	b.ReportMetric(goDec/jsDec, "dec-ratio-go/js")
	b.ReportMetric(0, "ns/op")
}
