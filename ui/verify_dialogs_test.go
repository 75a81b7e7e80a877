package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// The spec's 64 SAS emoji names (data-definitions/sas-emoji.json), in table order.
var specEmojiNames = []string{"Dog", "Cat", "Lion", "Horse", "Unicorn", "Pig", "Elephant", "Rabbit", "Panda", "Rooster",
	"Penguin", "Turtle", "Fish", "Octopus", "Butterfly", "Flower", "Tree", "Cactus", "Mushroom", "Globe", "Moon", "Cloud",
	"Fire", "Banana", "Apple", "Strawberry", "Corn", "Pizza", "Cake", "Heart", "Smiley", "Robot", "Hat", "Glasses",
	"Spanner", "Santa", "Thumbs Up", "Umbrella", "Hourglass", "Clock", "Gift", "Light Bulb", "Book", "Pencil", "Paperclip",
	"Scissors", "Lock", "Key", "Hammer", "Telephone", "Flag", "Train", "Bicycle", "Aeroplane", "Rocket", "Trophy", "Ball",
	"Guitar", "Trumpet", "Bell", "Anchor", "Headphones", "Folder", "Pin"}

func TestEmojiNamesTranslated(t *testing.T) {
	defer SetLang(Lang())
	if len(sasEmojiKeys) != 64 {
		t.Fatalf("%d emoji keys, want 64", len(sasEmojiKeys))
	}
	seen := map[string]bool{}
	for _, name := range specEmojiNames {
		SetLang("en")
		if got := EmojiName(session.Emoji{Name: name}); got != name {
			t.Errorf("English %q: %q", name, got)
		}
		SetLang("de")
		de := EmojiName(session.Emoji{Name: name})
		if de == "" || strings.HasPrefix(de, "verify.") || seen[de] {
			t.Errorf("German %q: %q (duplicate %v)", name, de, seen[de])
		}
		seen[de] = true
	}
	SetLang("de")
	for en, de := range map[string]string{"Dog": "Hund", "Thumbs Up": "Daumen Hoch", "Spanner": "Schraubenschlüssel", "Pin": "Stecknadel", "Smiley": "Lächeln"} {
		if got := EmojiName(session.Emoji{Name: en}); got != de {
			t.Errorf("%s: %q, want the spec's %q", en, got, de)
		}
	}
	if got := EmojiName(session.Emoji{Name: "Teapot"}); got != "Teapot" {
		t.Errorf("unknown emoji: %q", got)
	}
	// The code decides, never the text (a reason text naming another code changes nothing).
	for _, c := range []struct {
		code   session.VerificationCancelCode
		reason string
		key    string
	}{
		{session.CancelUser, "cancelled by the user", "verify.cancel.user"},
		{session.CancelTimeout, "m.timeout: too slow", "verify.cancel.timeout"},
		{session.CancelSASMismatch, "the emojis did not match", "verify.cancel.mismatch"},
		{session.CancelKeyMismatch, "m.key_mismatch: keys", "verify.cancel.key_mismatch"},
		{session.CancelUserMismatch, "m.user_mismatch: user", "verify.cancel.key_mismatch"},
		{session.CancelAccepted, "m.accepted: other device", "verify.cancel.accepted_elsewhere"},
		{"", "", "verify.cancel.unknown"},
		{session.CancelUnexpectedMessage, "m.unexpected_message: huh?", "verify.cancel.protocol"},
		{"com.example.odd", "m.user: odd", "verify.cancel.other"},
	} {
		want := T(c.key)
		if c.key == "verify.cancel.protocol" || c.key == "verify.cancel.other" {
			want = T(c.key, c.reason)
		}
		if got := cancelReasonText(c.code, c.reason); got != want {
			t.Errorf("%q %q: %q, want %q", c.code, c.reason, got, want)
		}
	}
}

// waitVerifyState runs UI work until the view shows state.
func waitVerifyState(t *testing.T, q *uiQueue, vv **verifyView, state e2ee.VerificationState) {
	t.Helper()
	q.until(t, "verification "+string(state), func() bool {
		if *vv == nil {
			return false
		}
		if (*vv).info.State == session.VerificationCancelled && state != session.VerificationCancelled {
			t.Fatalf("verification cancelled: %s", (*vv).info.CancelReason)
		}
		return (*vv).info.State == state
	})
}

// checkEmojisShown compares the view's emojis with the other side's and checks that each shows
// with its German name in the top dialog.
func checkEmojisShown(t *testing.T, vv *verifyView, other []session.Emoji) {
	t.Helper()
	if len(vv.info.Emojis) != 7 || len(other) != 7 {
		t.Fatalf("emojis: ours %v, theirs %v", vv.info.Emojis, other)
	}
	for i, e := range other {
		if vv.info.Emojis[i] != e {
			t.Fatalf("emoji %d: ours %v, theirs %v", i, vv.info.Emojis[i], e)
		}
		if !dlgHasLabel(vv.content, EmojiName(e)) {
			t.Fatalf("emoji name %q not shown; labels %q", EmojiName(e), dlgLabels(vv.content))
		}
	}
	t.Logf("SAS: %v", other)
}

// The members dialog lists the real members with their roles and trust, and its "Verify" button
// runs SAS with another account to the end (the other side driven through the session API).
func TestMembersDialogAndOutgoingVerification(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	leit, thw, fw := newFlowUser(t, srv, "leitstelle"), newFlowUser(t, srv, "thw"), newFlowUser(t, srv, "feuerwehr")
	sa, sb := leit.login(t), thw.login(t)
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("DLG_DEBUG") != "" {
			for _, u := range []*flowUser{leit, thw} {
				data, _ := os.ReadFile(filepath.Join(u.Dir, "log", "test.log"))
				for _, l := range strings.Split(string(data), "\n") {
					if strings.Contains(l, "erif") || strings.Contains(l, "SAS") || strings.Contains(l, "MAC") || strings.Contains(l, "cancel") {
						t.Logf("%s: %s", u.Local, l)
					}
				}
			}
		}
	})
	room, err := sa.CreateRoom(ctx, session.CreateRoomOptions{Name: "Lage", Encrypted: true, Invite: []id.UserID{id.UserID(thw.ID), id.UserID(fw.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Join(ctx, room.String()); err != nil {
		t.Fatal(err)
	}
	dlgSetPowerLevels(t, srv.URL, leit.Local, flowPassword, room, map[id.UserID]int{id.UserID(leit.ID): 100, id.UserID(thw.ID): 50})
	syncUntil(t, sa, "power levels and members", func() bool {
		rows, err := loadMemberRows(ctx, sa, room)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.UserID == id.UserID(thw.ID) {
				return r.PowerLevel == 50 && r.Membership == "join"
			}
		}
		return false
	})
	dlgRunSync(t, sa)
	dlgRunSync(t, sb)

	w := dlgWindow(t)
	mv := newMembersView(ctx, w, sa, room)
	loads := 0
	mv.onLoaded = func() { loads++ }
	var vv *verifyView
	mv.onVerify = func(v *verifyView) { vv = v }
	mv.dlg.Show()
	mv.reload()
	q.until(t, "members and their trust", func() bool { return loads >= 2 })
	byID := map[id.UserID]memberRow{}
	for _, r := range mv.all {
		byID[r.UserID] = r
	}
	if r := byID[id.UserID(leit.ID)]; r.PowerLevel != 100 || r.Membership != "join" || r.Trust != trustVerified {
		t.Errorf("own row: %+v", r)
	}
	if r := byID[id.UserID(thw.ID)]; r.PowerLevel != 50 || r.Membership != "join" || r.Trust != trustUnverified {
		t.Errorf("THW row: %+v", r)
	}
	if r := byID[id.UserID(fw.ID)]; r.Membership != "invite" {
		t.Errorf("invited row: %+v", r)
	}
	if len(mv.all) != 3 || mv.all[0].UserID != id.UserID(leit.ID) || mv.all[2].UserID != id.UserID(fw.ID) {
		t.Errorf("order: %+v", mv.all)
	}
	top := dlgTop(w)
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, w, "members")
	}
	for _, want := range []string{"Administrator", "Moderator", "eingeladen", "verifiziert", "nicht verifiziert", thw.ID, "2 Mitglieder, 1 eingeladen"} {
		if !dlgHasLabel(top, want) {
			t.Errorf("label %q missing; labels %q", want, dlgLabels(top))
		}
	}
	test.Type(mv.find, "thw")
	if len(mv.shown) != 1 || mv.shown[0].UserID != id.UserID(thw.ID) {
		t.Errorf("filter: %+v", mv.shown)
	}
	mv.find.SetText("")

	// Verify THW: our dialog waits, THW accepts, both see the same emojis, both confirm.
	test.Tap(dlgButton(t, top, "Verifizieren"))
	q.until(t, "the verification dialog", func() bool { return vv != nil })
	if !dlgHasLabel(vv.content, T("verify.state.requested")) {
		t.Errorf("waiting state: %q", dlgLabels(vv.content))
	}
	vb := acceptAtPeer(t, q, sb, &vv)
	// The emojis differ (say the users): both sides end cancelled with the mismatch.
	test.Tap(dlgButton(t, dlgTop(w), "Stimmen nicht überein"))
	waitVerifyState(t, q, &vv, session.VerificationCancelled)
	if want := T("verify.state.cancelled", T("verify.cancel.mismatch")); vv.status.Text != want || !vv.closeBtn.Visible() {
		t.Errorf("status %q, want %q", vv.status.Text, want)
	}
	if err := vb.Wait(ctx); err == nil || vb.Info().CancelCode != session.CancelSASMismatch {
		t.Errorf("THW after the mismatch: %v %+v", err, vb.Info())
	}
	test.Tap(vv.closeBtn)
}

// SAS with another account, confirmed on both sides, ends verified on both. Both confirm at about
// the same time (the side that confirms after the other side's MAC arrived used to fail inside
// mautrix with "master keys do not match"; the crypto layer holds that MAC back until we confirm).
func TestCrossUserVerificationCompletes(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	leit, thw := newFlowUser(t, srv, "leitstelle"), newFlowUser(t, srv, "thw")
	sa, sb := leit.login(t), thw.login(t)
	room, err := sa.CreateRoom(ctx, session.CreateRoomOptions{Name: "Lage", Encrypted: true, Invite: []id.UserID{id.UserID(thw.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Join(ctx, room.String()); err != nil {
		t.Fatal(err)
	}
	dlgRunSync(t, sa)
	dlgRunSync(t, sb)
	w := dlgWindow(t)
	var vv *verifyView
	startVerification(ctx, w, sa, id.UserID(thw.ID), "", func(v *verifyView) { vv = v })
	vb := acceptAtPeer(t, q, sb, &vv)
	done := make(chan error, 1)
	go func() {
		if err := vb.ConfirmSAS(ctx); err != nil {
			done <- err
			return
		}
		done <- vb.Wait(ctx)
	}()
	test.Tap(dlgButton(t, dlgTop(w), "Stimmen überein"))
	q.until(t, "the end of the verification", func() bool { return vv.info.Finished() })
	errB := <-done
	time.Sleep(200 * time.Millisecond)
	q.drain()
	var failure string // the error dialog of a failed confirmation, if any
	for _, o := range w.Canvas().Overlays().List() {
		for _, l := range dlgLabels(o) {
			if strings.HasPrefix(l, "Details:") {
				failure += l
			}
		}
	}
	if failure != "" || vv.info.State != session.VerificationDone || errB != nil {
		t.Fatalf("ours: %q %+v; THW: %v", failure, vv.info, errB)
	}
	if !strings.HasPrefix(vv.status.Text, "Verifizierung abgeschlossen.") {
		t.Errorf("done state: %q", vv.status.Text)
	}
}

// WatchVerifications prompts for an incoming request from another own device, closes the prompt
// when the request is withdrawn, and after "accept" runs SAS to the end in the dialog.
func TestIncomingVerificationPrompt(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	d := newWatchedDevices(t, srv)
	first, second, w := d.first, d.second, d.w

	// A request that is withdrawn: its prompt closes by itself.
	v0, err := second.StartVerification(ctx, first.Account().UserID, first.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "the first prompt", func() bool { return d.prompt.ID == v0.ID() })
	if want := T("verify.incoming.own", second.Account().DeviceID); !dlgHasLabel(dlgTop(w), want) {
		t.Fatalf("prompt: %q, want %q", dlgLabels(dlgTop(w)), want)
	}
	if err := v0.Cancel(ctx, false); err != nil {
		t.Fatal(err)
	}
	q.until(t, "the withdrawn prompt to close", func() bool { return len(d.vw.prompts) == 0 && dlgTop(w) == nil })

	// A request that is accepted.
	v2, err := second.StartVerification(ctx, first.Account().UserID, first.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "the second prompt", func() bool { return d.prompt.ID == v2.ID() })
	test.Tap(dlgButton(t, dlgTop(w), "Annehmen"))
	q.until(t, "the verification dialog", func() bool { return d.vv != nil })
	theirs, err := v2.WaitEmojis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitVerifyState(t, q, &d.vv, session.VerificationSAS)
	checkEmojisShown(t, d.vv, theirs)
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, w, "verify")
	}
	if !dlgHasLabel(d.vv.content, T("verify.peer.own_device", second.Account().DeviceID)) {
		t.Errorf("peer: %q", dlgLabels(d.vv.content))
	}
	confirmed := false
	d.vv.onConfirmed = func() { confirmed = true }
	test.Tap(dlgButton(t, dlgTop(w), "Stimmen überein"))
	if d.vv.status.Text != T("verify.state.waiting_other") || d.vv.match.Visible() {
		t.Errorf("after confirming: %q", d.vv.status.Text)
	}
	q.until(t, "our confirmation sent", func() bool { return confirmed })
	time.Sleep(1500 * time.Millisecond) // our MAC arrives before the other side confirms (see above)
	done := make(chan error, 1)
	go func() {
		if err := v2.ConfirmSAS(ctx); err != nil {
			done <- err
			return
		}
		done <- v2.Wait(ctx)
	}()
	waitVerifyState(t, q, &d.vv, session.VerificationDone)
	if err := <-done; err != nil {
		t.Fatalf("second device: %v", err)
	}
	eventually.NoError(t, 30*time.Second, func() error {
		if ok, err := second.OwnDeviceVerified(ctx); err != nil || !ok {
			return fmt.Errorf("second device not verified after SAS: %v %v", ok, err)
		}
		return nil
	})
}

// Declining a prompt cancels the request on the other side; "no match" cancels with a mismatch.
func TestVerificationDeclineAndMismatch(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	ctx := testCtx(t)
	d := newWatchedDevices(t, srv)
	first, second, w := d.first, d.second, d.w

	v1, err := second.StartVerification(ctx, first.Account().UserID, first.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "the prompt", func() bool { return d.prompt.ID == v1.ID() })
	test.Tap(dlgButton(t, dlgTop(w), "Ablehnen"))
	if err := v1.Wait(ctx); err == nil || v1.Info().State != session.VerificationCancelled {
		t.Fatalf("declined request at the other side: %v, %+v", err, v1.Info())
	}

	v2, err := second.StartVerification(ctx, first.Account().UserID, first.Account().DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	q.until(t, "the second prompt", func() bool { return d.prompt.ID == v2.ID() })
	test.Tap(dlgButton(t, dlgTop(w), "Annehmen"))
	waitVerifyState(t, q, &d.vv, session.VerificationSAS)
	test.Tap(dlgButton(t, dlgTop(w), "Stimmen nicht überein"))
	waitVerifyState(t, q, &d.vv, session.VerificationCancelled)
	if want := T("verify.state.cancelled", T("verify.cancel.mismatch")); d.vv.status.Text != want {
		t.Errorf("status %q, want %q", d.vv.status.Text, want)
	}
	if err := v2.Wait(ctx); err == nil || v2.Info().CancelCode != session.CancelSASMismatch {
		t.Errorf("other side after mismatch: %v %+v", err, v2.Info())
	}
}

// watchedDevices is one account with two devices; the first runs the incoming-verification watcher
// (prompt and dialog) in a test window. prompt and vv are set on the UI goroutine.
type watchedDevices struct {
	first, second *session.Session
	w             fyne.Window
	vw            *verifyWatcher
	prompt        session.VerificationInfo
	vv            *verifyView
}

func newWatchedDevices(t *testing.T, srv *testserver.Server) *watchedDevices {
	t.Helper()
	alice := newFlowUser(t, srv, "alice")
	d := &watchedDevices{first: alice.login(t)}
	d.second = (&flowUser{Local: alice.Local, ID: alice.ID, Dir: t.TempDir(), srv: srv}).login(t)
	dlgRunSync(t, d.first)
	dlgRunSync(t, d.second)
	d.w = dlgWindow(t)
	wctx, cancel := context.WithCancel(testCtx(t))
	d.vw = newVerifyWatcher(wctx, d.w, d.first)
	d.vw.onPrompt = func(info session.VerificationInfo, _ dialog.Dialog) { d.prompt = info }
	d.vw.onView = func(v *verifyView) { d.vv = v }
	stopped := make(chan error, 1)
	go func() { stopped <- d.vw.run() }()
	t.Cleanup(func() { cancel(); <-stopped })
	return d
}

// acceptAtPeer accepts the dialog's request at the other session once it arrives and waits until
// the dialog shows the same emojis as that side; it returns the peer's verification.
func acceptAtPeer(t *testing.T, q *uiQueue, peer *session.Session, vv **verifyView) *session.Verification {
	t.Helper()
	ctx := testCtx(t)
	var vb *session.Verification
	q.until(t, "the request at the peer", func() bool {
		p := peer.PendingVerifications()
		if len(p) == 0 {
			return false
		}
		var err error
		if vb, err = peer.AcceptVerification(ctx, p[0].ID); err != nil {
			t.Fatal(err)
		}
		return true
	})
	theirs, err := vb.WaitEmojis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitVerifyState(t, q, vv, session.VerificationSAS)
	checkEmojisShown(t, *vv, theirs)
	return vb
}
