package session_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// In-room SAS started by us in an encrypted DM with a matrix-js-sdk user: the request and our
// later steps are encrypted room events, the SDK accepts, both confirm, and each side then
// trusts the other user.
func TestRoomVerificationStartedByUs(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, roomID := jsPeerWithRoom(t, srv, sa)
	runSyncLoop(t, sa)

	v, err := sa.StartRoomVerification(ctx(t), roomID, id.UserID(js.UserID()))
	if err != nil {
		t.Fatal(err)
	}
	if info := v.Info(); info.RoomID != roomID || info.UserID != id.UserID(js.UserID()) || info.Incoming ||
		info.State != session.VerificationRequested {
		t.Fatalf("after the request: %+v", info)
	}
	if uid, did, err := js.AcceptVerification(ctx(t)); err != nil || uid != sa.Account().UserID.String() || did != sa.Account().DeviceID.String() {
		t.Fatalf("js accept: %s %s %v", uid, did, err)
	}
	finishRoomSAS(t, sa, v, js)
	if info := v.Info(); info.DeviceID != id.DeviceID(js.DeviceID()) {
		t.Fatalf("other device after done: %+v", info)
	}
	// Our request and the steps after it went out encrypted.
	assertEncryptedVerificationEvents(t, sa, roomID, id.EventID(v.ID()))
}

// In-room SAS started by matrix-js-sdk (requestVerificationDM): the request surfaces as a change
// and in PendingVerifications with its room, we accept, both confirm, both trust each other.
func TestRoomVerificationStartedByJS(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, roomID := jsPeerWithRoom(t, srv, sa)
	seq, err := sa.LastSeq(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	sub := sa.Subscribe(seq)
	defer sub.Close()
	runSyncLoop(t, sa)

	txn, err := js.RequestVerificationDM(ctx(t), sa.Account().UserID.String(), roomID.String())
	if err != nil {
		t.Fatal(err)
	}
	var verificationID string
	for verificationID == "" {
		changes, err := sub.Next(ctx(t))
		if err != nil {
			t.Fatalf("no verification change: %v", err)
		}
		for _, c := range changes {
			if c.Kind == session.ChangeVerification {
				verificationID = c.EventID.String()
			}
		}
	}
	pending := sa.PendingVerifications()
	if len(pending) != 1 || pending[0].ID != verificationID || verificationID != txn || pending[0].RoomID != roomID ||
		pending[0].UserID != id.UserID(js.UserID()) || pending[0].DeviceID != id.DeviceID(js.DeviceID()) || !pending[0].Incoming {
		t.Fatalf("pending: %+v, change for %s, js request %s", pending, verificationID, txn)
	}
	v, err := sa.AcceptVerification(ctx(t), verificationID)
	if err != nil {
		t.Fatal(err)
	}
	finishRoomSAS(t, sa, v, js)
	if p := sa.PendingVerifications(); len(p) != 0 {
		t.Fatalf("still pending after done: %+v", p)
	}
}

// An in-room request that becomes readable only later (its room key imported after the event
// was stored) is history: decrypting it again does not make it a pending verification. The
// device that read it live did get it.
func TestRoomVerificationRequestNotReplayedFromHistory(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	sa := alice.login(t)
	sb := newAccount(t, srv, "bob").login(t)
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Prüfung", Encrypted: true})
	mustSync(t, sa)
	mustSync(t, sb)

	v, err := sb.StartRoomVerification(ctx(t), roomID, sa.Account().UserID)
	if err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 30*time.Second, "a live request at alice's first device", func() bool {
		mustSync(t, sa)
		return len(sa.PendingVerifications()) > 0
	})
	if p := sa.PendingVerifications(); p[0].ID != v.ID() || p[0].RoomID != roomID || p[0].UserID != sb.Account().UserID {
		t.Fatalf("pending at the first device: %+v", p)
	}

	// A second device of alice, logged in now, has no key for the request.
	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	sa2 := alice2.login(t)
	mustSync(t, sa2)
	ev, ok, err := sa2.Event(ctx(t), id.EventID(v.ID()))
	if err != nil || !ok || ev.Decrypted {
		t.Fatalf("request at the second device before the key: %+v %v %v", ev, ok, err)
	}
	keys, err := sb.ExportRoomKeys(ctx(t), "pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sa2.ImportRoomKeys(ctx(t), "pass", keys); err != nil {
		t.Fatal(err)
	}
	mustSync(t, sa2)
	ev, ok, err = sa2.Event(ctx(t), id.EventID(v.ID()))
	if err != nil || !ok || !ev.Decrypted || ev.MsgType != "m.key.verification.request" {
		t.Fatalf("request at the second device after the key: %+v %v %v", ev, ok, err)
	}
	if p := sa2.PendingVerifications(); len(p) != 0 {
		t.Fatalf("request replayed from history: %+v", p)
	}
}

// finishRoomSAS compares the emojis of both sides, confirms on both (the SDK first, so that its
// MAC is held until ours: the held-MAC path works in rooms too) and waits until each side trusts
// the other user.
func finishRoomSAS(t *testing.T, sa *session.Session, v *session.Verification, js *jspeer.Peer) {
	t.Helper()
	sameEmojisAsJS(t, v, js)
	if err := js.ConfirmSASNoWait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := v.WaitTheyConfirmed(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := v.ConfirmSAS(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := v.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := js.WaitVerificationDone(ctx(t)); err != nil {
		t.Fatal(err)
	}
	waitMutualUserTrust(t, sa, js)
}

// assertEncryptedVerificationEvents checks that the request and our events referring to it are
// stored encrypted (as the server has them) and that there are several of them.
func assertEncryptedVerificationEvents(t *testing.T, s *session.Session, roomID id.RoomID, request id.EventID) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		hist, err := s.History(c, roomID, 200)
		if err != nil {
			t.Fatal(err)
		}
		var ours []session.TimelineEvent
		for _, e := range hist {
			if e.Sender == s.Account().UserID && (e.EventID == request || e.RelatesTo == request) {
				ours = append(ours, e)
			}
		}
		types := map[string]bool{}
		for _, e := range ours {
			if !e.Encrypted || !e.Decrypted {
				t.Fatalf("our verification event not encrypted: %+v", e)
			}
			types[e.Type] = true
		}
		if types["m.room.message"] && types["m.key.verification.start"] && types["m.key.verification.mac"] && types["m.key.verification.done"] {
			return
		}
		select {
		case <-c.Done():
			t.Fatalf("our verification events in the room: %+v", ours)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Emojis that differ: we cancel the in-room verification, and the SDK sees it cancelled.
func TestRoomVerificationCancelledByUs(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	sa := newAccount(t, srv, "alice").login(t)
	js, roomID := jsPeerWithRoom(t, srv, sa)
	runSyncLoop(t, sa)

	v, err := sa.StartRoomVerification(ctx(t), roomID, id.UserID(js.UserID()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := js.AcceptVerification(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.WaitEmojis(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := js.SASEmojis(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := v.Cancel(ctx(t), true); err != nil {
		t.Fatal(err)
	}
	if info := v.Info(); info.State != session.VerificationCancelled {
		t.Fatalf("after cancelling: %+v", info)
	}
	err = js.WaitVerificationDone(ctx(t))
	if err == nil || !strings.Contains(err.Error(), "cancel") {
		t.Fatalf("js after our cancel: %v", err)
	}
	if st, err := js.UserStatus(ctx(t), sa.Account().UserID.String()); err != nil || st.CrossSigningVerified {
		t.Fatalf("js trusts us after a cancelled verification: %+v %v", st, err)
	}
}

// In-room SAS between two of our accounts, where the verified user has two devices: the one that
// accepts verifies, the other one drops the request as answered elsewhere.
func TestRoomVerificationBetweenOurAccounts(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "alice")
	sa := alice.login(t)
	alice2 := &account{UserID: alice.UserID, Local: alice.Local, Dir: t.TempDir(), srv: srv, log: alice.log}
	sa2 := alice2.login(t)
	sb := newAccount(t, srv, "bob").login(t)
	roomID := sharedRoom(t, sb, sa, session.CreateRoomOptions{Name: "DM", Encrypted: true, Direct: true})
	runSyncLoop(t, sa)
	runSyncLoop(t, sa2)
	runSyncLoop(t, sb)

	vb, err := sb.StartRoomVerification(ctx(t), roomID, sa.Account().UserID)
	if err != nil {
		t.Fatal(err)
	}
	waitPending := func(s *session.Session) {
		t.Helper()
		eventually.True(t, 30*time.Second, "the request at "+string(s.Account().DeviceID), func() bool {
			return len(s.PendingVerifications()) > 0
		})

	}
	waitPending(sa)
	waitPending(sa2)
	va, err := sa.AcceptVerification(ctx(t), vb.ID())
	if err != nil {
		t.Fatal(err)
	}
	ea, err1 := va.WaitEmojis(ctx(t))
	eb, err2 := vb.WaitEmojis(ctx(t))
	if err1 != nil || err2 != nil || len(ea) != 7 || !slices.Equal(ea, eb) {
		t.Fatalf("emojis: %v %v / %v %v", ea, err1, eb, err2)
	}
	var cancelled *session.VerificationCancelledError
	if err := sa2.Verification(vb.ID()).Wait(ctx(t)); !errors.As(err, &cancelled) || cancelled.Code != session.CancelAccepted {
		t.Fatalf("the other device of alice: %v", err)
	}
	for _, v := range []*session.Verification{va, vb} {
		if err := v.ConfirmSAS(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []*session.Verification{va, vb} {
		if err := v.Wait(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	waitUserVerified(t, sa, sb.Account().UserID)
	waitUserVerified(t, sb, sa.Account().UserID)
}
