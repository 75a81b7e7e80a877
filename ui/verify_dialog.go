package ui

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// sasEmojiKeys maps the spec's English SAS emoji names (as the engine reports them) to their
// message keys. The German names are the official ones from the matrix-spec repository
// (data-definitions/sas-emoji.json), so they match what other Matrix clients show.
var sasEmojiKeys = map[string]string{
	"Dog": tkey("verify.emoji.dog"), "Cat": tkey("verify.emoji.cat"), "Lion": tkey("verify.emoji.lion"),
	"Horse": tkey("verify.emoji.horse"), "Unicorn": tkey("verify.emoji.unicorn"), "Pig": tkey("verify.emoji.pig"),
	"Elephant": tkey("verify.emoji.elephant"), "Rabbit": tkey("verify.emoji.rabbit"), "Panda": tkey("verify.emoji.panda"),
	"Rooster": tkey("verify.emoji.rooster"), "Penguin": tkey("verify.emoji.penguin"), "Turtle": tkey("verify.emoji.turtle"),
	"Fish": tkey("verify.emoji.fish"), "Octopus": tkey("verify.emoji.octopus"), "Butterfly": tkey("verify.emoji.butterfly"),
	"Flower": tkey("verify.emoji.flower"), "Tree": tkey("verify.emoji.tree"), "Cactus": tkey("verify.emoji.cactus"),
	"Mushroom": tkey("verify.emoji.mushroom"), "Globe": tkey("verify.emoji.globe"), "Moon": tkey("verify.emoji.moon"),
	"Cloud": tkey("verify.emoji.cloud"), "Fire": tkey("verify.emoji.fire"), "Banana": tkey("verify.emoji.banana"),
	"Apple": tkey("verify.emoji.apple"), "Strawberry": tkey("verify.emoji.strawberry"), "Corn": tkey("verify.emoji.corn"),
	"Pizza": tkey("verify.emoji.pizza"), "Cake": tkey("verify.emoji.cake"), "Heart": tkey("verify.emoji.heart"),
	"Smiley": tkey("verify.emoji.smiley"), "Robot": tkey("verify.emoji.robot"), "Hat": tkey("verify.emoji.hat"),
	"Glasses": tkey("verify.emoji.glasses"), "Spanner": tkey("verify.emoji.spanner"), "Santa": tkey("verify.emoji.santa"),
	"Thumbs Up": tkey("verify.emoji.thumbs_up"), "Umbrella": tkey("verify.emoji.umbrella"), "Hourglass": tkey("verify.emoji.hourglass"),
	"Clock": tkey("verify.emoji.clock"), "Gift": tkey("verify.emoji.gift"), "Light Bulb": tkey("verify.emoji.light_bulb"),
	"Book": tkey("verify.emoji.book"), "Pencil": tkey("verify.emoji.pencil"), "Paperclip": tkey("verify.emoji.paperclip"),
	"Scissors": tkey("verify.emoji.scissors"), "Lock": tkey("verify.emoji.lock"), "Key": tkey("verify.emoji.key"),
	"Hammer": tkey("verify.emoji.hammer"), "Telephone": tkey("verify.emoji.telephone"), "Flag": tkey("verify.emoji.flag"),
	"Train": tkey("verify.emoji.train"), "Bicycle": tkey("verify.emoji.bicycle"), "Aeroplane": tkey("verify.emoji.aeroplane"),
	"Rocket": tkey("verify.emoji.rocket"), "Trophy": tkey("verify.emoji.trophy"), "Ball": tkey("verify.emoji.ball"),
	"Guitar": tkey("verify.emoji.guitar"), "Trumpet": tkey("verify.emoji.trumpet"), "Bell": tkey("verify.emoji.bell"),
	"Anchor": tkey("verify.emoji.anchor"), "Headphones": tkey("verify.emoji.headphones"), "Folder": tkey("verify.emoji.folder"),
	"Pin": tkey("verify.emoji.pin"),
}

// EmojiName is a SAS emoji's name in the UI language (the spec's English name if unknown).
func EmojiName(e session.Emoji) string {
	if k, ok := sasEmojiKeys[e.Name]; ok {
		return T(k)
	}
	return e.Name
}

// cancelReasonText explains why a verification was cancelled, by its cancel code (the engine's
// typed value, whichever side cancelled); the reason text only fills the generic sentences.
func cancelReasonText(code session.VerificationCancelCode, reason string) string {
	switch code {
	case session.CancelUser:
		return T("verify.cancel.user")
	case session.CancelTimeout:
		return T("verify.cancel.timeout")
	case session.CancelSASMismatch:
		return T("verify.cancel.mismatch")
	case session.CancelKeyMismatch, session.CancelUserMismatch:
		return T("verify.cancel.key_mismatch")
	case session.CancelAccepted:
		return T("verify.cancel.accepted_elsewhere")
	case session.CancelUnknownMethod, session.CancelUnknownTxn, session.CancelUnexpectedMessage, session.CancelInvalidMessage:
		return T("verify.cancel.protocol", reason)
	}
	if code == "" && reason == "" {
		return T("verify.cancel.unknown")
	}
	return T("verify.cancel.other", reason)
}

// verifyView is the SAS dialog of one verification. Its widgets are touched on the UI goroutine
// only; follow runs on its own goroutine and hands every new state over with fyne.Do.
type verifyView struct {
	ctx    context.Context
	cancel context.CancelFunc
	s      Engine
	v      *session.Verification
	w      fyne.Window

	title                *widget.Label
	status               *widget.Label
	emojis               *fyne.Container
	progress             *widget.ProgressBarInfinite
	match, noMatch, stop *widget.Button
	closeBtn             *widget.Button
	startSAS             *widget.Button    // for an accepted request whose requester waits for our choice
	content              fyne.CanvasObject // the dialog's content (without the buttons)
	dlg                  *dialog.CustomDialog

	info      session.VerificationInfo // last rendered
	confirmed bool                     // we pressed "match"
	finished  bool
	qr        *fyne.Container // the QR code to scan, when the other device can
	qrYes     *widget.Button  // "it shows a check mark" after the other device scanned it

	onUpdate    func(session.VerificationInfo) // tests: after each rendered state (UI goroutine)
	onConfirmed func()                         // tests: after our confirmation went out (UI goroutine)
}

// ShowVerification shows a SAS verification (outgoing, or incoming after it was accepted): a
// waiting state, then the seven emojis with their names and "match"/"no match", then done or
// cancelled with the reason. Closing the dialog before the end cancels the verification.
func ShowVerification(ctx context.Context, w fyne.Window, s Engine, v *session.Verification) {
	vv := newVerifyView(ctx, w, s, v)
	vv.dlg.Show()
	vv.start()
}

func newVerifyView(ctx context.Context, w fyne.Window, s Engine, v *session.Verification) *verifyView {
	vv := &verifyView{s: s, v: v, w: w}
	vv.ctx, vv.cancel = context.WithCancel(ctx)
	vv.title = widget.NewLabel("")
	vv.title.TextStyle.Bold = true
	vv.title.Wrapping = fyne.TextWrapWord
	vv.status = widget.NewLabel(T("verify.state.requested"))
	vv.status.Wrapping = fyne.TextWrapWord
	vv.emojis = container.NewGridWithColumns(4)
	vv.emojis.Hide()
	vv.progress = widget.NewProgressBarInfinite()
	vv.match = widget.NewButtonWithIcon(T("verify.match"), theme.ConfirmIcon(), vv.onMatch)
	vv.match.Importance = widget.SuccessImportance
	vv.noMatch = widget.NewButtonWithIcon(T("verify.no_match"), theme.CancelIcon(), vv.onNoMatch)
	vv.noMatch.Importance = widget.DangerImportance
	vv.match.Hide()
	vv.noMatch.Hide()
	vv.stop = widget.NewButton(T("dlg.cancel"), func() { vv.dlg.Hide() })
	vv.closeBtn = widget.NewButton(T("dlg.close"), func() { vv.dlg.Hide() })
	vv.closeBtn.Importance = widget.HighImportance
	vv.closeBtn.Hide()
	vv.startSAS = widget.NewButton(T("verify.start_sas"), vv.onStartSAS)
	vv.startSAS.Importance = widget.HighImportance
	vv.startSAS.Hide()
	vv.qr = container.NewCenter()
	vv.qr.Hide()
	vv.qrYes = widget.NewButtonWithIcon(T("verify.qr.yes"), theme.ConfirmIcon(), vv.onQRScanned)
	vv.qrYes.Importance = widget.SuccessImportance
	vv.qrYes.Hide()
	content := container.NewVBox(vv.title, vv.status, vv.qr, vv.emojis, vv.progress)
	vv.dlg = dialog.NewCustomWithoutButtons(T("verify.title"), content, w)
	vv.dlg.SetButtons([]fyne.CanvasObject{vv.stop, vv.startSAS, vv.noMatch, vv.match, vv.qrYes, vv.closeBtn})
	vv.content = content
	vv.dlg.SetOnClosed(vv.closed)
	fitDialog(vv.dlg, widthWide)
	vv.render(v.Info())
	return vv
}

// start follows the verification's changes until it ends or the dialog closes.
func (vv *verifyView) start() { go vv.follow() }

func (vv *verifyView) follow() {
	seq, err := vv.s.LastSeq(vv.ctx)
	if err != nil {
		return
	}
	sub := vv.s.Subscribe(seq)
	defer sub.Close()
	var last session.VerificationInfo
	for first := true; ; first = false {
		info := vv.v.Info()
		if first || !sameVerification(info, last) {
			last = info
			do(func() { vv.render(info) })
		}
		if info.Finished() {
			return
		}
		if _, err := sub.Next(vv.ctx); err != nil {
			return
		}
	}
}

func sameVerification(a, b session.VerificationInfo) bool {
	return a.State == b.State && a.DeviceID == b.DeviceID && a.CancelReason == b.CancelReason && slices.Equal(a.Emojis, b.Emojis)
}

// peerText names the other side: "this user's device X", or "your other device X".
func (vv *verifyView) peerText(info session.VerificationInfo) string {
	if info.UserID == "" || info.UserID == vv.s.Account().UserID {
		if info.DeviceID != "" {
			return T("verify.peer.own_device", info.DeviceID)
		}
		return T("verify.peer.own")
	}
	if info.DeviceID != "" {
		return T("verify.peer.user_device", info.UserID, info.DeviceID)
	}
	return T("verify.peer.user", info.UserID)
}

// render shows a state; it runs on the UI goroutine.
func (vv *verifyView) render(info session.VerificationInfo) {
	vv.info = info
	vv.title.SetText(vv.peerText(info))
	showEmojis := false
	vv.match.Hide()
	vv.noMatch.Hide()
	vv.startSAS.Hide()
	vv.qrYes.Hide()
	showQR := false
	switch info.State {
	case session.VerificationSAS:
		showEmojis = true
		if vv.confirmed {
			vv.status.SetText(T("verify.state.waiting_other"))
			vv.progress.Show()
			vv.progress.Start()
		} else {
			vv.status.SetText(T("verify.state.compare"))
			vv.progress.Stop()
			vv.progress.Hide()
			vv.match.Show()
			vv.noMatch.Show()
		}
	case session.VerificationReady:
		vv.status.SetText(T("verify.state.ready"))
		// We accepted: the requester normally starts SAS; some clients wait for us to choose.
		vv.startSAS.Hidden = !info.Incoming
		if len(info.QRCode) > 0 {
			// The other device has a camera: it may scan our code instead of comparing emojis.
			showQR = vv.setQR(info.QRCode)
			if showQR {
				vv.status.SetText(T("verify.qr.scan_this"))
				vv.startSAS.Show()
			}
		}
	case session.VerificationQRScanned:
		vv.status.SetText(T("verify.qr.scanned"))
		vv.qrYes.Show()
		vv.noMatch.Show()
	case session.VerificationDone:
		vv.finish(T("verify.state.done", vv.peerText(info)), widget.SuccessImportance)
	case session.VerificationCancelled:
		vv.finish(T("verify.state.cancelled", cancelReasonText(info.CancelCode, info.CancelReason)), widget.DangerImportance)
	case session.VerificationRequested, "":
		if info.Incoming {
			vv.status.SetText(T("verify.state.incoming"))
		} else {
			vv.status.SetText(T("verify.state.requested"))
		}
	default: // a state of another method (QR codes), not shown here
		vv.status.SetText(T("verify.state.running"))
	}
	vv.qr.Hidden = !showQR
	if showEmojis && len(info.Emojis) > 0 {
		vv.emojis.Objects = vv.emojis.Objects[:0]
		for _, e := range info.Emojis {
			vv.emojis.Add(emojiCell(e))
		}
		vv.emojis.Show()
	} else {
		vv.emojis.Hide()
	}
	vv.emojis.Refresh()
	if vv.dlg != nil {
		fitDialog(vv.dlg, widthWide)
	}
	if vv.onUpdate != nil {
		vv.onUpdate(info)
	}
}

// setQR puts the QR code of payload into the dialog (once); false when it cannot be drawn.
func (vv *verifyView) setQR(payload []byte) bool {
	if len(vv.qr.Objects) > 0 {
		return true
	}
	img := qrImage(payload)
	if img == nil {
		return false
	}
	vv.qr.Add(newQRView(img))
	return true
}

// onQRScanned confirms that the other device showed success after scanning our code.
func (vv *verifyView) onQRScanned() {
	vv.qrYes.Disable()
	go func() {
		err := vv.v.ConfirmQRScanned(vv.ctx)
		do(func() {
			vv.qrYes.Enable()
			if err != nil {
				vv.finish(T("verify.state.cancelled", err.Error()), widget.DangerImportance)
			}
		})
	}()
}

// emojiCell shows one emoji large with its name below; the name alone suffices where the font
// lacks colour emoji.
func emojiCell(e session.Emoji) fyne.CanvasObject {
	sym := canvas.NewText(e.Symbol, theme.Color(theme.ColorNameForeground))
	sym.TextSize = theme.TextSize() * 2.6
	sym.Alignment = fyne.TextAlignCenter
	name := widget.NewLabel(EmojiName(e))
	name.Alignment = fyne.TextAlignCenter
	name.TextStyle.Bold = true
	name.SizeName = theme.SizeNameSubHeadingText
	return container.NewVBox(sym, name)
}

func (vv *verifyView) finish(text string, imp widget.Importance) {
	vv.finished = true
	vv.status.SetText(text)
	vv.status.Importance = imp
	vv.status.Refresh()
	vv.progress.Stop()
	vv.progress.Hide()
	vv.stop.Hide()
	vv.closeBtn.Show()
}

func (vv *verifyView) onMatch() {
	vv.confirmed = true
	vv.render(vv.info)
	go func() {
		err := vv.v.ConfirmSAS(vv.ctx)
		if err != nil {
			// The verification cannot go on: end it on both sides (its state then shows why).
			_ = vv.v.Cancel(vv.ctx, false)
		}
		do(func() {
			if err != nil {
				vv.confirmed = false
				vv.render(vv.info)
				showFailure(vv.w, T("verify.title"), err)
				return
			}
			if vv.onConfirmed != nil {
				vv.onConfirmed()
			}
		})
	}()
}

func (vv *verifyView) onStartSAS() {
	vv.startSAS.Disable()
	go func() {
		err := vv.v.StartSAS(vv.ctx)
		do(func() {
			vv.startSAS.Enable()
			if err != nil {
				showFailure(vv.w, T("verify.title"), err)
			}
		})
	}()
}

func (vv *verifyView) onNoMatch() {
	vv.match.Disable()
	vv.noMatch.Disable()
	go func() {
		err := vv.v.Cancel(vv.ctx, true)
		do(func() {
			vv.match.Enable()
			vv.noMatch.Enable()
			if err != nil {
				showFailure(vv.w, T("verify.title"), err)
			}
		})
	}()
}

// closed cancels a verification that is still running and stops following it.
func (vv *verifyView) closed() {
	if !vv.finished && !vv.info.Finished() {
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(vv.ctx), 10*time.Second)
			defer cancel()
			_ = vv.v.Cancel(ctx, false)
			vv.cancel()
		}()
		return
	}
	vv.cancel()
}

// ---- incoming requests ----

// verifyWatcher shows a prompt for every incoming verification request.
type verifyWatcher struct {
	ctx context.Context
	w   fyne.Window
	s   Engine

	prompts map[string]dialog.Dialog // open prompts by verification ID (UI goroutine only)
	closing map[string]bool          // prompts hidden by us, not by the user (UI goroutine only)

	// tests (UI goroutine)
	onPrompt func(info session.VerificationInfo, d dialog.Dialog)
	onView   func(*verifyView)
}

// WatchVerifications shows an "incoming verification request from X: accept / decline" dialog
// for every request of another user or another own device, and the SAS dialog once accepted.
// Prompts whose request was withdrawn close by themselves. It blocks until ctx ends (run it on
// its own goroutine, like FollowSession) and returns ctx's error or the subscription's.
func WatchVerifications(ctx context.Context, w fyne.Window, s Engine) error {
	return newVerifyWatcher(ctx, w, s).run()
}

func newVerifyWatcher(ctx context.Context, w fyne.Window, s Engine) *verifyWatcher {
	return &verifyWatcher{ctx: ctx, w: w, s: s, prompts: map[string]dialog.Dialog{}, closing: map[string]bool{}}
}

func (vw *verifyWatcher) run() error {
	seq, err := vw.s.LastSeq(vw.ctx)
	if err != nil {
		return err
	}
	sub := vw.s.Subscribe(seq)
	defer sub.Close()
	shown := map[string]bool{} // verification IDs prompted for (this goroutine only)
	for {
		pending := map[string]session.VerificationInfo{}
		for _, p := range vw.s.PendingVerifications() {
			pending[p.ID] = p
		}
		for vid, info := range pending {
			if !shown[vid] {
				shown[vid] = true
				do(func() { vw.prompt(info) })
			}
		}
		for vid := range shown {
			if _, still := pending[vid]; !still {
				delete(shown, vid)
				do(func() { vw.withdraw(vid) })
			}
		}
		if _, err := sub.Next(vw.ctx); err != nil {
			return err
		}
	}
}

// prompt asks whether to accept a request (UI goroutine).
func (vw *verifyWatcher) prompt(info session.VerificationInfo) {
	var text string
	if info.UserID == vw.s.Account().UserID {
		text = T("verify.incoming.own", info.DeviceID)
	} else {
		text = T("verify.incoming.user", info.UserID, info.DeviceID)
	}
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(T("verify.incoming.hint"))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	vid := info.ID
	d := dialog.NewCustomConfirm(T("verify.incoming.title"), T("verify.accept"), T("verify.decline"),
		container.NewVBox(label, hint), func(accept bool) {
			delete(vw.prompts, vid)
			if vw.closing[vid] {
				delete(vw.closing, vid)
				return
			}
			if accept {
				vw.accept(vid)
				return
			}
			go func() { _ = vw.s.Verification(vid).Cancel(vw.ctx, false) }()
		}, vw.w)
	fitDialog(d, widthForm)
	vw.prompts[vid] = d
	d.Show()
	if vw.onPrompt != nil {
		vw.onPrompt(info, d)
	}
}

// withdraw closes the prompt of a request that is no longer pending (UI goroutine).
func (vw *verifyWatcher) withdraw(vid string) {
	if d, ok := vw.prompts[vid]; ok {
		vw.closing[vid] = true
		d.Hide()
	}
}

// accept accepts a request off the UI goroutine and opens the SAS dialog (UI goroutine).
func (vw *verifyWatcher) accept(vid string) {
	go func() {
		v, err := vw.s.AcceptVerification(vw.ctx, vid)
		do(func() {
			if err != nil {
				showFailure(vw.w, T("verify.title"), err)
				return
			}
			vv := newVerifyView(vw.ctx, vw.w, vw.s, v)
			if vw.onView != nil {
				vw.onView(vv)
			}
			vv.dlg.Show()
			vv.start()
		})
	}()
}

// startVerification starts an outgoing verification with user (all their devices when deviceID
// is empty) off the UI goroutine and opens its dialog; onView (tests) sees the view first.
func startVerification(ctx context.Context, w fyne.Window, s Engine, user id.UserID, deviceID id.DeviceID, onView func(*verifyView)) {
	var v *session.Verification
	runBusy(ctx, w, T("verify.starting"), func(ctx context.Context) (err error) {
		v, err = s.StartVerification(ctx, user, deviceID)
		return err
	}, func(err error) {
		if err != nil {
			showFailure(w, T("verify.title"), err)
			return
		}
		vv := newVerifyView(ctx, w, s, v)
		if onView != nil {
			onView(vv)
		}
		vv.dlg.Show()
		vv.start()
	})
}
