package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
	"bosmessenger/session/incident"
)

// This file holds the "Neuer Einsatz" dialog: choose an incident template, give keyword, address
// and an optional text; the engine creates the room (name, topic, encryption, power levels,
// invitees) and sends the alert as its first message, then the room opens.

// incidentForm is the dialog's state; its fields are touched on the UI goroutine only.
type incidentForm struct {
	ctx       context.Context
	s         Engine
	onCreated func(id.RoomID)
	templates []incident.Template

	template               *widget.Select
	keyword, address, text *widget.Entry
	details                *widget.Label
	errLabel               *widget.Label
	progress               *widget.ProgressBarInfinite
	createBtn, cancel      *widget.Button
	dlg                    *dialog.CustomDialog
	w                      fyne.Window
	created                session.IncidentResult // the last created incident (tests)
	loadErr                error
}

// ShowNewIncident shows the "Neuer Einsatz" dialog with the session's incident templates; after
// the room exists and its alert is sent, the dialog closes and onCreated gets the room ID on the UI
// goroutine.
func ShowNewIncident(ctx context.Context, w fyne.Window, s Engine, onCreated func(id.RoomID)) {
	templates, err := s.IncidentTemplates()
	newIncidentForm(ctx, w, s, templates, err, onCreated).dlg.Show()
}

// templateLabel is a template as the chooser lists it (managed ones marked).
func templateLabel(t incident.Template) string {
	if t.Managed {
		return T("incident.managed_template", t.DisplayName())
	}
	return t.DisplayName()
}

func newIncidentForm(ctx context.Context, w fyne.Window, s Engine, templates []incident.Template, loadErr error,
	onCreated func(id.RoomID)) *incidentForm {
	f := &incidentForm{s: s, w: w, onCreated: onCreated, templates: templates, loadErr: loadErr}
	var cancel context.CancelFunc
	f.ctx, cancel = context.WithCancel(ctx)
	labels := make([]string, len(templates))
	for i, t := range templates {
		labels[i] = templateLabel(t)
	}
	f.template = widget.NewSelect(labels, func(string) { f.templateChanged() })
	f.template.PlaceHolder = T("incident.choose_template")
	f.keyword = widget.NewEntry()
	f.keyword.SetPlaceHolder(T("incident.keyword_hint"))
	f.address = widget.NewEntry()
	f.address.SetPlaceHolder(T("dlg.optional"))
	f.text = widget.NewMultiLineEntry()
	f.text.SetMinRowsVisible(2)
	f.text.Wrapping = fyne.TextWrapWord
	f.text.SetPlaceHolder(T("incident.text_hint"))
	f.details = widget.NewLabel("")
	f.details.Wrapping = fyne.TextWrapWord
	f.details.Importance = widget.LowImportance
	f.errLabel = errorLabel()
	f.progress = widget.NewProgressBarInfinite()
	f.progress.Stop()
	f.progress.Hide()
	form := widget.NewForm(
		widget.NewFormItem(T("incident.template"), f.template),
		widget.NewFormItem(T("incident.keyword"), f.keyword),
		widget.NewFormItem(T("incident.address"), f.address),
		widget.NewFormItem(T("incident.text"), f.text),
	)
	f.keyword.OnSubmitted = func(string) { f.submit() }
	f.address.OnSubmitted = func(string) { f.submit() }
	f.createBtn = widget.NewButton(T("incident.create"), f.submit)
	f.createBtn.Importance = widget.DangerImportance
	f.cancel = widget.NewButton(T("dlg.cancel"), func() { f.dlg.Hide() })
	f.dlg = dialog.NewCustomWithoutButtons(T("incident.title"), container.NewVBox(form, f.details, f.errLabel, f.progress), w)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.createBtn})
	f.dlg.SetOnClosed(cancel)
	switch {
	case loadErr != nil:
		setError(f.errLabel, T("incident.err.templates")+"\n"+T("dlg.err.detail", loadErr.Error()))
		f.createBtn.Disable()
	case len(templates) == 0:
		setError(f.errLabel, T("incident.err.no_templates"))
		f.createBtn.Disable()
	case len(templates) == 1:
		f.template.SetSelectedIndex(0)
	}
	fitDialog(f.dlg, widthForm)
	return f
}

// selected is the chosen template.
func (f *incidentForm) selected() (incident.Template, bool) {
	i := f.template.SelectedIndex()
	if i < 0 || i >= len(f.templates) {
		return incident.Template{}, false
	}
	return f.templates[i], true
}

// templateChanged shows what the chosen template will do and offers its keyword.
func (f *incidentForm) templateChanged() {
	t, ok := f.selected()
	if !ok {
		f.details.SetText("")
		return
	}
	if t.Alert.Keyword != "" {
		f.keyword.SetPlaceHolder(t.Alert.Keyword)
	} else {
		f.keyword.SetPlaceHolder(T("incident.keyword_hint"))
	}
	enc := T("incident.encrypted")
	if !t.IsEncrypted() {
		enc = T("incident.not_encrypted")
	}
	f.details.SetText(T("incident.details", len(t.Invitees), enc))
	if f.dlg != nil {
		fitDialog(f.dlg, widthForm)
	}
}

// validate returns the request for CreateIncident, or the error text to show.
func (f *incidentForm) validate() (session.IncidentRequest, string) {
	t, ok := f.selected()
	if !ok {
		return session.IncidentRequest{}, T("incident.err.template_required")
	}
	req := session.IncidentRequest{Template: t.ID, Keyword: strings.TrimSpace(f.keyword.Text), Address: strings.TrimSpace(f.address.Text),
		Text: strings.TrimSpace(f.text.Text)}
	if req.Keyword == "" && strings.TrimSpace(t.Alert.Keyword) == "" {
		return session.IncidentRequest{}, T("incident.err.keyword_required")
	}
	return req, ""
}

func (f *incidentForm) setBusy(busy bool) {
	setFormBusy(f.dlg, f.progress, busy, f.template, f.keyword, f.address, f.text, f.createBtn)
}

// incidentFailureText explains an error of CreateIncident.
func incidentFailureText(err error) string {
	switch {
	case errors.Is(err, session.ErrUnknownTemplate), errors.Is(err, incident.ErrInvalidTemplate):
		return T("incident.err.templates")
	case errors.Is(err, alert.ErrInvalid):
		return T("incident.err.invalid")
	}
	return failureText(err)
}

func (f *incidentForm) submit() {
	req, problem := f.validate()
	setError(f.errLabel, problem)
	fitDialog(f.dlg, widthForm)
	if problem != "" {
		return
	}
	f.setBusy(true)
	go func() {
		res, err := f.s.CreateIncident(f.ctx, req)
		do(func() {
			f.setBusy(false)
			if err != nil && res.RoomID == "" {
				setError(f.errLabel, incidentFailureText(err)+"\n"+T("dlg.err.detail", err.Error()))
				fitDialog(f.dlg, widthForm)
				return
			}
			f.created = res
			f.dlg.Hide()
			if f.onCreated != nil {
				f.onCreated(res.RoomID)
			}
			if err != nil { // the room exists, its alert is still queued (the queue sends it)
				showFailure(f.w, T("incident.err.alert_pending"), err)
			}
		})
	}()
}
