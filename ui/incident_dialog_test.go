package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/incident"
)

// The form asks for a template and a keyword (unless the template has one) with clear messages,
// marks managed templates, and refuses to start without templates; it never calls the session
// (nil here: a call would panic).
func TestNewIncidentFormValidation(t *testing.T) {
	test.NewTempApp(t)
	useTestUIQueue(t)
	SetLang("de")
	w := dlgWindow(t)
	templates := []incident.Template{
		{ID: "brand", Name: "Brandeinsatz", Invitees: []string{"@wf:bos.example", "@zf:bos.example"}, Managed: true},
		{ID: "thl", Alert: incident.AlertTemplate{Keyword: "TH1"}},
	}
	f := newIncidentForm(context.Background(), w, nil, templates, nil, nil)
	f.dlg.Show()
	if f.template.Options[0] != "Brandeinsatz (verwaltet)" || f.template.Options[1] != "thl" {
		t.Fatalf("options: %q", f.template.Options)
	}
	test.Tap(dlgButton(t, dlgTop(w), "Einsatz anlegen und alarmieren"))
	if !f.errLabel.Visible() || f.errLabel.Text != "Bitte eine Vorlage wählen." {
		t.Fatalf("no template: %q", f.errLabel.Text)
	}
	f.template.SetSelectedIndex(0)
	test.Tap(f.createBtn)
	if f.errLabel.Text != "Bitte ein Einsatzstichwort eingeben." {
		t.Fatalf("no keyword: %q", f.errLabel.Text)
	}
	if f.details.Text != "Lädt 2 Personen ein · Ende-zu-Ende-verschlüsselt · Der Alarm ist die erste Nachricht." {
		t.Fatalf("details: %q", f.details.Text)
	}
	if os.Getenv("DLG_SHOTS") != "" {
		shot(t, w, "new_incident")
	}
	// The second template brings its keyword: the form is complete with the template alone.
	f.template.SetSelectedIndex(1)
	f.address.SetText(" Hauptstr. 1 ")
	req, problem := f.validate()
	if problem != "" || req != (session.IncidentRequest{Template: "thl", Address: "Hauptstr. 1"}) || f.keyword.PlaceHolder != "TH1" {
		t.Fatalf("valid form: %+v %q (placeholder %q)", req, problem, f.keyword.PlaceHolder)
	}

	none := newIncidentForm(context.Background(), w, nil, nil, nil, nil)
	if !none.createBtn.Disabled() || none.errLabel.Text != T("incident.err.no_templates") {
		t.Fatalf("no templates: %q, disabled %v", none.errLabel.Text, none.createBtn.Disabled())
	}
	bad := newIncidentForm(context.Background(), w, nil, nil, fmt.Errorf("%w: x.json: template #1: id: missing", incident.ErrInvalidTemplate), nil)
	if !bad.createBtn.Disabled() || !bad.errLabel.Visible() || bad.errLabel.Text[:len(T("incident.err.templates"))] != T("incident.err.templates") {
		t.Fatalf("broken templates: %q", bad.errLabel.Text)
	}
	if incidentFailureText(fmt.Errorf("x: %w", session.ErrUnknownTemplate)) != T("incident.err.templates") ||
		incidentFailureText(errors.New("odd")) != T("dlg.err.generic") {
		t.Fatal("failure texts")
	}
}

// dlgSelect finds the first visible select under o.
func dlgSelect(o fyne.CanvasObject) *widget.Select {
	var sel *widget.Select
	dlgWalk(o, func(c fyne.CanvasObject) {
		if s, ok := c.(*widget.Select); ok && sel == nil {
			sel = s
		}
	})
	return sel
}

// Ctrl+E opens "Neuer Einsatz" in the running app; the dialog creates the incident room from the
// data dir's template against Dendrite (name, encryption, invitee) with the alert as its first
// message, and the room opens.
func TestNewIncidentThroughDendrite(t *testing.T) {
	srv := testserver.Shared(t)
	test.NewTempApp(t)
	q := useTestUIQueue(t)
	SetLang("de")
	leit := newFlowUser(t, srv, "leitstelle")
	wf := newFlowUser(t, srv, "wehrfuehrer")
	leit.login(t).Close()
	doc := fmt.Sprintf(`{"templates": [{"id": "brand", "name": "Brandeinsatz", "room_name": "Einsatz {keyword} – {address}",
		"invitees": [%q], "alert": {"text": "Bitte Rückmeldung", "required": 4}}]}`, wf.ID)
	if err := os.WriteFile(filepath.Join(leit.Dir, session.IncidentTemplatesFile), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	sh, a := openShell(t, q, leit, ShellConfig{})
	if !a.Shortcut(ShortcutNewIncident) {
		t.Fatal("Ctrl+E not known")
	}
	top := dlgTop(a.w)
	if top == nil || dlgSelect(top) == nil || dlgSelect(top).Selected != "Brandeinsatz" {
		t.Fatalf("no incident dialog with the single template chosen: %v", top)
	}
	entries := dlgEntries(top)
	if len(entries) < 2 {
		t.Fatalf("entries: %d", len(entries))
	}
	test.Type(entries[0], "B3 Brand Gebäude")
	test.Type(entries[1], "Hauptstr. 1")
	test.Tap(dlgButton(t, top, "Einsatz anlegen und alarmieren"))
	var room id.RoomID
	q.until(t, "incident room opened", func() bool { room = a.Current(); return room != "" && dlgTop(a.w) == nil })
	s := sh.Session()
	sum, err := s.Room(testCtx(t), room)
	if err != nil || sum.Name != "Einsatz B3 Brand Gebäude – Hauptstr. 1" || !sum.Encrypted {
		t.Fatalf("incident room: %+v %v", sum, err)
	}
	events, err := s.History(testCtx(t), room, 50)
	if err != nil {
		t.Fatal(err)
	}
	var first *session.TimelineEvent
	for i := range events {
		if events[i].Type == "m.room.message" {
			first = &events[i]
			break
		}
	}
	if first == nil {
		t.Fatal("no message in the incident room")
	}
	info, ok, err := s.AlertInfo(testCtx(t), first.EventID)
	if err != nil || !ok || info.Keyword != "B3 Brand Gebäude" || info.Address != "Hauptstr. 1" || info.Required != 4 || info.Text != "Bitte Rückmeldung" {
		t.Fatalf("first message %+v is not the alert: %+v %v %v", first, info, ok, err)
	}
	members, err := s.Members(testCtx(t), room)
	if err != nil {
		t.Fatal(err)
	}
	invited := false
	for _, m := range members {
		invited = invited || (m.UserID.String() == wf.ID && m.Membership == "invite")
	}
	if !invited {
		t.Fatalf("%s not invited: %+v", wf.ID, members)
	}
	// Let the timeline's loads of the opened room finish on the UI goroutine before the test ends.
	settle := time.Now().Add(2 * time.Second)
	q.until(t, "the opened room settled", func() bool { return time.Now().After(settle) })
}
