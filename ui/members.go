package ui

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

// Trust states of a user, as session.UserTrust reports them (and as the members dialog shows).
const (
	trustVerified        = string(session.UserVerified)
	trustUnverified      = string(session.UserUnverified)
	trustNoCrossSigning  = string(session.UserNoCrossSigning)
	trustIdentityChanged = string(session.UserIdentityChanged)
	trustUnknown         = "" // not loaded (yet), or no encryption
)

// memberRow is one line of the members dialog.
type memberRow struct {
	UserID      id.UserID
	DisplayName string
	Membership  string // join, invite
	PowerLevel  int
	Trust       string // trust* constant
	// Organisation runs the member's homeserver, Vetted: it is on the vetted list (BOS mode).
	Organisation string
	Vetted       bool
	Unvetted     bool // BOS mode's list is in effect and does not name the member's server
}

// roleText names a power level's role: Administrator (100+), Moderator (50+), else "".
func roleText(pl int) string {
	switch {
	case pl >= 100:
		return T("dlg.members.role.admin")
	case pl >= 50:
		return T("dlg.members.role.moderator")
	}
	return ""
}

// trustText is the shield text of a trust state.
func trustText(state string) string {
	switch state {
	case trustVerified:
		return T("dlg.members.trust.verified")
	case trustUnverified:
		return T("dlg.members.trust.unverified")
	case trustNoCrossSigning:
		return T("dlg.members.trust.no_cross_signing")
	case trustIdentityChanged:
		return T("dlg.members.trust.identity_changed")
	}
	return T("dlg.members.trust.unknown")
}

// loadMemberRows lists a room's joined and invited members with their power levels.
func loadMemberRows(ctx context.Context, s Engine, roomID id.RoomID) ([]memberRow, error) {
	members, err := s.MemberList(ctx, roomID)
	if err != nil {
		return nil, err
	}
	rows := make([]memberRow, 0, len(members))
	for _, m := range members {
		if m.Membership != "join" && m.Membership != "invite" {
			continue
		}
		rows = append(rows, memberRow{UserID: m.UserID, DisplayName: m.DisplayName, Membership: m.Membership, PowerLevel: m.PowerLevel,
			Organisation: m.Organisation, Vetted: m.Vetted, Unvetted: m.Unvetted})
	}
	return rows, nil
}

// loadUserTrust returns a user's trust state (session.UserTrust).
func loadUserTrust(ctx context.Context, s Engine, user id.UserID) (string, error) {
	info, err := s.UserTrust(ctx, user)
	if err != nil {
		return trustUnknown, err
	}
	return string(info.State), nil
}

// sortMembers orders joined before invited, then by power level (highest first), then by name.
func sortMembers(rows []memberRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.Membership == "invite") != (b.Membership == "invite") {
			return b.Membership == "invite"
		}
		if a.PowerLevel != b.PowerLevel {
			return a.PowerLevel > b.PowerLevel
		}
		return strings.ToLower(a.name()) < strings.ToLower(b.name())
	})
}

func (r memberRow) name() string {
	if r.DisplayName != "" {
		return r.DisplayName
	}
	return string(r.UserID)
}

// membersView is the members dialog: a filter, a count and a virtualised list. Its fields are
// touched on the UI goroutine only; loading runs on other goroutines.
type membersView struct {
	ctx    context.Context
	cancel context.CancelFunc
	s      Engine
	w      fyne.Window
	roomID id.RoomID

	all   []memberRow // as loaded
	shown []memberRow // filtered
	list  *widget.List
	count *widget.Label
	find  *widget.Entry
	dlg   *dialog.CustomDialog

	onLoaded func()               // tests: after the members, then after the trust states arrived
	onVerify func(*verifyView)    // tests: the dialog of a started verification
	verify   func(user id.UserID) // starts a verification (replaceable in tests)
	trust    func(context.Context, id.UserID) (string, error)
	progress *widget.ProgressBarInfinite
}

// ShowMembers shows the room's members: display name, Matrix ID, role (Administrator/Moderator),
// invite state and verification state, with a "Verify" button per user that starts SAS.
func ShowMembers(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID) {
	mv := newMembersView(ctx, w, s, roomID)
	mv.dlg.Show()
	mv.reload()
}

func newMembersView(ctx context.Context, w fyne.Window, s Engine, roomID id.RoomID) *membersView {
	mv := &membersView{s: s, w: w, roomID: roomID}
	mv.ctx, mv.cancel = context.WithCancel(ctx)
	mv.trust = func(ctx context.Context, u id.UserID) (string, error) { return loadUserTrust(ctx, s, u) }
	mv.verify = func(u id.UserID) {
		startVerification(ctx, w, s, u, "", mv.onVerify) // outlives this dialog
	}
	mv.count = widget.NewLabel(T("dlg.members.loading"))
	mv.find = widget.NewEntry()
	mv.find.SetPlaceHolder(T("dlg.members.filter"))
	mv.find.OnChanged = func(string) { mv.applyFilter() }
	mv.progress = widget.NewProgressBarInfinite()
	mv.list = widget.NewList(func() int { return len(mv.shown) }, mv.newRow, mv.updateRow)
	top := container.NewVBox(mv.find, mv.count, mv.progress)
	content := container.NewBorder(top, nil, nil, nil, mv.list)
	mv.dlg = dialog.NewCustomWithoutButtons(T("dlg.members.title"), content, w)
	closeBtn := widget.NewButton(T("dlg.close"), func() { mv.dlg.Hide() })
	inviteBtn := widget.NewButtonWithIcon(T("dlg.members.invite"), theme.ContentAddIcon(), func() {
		f := newInviteForm(mv.ctx, w, s, roomID)
		f.onDone = mv.reload // the new invitees show up in the list
		f.dlg.Show()
	})
	mv.dlg.SetButtons([]fyne.CanvasObject{inviteBtn, closeBtn})
	mv.dlg.SetOnClosed(mv.cancel)
	mv.dlg.Resize(fyne.NewSize(680, 540))
	return mv
}

// row widgets: [name org / id] [role] [trust] [verify]
func (mv *membersView) newRow() fyne.CanvasObject {
	name := widget.NewLabel("")
	name.TextStyle.Bold = true
	name.Truncation = fyne.TextTruncateEllipsis
	org := widget.NewLabel("")
	org.Hide()
	uid := widget.NewLabel("")
	uid.Importance = widget.LowImportance
	uid.Truncation = fyne.TextTruncateEllipsis
	role := widget.NewLabel("")
	trustIcon := widget.NewIcon(theme.QuestionIcon())
	trust := widget.NewLabel("")
	verify := widget.NewButton(T("dlg.members.verify"), nil)
	right := container.NewHBox(role, trustIcon, trust, verify)
	return container.NewBorder(nil, nil, nil, container.NewCenter(right),
		container.NewVBox(container.NewBorder(nil, nil, nil, org, name), uid))
}

func (mv *membersView) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(mv.shown) {
		return
	}
	r := mv.shown[i]
	row := o.(*fyne.Container)
	left := row.Objects[0].(*fyne.Container)
	right := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container)
	nameLine := left.Objects[0].(*fyne.Container) // a border layout: the name (center) first, then the badge
	nameLine.Objects[0].(*widget.Label).SetText(r.name())
	setOrgBadge(nameLine.Objects[1].(*widget.Label), r.Organisation, r.Vetted, r.Unvetted)
	left.Objects[1].(*widget.Label).SetText(string(r.UserID))
	role := right.Objects[0].(*widget.Label)
	roleStr := roleText(r.PowerLevel)
	if r.Membership == "invite" {
		roleStr = T("dlg.members.invited")
	}
	role.SetText(roleStr)
	role.Hidden = roleStr == ""
	icon := right.Objects[1].(*widget.Icon)
	trust := right.Objects[2].(*widget.Label)
	trust.SetText(trustText(r.Trust))
	switch r.Trust {
	case trustVerified:
		icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		trust.Importance = widget.SuccessImportance
	case trustIdentityChanged:
		icon.SetResource(theme.NewErrorThemedResource(theme.WarningIcon()))
		trust.Importance = widget.DangerImportance
	case trustUnverified, trustNoCrossSigning:
		icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		trust.Importance = widget.WarningImportance
	default:
		icon.SetResource(theme.QuestionIcon())
		trust.Importance = widget.LowImportance
	}
	trust.Refresh()
	verify := right.Objects[3].(*widget.Button)
	own := r.UserID == mv.s.Account().UserID
	verify.Hidden = own || r.Trust == trustVerified || r.Membership == "invite"
	user := r.UserID
	verify.OnTapped = func() { mv.verify(user) }
	row.Refresh() // the right part changed width: lay the whole row out again
}

// reload loads the members, shows them, then loads each user's trust state in the background.
func (mv *membersView) reload() {
	mv.progress.Show()
	mv.progress.Start()
	go func() {
		rows, err := loadMemberRows(mv.ctx, mv.s, mv.roomID)
		if err == nil {
			sortMembers(rows)
		}
		do(func() {
			if err != nil {
				mv.progress.Stop()
				mv.progress.Hide()
				mv.count.SetText(T("dlg.members.load_failed", failureText(err)))
				return
			}
			mv.all = rows
			mv.applyFilter()
			if mv.onLoaded != nil {
				mv.onLoaded()
			}
		})
		if err != nil {
			return
		}
		// Trust per user (a key query each), in batches so that big rooms fill in steadily.
		users := make([]id.UserID, len(rows))
		for i, r := range rows {
			users[i] = r.UserID
		}
		states := map[id.UserID]string{}
		flush := func(final bool) {
			batch := make(map[id.UserID]string, len(states))
			for k, v := range states {
				batch[k] = v
			}
			do(func() {
				for i := range mv.all {
					if st, ok := batch[mv.all[i].UserID]; ok {
						mv.all[i].Trust = st
					}
				}
				mv.applyFilter()
				if final {
					mv.progress.Stop()
					mv.progress.Hide()
					if mv.onLoaded != nil {
						mv.onLoaded()
					}
				}
			})
		}
		for i, u := range users {
			st, err := mv.trust(mv.ctx, u)
			if mv.ctx.Err() != nil {
				return
			}
			if err == nil {
				states[u] = st
			}
			if (i+1)%10 == 0 && i+1 < len(users) {
				flush(false)
			}
		}
		flush(true)
	}()
}

// applyFilter shows the members matching the filter text (UI goroutine).
func (mv *membersView) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(mv.find.Text))
	mv.shown = mv.shown[:0]
	joined, invited := 0, 0
	for _, r := range mv.all {
		if r.Membership == "invite" {
			invited++
		} else {
			joined++
		}
		if q == "" || strings.Contains(strings.ToLower(r.name()), q) || strings.Contains(strings.ToLower(string(r.UserID)), q) {
			mv.shown = append(mv.shown, r)
		}
	}
	if invited > 0 {
		mv.count.SetText(T("dlg.members.count_invited", joined, invited))
	} else {
		mv.count.SetText(T("dlg.members.count", joined))
	}
	mv.list.Refresh()
}

// setOrgBadge shows the organisation that runs a user's homeserver (BOS mode) in a label of its
// own, coloured apart from the name so that no display name can imitate it; a member on a server
// the list does not name is marked red as unvetted. Hidden without either. It reports whether the
// label's text changed.
func setOrgBadge(l *widget.Label, org string, vetted, unvetted bool) bool {
	text, imp := org, widget.WarningImportance
	switch {
	case unvetted:
		text, imp = "⚠ "+T("badge.unvetted"), widget.DangerImportance
	case org == "":
		l.Hide()
		return false
	case vetted:
		text, imp = "✓ "+org, widget.SuccessImportance
	}
	changed := l.Text != text
	setLabel(l, text, imp)
	l.Show()
	return changed
}
