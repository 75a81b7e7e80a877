package ui

// The dispatcher's board of an alert: live counts against the required strength, who answered
// what with ETA, who acknowledged without answering and who did nothing. Opened from the alert
// message in the timeline; updated from the engine's alert_update changes.

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
)

// BoardView shows the board of one alert. UI goroutine only.
type BoardView struct {
	root     fyne.CanvasObject
	Title    *widget.Label
	Strength *widget.Label
	Progress *widget.ProgressBar
	counts   map[string]*widget.Label
	rows     *fyne.Container
	board    *alert.Board
	room     id.RoomID
	event    id.EventID
	dlg      dialog.Dialog
	names    func(string) string
}

// NewBoardView builds an empty board; names gives users' display names.
func NewBoardView(room id.RoomID, event id.EventID, names func(string) string) *BoardView {
	v := &BoardView{room: room, event: event, names: names, counts: map[string]*widget.Label{},
		Title: widget.NewLabel(T("board.loading")), Strength: widget.NewLabel(""), Progress: widget.NewProgressBar(),
		rows: container.NewVBox()}
	v.Title.TextStyle.Bold = true
	v.Title.Wrapping = fyne.TextWrapWord
	v.Strength.TextStyle.Bold = true
	grid := container.NewGridWithColumns(5)
	for _, k := range [][2]string{{"coming", tkey("board.count_coming")}, {"later", tkey("board.count_later")},
		{"not_coming", tkey("board.count_not_coming")}, {"received", tkey("board.count_received")}, {"none", tkey("board.count_none")}} {
		n := widget.NewLabel("0")
		n.Alignment = fyne.TextAlignCenter
		n.TextStyle.Bold = true
		n.SizeName = theme.SizeNameSubHeadingText
		name := widget.NewLabel(T(k[1]))
		name.Alignment = fyne.TextAlignCenter
		v.counts[k[0]] = n
		grid.Add(container.NewVBox(n, name))
	}
	v.root = container.NewBorder(container.NewVBox(v.Title, container.NewBorder(nil, nil, v.Strength, nil, v.Progress), grid, widget.NewSeparator()),
		nil, nil, nil, container.NewVScroll(v.rows))
	return v
}

// View is the board's canvas object.
func (v *BoardView) View() fyne.CanvasObject { return v.root }

// Board is the board shown (nil before it loaded).
func (v *BoardView) Board() *alert.Board { return v.board }

// Count is the shown count of a kind (coming, later, not_coming, received, none).
func (v *BoardView) Count(kind string) string { return v.counts[kind].Text }

// Rows are the shown lines of the lists, as text.
func (v *BoardView) Rows() []string {
	var out []string
	for _, o := range v.rows.Objects {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return out
}

// Set shows a board.
func (v *BoardView) Set(b *alert.Board, room string) {
	v.board = b
	c := b.Counts
	v.Title.SetText(T("board.heading", session.CleanName(b.Alert.Keyword), session.CleanName(room)))
	for k, n := range map[string]int{"coming": c.Coming, "later": c.Later, "not_coming": c.NotComing, "received": c.Received, "none": c.None} {
		v.counts[k].SetText(fmt.Sprint(n))
	}
	if b.Required > 0 {
		v.Strength.SetText(T("board.strength", c.Coming, b.Required))
		v.Progress.Max = float64(b.Required)
		v.Progress.TextFormatter = func() string { return fmt.Sprintf("%d / %d", c.Coming, b.Required) }
		v.Progress.SetValue(float64(min(c.Coming, b.Required)))
		v.Progress.Show()
	} else {
		v.Strength.SetText(T("board.strength_open", c.Coming))
		v.Progress.Hide()
	}
	var objs []fyne.CanvasObject
	section := func(key string, n int) {
		h := widget.NewLabel(T(key, n))
		h.TextStyle.Bold = true
		objs = append(objs, h)
	}
	section(tkey("board.answers"), len(b.Responses))
	for _, r := range b.Responses {
		line := fmt.Sprintf("%s – %s", v.name(r.UserID), responseWord(r.Status))
		if r.ETAMinutes > 0 {
			line += " – " + T("board.eta", r.ETAMinutes)
		}
		if r.Comment != "" {
			line += " – „" + session.CleanName(r.Comment) + "“"
		}
		line += " (" + time.UnixMilli(r.TS).Local().Format("15:04") + ")"
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		switch r.Status {
		case alert.StatusComing:
			l.Importance = widget.SuccessImportance
		case alert.StatusNotComing:
			l.Importance = widget.DangerImportance
		case alert.StatusLater:
			l.Importance = widget.WarningImportance
		}
		objs = append(objs, l)
	}
	section(tkey("board.received_list"), len(b.Received))
	for _, u := range b.Received {
		objs = append(objs, widget.NewLabel(v.name(u)))
	}
	section(tkey("board.none_list"), len(b.None))
	for _, u := range b.None {
		objs = append(objs, widget.NewLabel(v.name(u)))
	}
	v.rows.Objects = objs
	v.rows.Refresh()
}

func (v *BoardView) name(u id.UserID) string {
	if v.names != nil {
		return session.CleanName(v.names(string(u)))
	}
	return string(u)
}

// responseWord is the German (or English) word of a response status.
func responseWord(s alert.Status) string {
	switch s {
	case alert.StatusComing:
		return T("alert.coming_word")
	case alert.StatusNotComing:
		return T("alert.not_coming_word")
	case alert.StatusLater:
		return T("alert.later_word")
	}
	return string(s)
}

// OpenBoard shows the board of an alert of the shown room in a dialog; it follows the
// responses as they arrive.
func (a *App) OpenBoard(room id.RoomID, event id.EventID) *BoardView {
	if a.board != nil && a.board.dlg != nil {
		a.board.dlg.Hide()
	}
	v := NewBoardView(room, event, a.memberName)
	v.dlg = dialog.NewCustom(T("board.title"), T("board.close"), v.View(), a.w)
	v.dlg.SetOnClosed(func() {
		if a.board == v {
			a.board = nil
		}
	})
	v.dlg.Resize(fyne.NewSize(760, 560))
	a.board = v
	v.dlg.Show()
	a.reloadBoard(v)
	return v
}

// Board is the open board (nil when none; UI goroutine).
func (a *App) Board() *BoardView { return a.board }

// reloadBoard loads the board off the UI goroutine and shows it.
func (a *App) reloadBoard(v *BoardView) {
	go func() {
		b, err := a.s.AlertBoard(a.ctx, v.room, v.event)
		room := string(v.room)
		if r, rerr := a.s.Room(a.ctx, v.room); rerr == nil && r.Name != "" {
			room = r.Name
		}
		do(func() {
			if a.board != v {
				return
			}
			if err != nil {
				v.Title.SetText(T("board.failed", err))
				return
			}
			v.Set(b, room)
			Trace("board_shown event=%s coming=%d", v.event, b.Counts.Coming)
		})
	}()
}

// boardChanges reloads the open board when its alert got responses or receipts, or its room's
// members changed (off the UI goroutine).
func (a *App) boardChanges(batch []session.Change) {
	var touched []session.Change
	for _, c := range batch {
		if c.Kind == session.ChangeAlertUpdate || c.Kind == session.ChangeMembers || c.Kind == session.ChangeSendState {
			touched = append(touched, c)
		}
	}
	if len(touched) == 0 {
		return
	}
	do(func() {
		v := a.board
		if v == nil {
			return
		}
		for _, c := range touched {
			if c.EventID == v.event || (c.RoomID == v.room && c.Kind != session.ChangeAlertUpdate) {
				a.reloadBoard(v)
				return
			}
		}
	})
}
