package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
	"bosmessenger/session/exportdoc"
)

// ExportOptions bound and shape an incident export (ExportRoom).
type ExportOptions struct {
	Since, Until time.Time // the range of server timestamps (zero: open)
	Force        bool      // write into a non-empty directory (files of the export are replaced)
	Lang         string    // language of the PDF: "de" (default) or "en"
	// Progress, when set, is called with the step done so far of ExportSteps.
	Progress func(step int)
}

// ExportSteps is the number of steps ExportOptions.Progress counts to.
const ExportSteps = 4

// ExportResult describes a written export.
type ExportResult struct {
	Dir        string              `json:"dir"`
	Events     int                 `json:"events"`               // events in events.json
	Incomplete bool                `json:"incomplete,omitempty"` // the history did not reach back to --since (or the room's start)
	Messages   int                 `json:"messages"`             // entries in the PDF
	Alerts     int                 `json:"alerts"`
	Manifest   *exportdoc.Manifest `json:"manifest"`
}

// maxExportEvents bounds how many events an export loads from the store and server.
const maxExportEvents = 200_000

// CheckChatExport says whether this session may export conversations (policy disable_chat_export).
func (s *Session) CheckChatExport() error {
	if s.cfg.DisableChatExport {
		return ErrChatExportDisabled
	}
	return nil
}

// ExportRoom writes the incident export (Einsatzdokumentation) of a room into dir: einsatz.pdf,
// events.json and manifest.json with their SHA-256, signed with this device's Ed25519 key in
// manifest.sig (see session/exportdoc and docs/PROTOCOL.md). The history back to opts.Since is
// loaded from the server when the store does not hold it. The policy key disable_chat_export
// refuses it with ErrChatExportDisabled; a non-empty dir without opts.Force gives
// exportdoc.ErrDirNotEmpty.
func (s *Session) ExportRoom(ctx context.Context, roomID id.RoomID, dir string, opts ExportOptions) (*ExportResult, error) {
	if err := s.CheckChatExport(); err != nil {
		return nil, err
	}
	if s.e2ee == nil {
		return nil, fmt.Errorf("failed to export: %w: no device key to sign with", ErrCannotEncrypt)
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && opts.Until.Before(opts.Since) {
		return nil, errors.New("failed to export: --until is before --since")
	}
	progress := func(step int) {
		if opts.Progress != nil {
			opts.Progress(step)
		}
	}
	room, err := s.Room(ctx, roomID)
	if err != nil {
		return nil, err
	}
	if err := exportdoc.PrepareDir(dir, opts.Force); err != nil {
		return nil, err
	}
	var since, until *int64
	if !opts.Since.IsZero() {
		v := opts.Since.UnixMilli()
		since = &v
	}
	if !opts.Until.IsZero() {
		v := opts.Until.UnixMilli()
		until = &v
	}
	all, incomplete, err := s.exportHistory(ctx, roomID, since)
	if err != nil {
		return nil, fmt.Errorf("failed to load the history: %w", err)
	}
	progress(1)
	names, err := s.ShownNames(ctx, roomID)
	if err != nil {
		return nil, fmt.Errorf("failed to read the members: %w", err)
	}
	created := time.Now().UnixMilli()
	me := s.account
	evs := &exportdoc.Events{Format: exportdoc.Format, Version: exportdoc.Version, RoomID: roomID.String(), RoomName: room.Name,
		UserID: me.UserID.String(), DeviceID: me.DeviceID.String(), CreatedTS: created, SinceTS: since, UntilTS: until,
		Incomplete: incomplete}
	doc := &exportdoc.PDFDoc{Lang: opts.Lang, RoomName: room.Name, RoomID: roomID.String(), UserID: me.UserID.String(),
		UserName: names[me.UserID].DisplayName, DeviceID: me.DeviceID.String(), CreatedTS: created, SinceTS: since,
		UntilTS: until, Names: map[string]string{}, HistoryIncomplete: incomplete}
	for u, n := range names {
		doc.Names[u.String()] = n.DisplayName
	}
	alerts := 0
	for _, te := range all {
		if (since != nil && te.TS < *since) || (until != nil && te.TS > *until) {
			continue
		}
		ev := exportEvent(te, names[te.Sender].DisplayName)
		if _, ok := alert.ParseAlert(te.Type, te.Content); ok && !te.Redacted {
			b, err := s.AlertBoard(ctx, roomID, te.EventID)
			if err != nil {
				return nil, fmt.Errorf("failed to build the board of alert %s: %w", te.EventID, err)
			}
			ev.AlertBoard = b
			alerts++
		}
		evs.Events = append(evs.Events, ev)
		if entry, ok := pdfEntry(te, ev); ok {
			doc.Entries = append(doc.Entries, entry)
		}
	}
	progress(2)
	eventsJSON, err := exportdoc.EncodeEvents(evs)
	if err != nil {
		return nil, err
	}
	pdf, err := exportdoc.RenderPDF(doc)
	if err != nil {
		return nil, err
	}
	progress(3)
	m := &exportdoc.Manifest{RoomID: roomID.String(), RoomName: room.Name, UserID: me.UserID.String(),
		DeviceID: me.DeviceID.String(), DeviceKey: s.e2ee.SigningKey().String(), CreatedTS: created, SinceTS: since, UntilTS: until}
	files := []exportdoc.Named{{Name: exportdoc.FilePDF, Data: pdf}, {Name: exportdoc.FileEvents, Data: eventsJSON}}
	if err := exportdoc.Write(dir, m, files, s.e2ee.SignDetached); err != nil {
		return nil, err
	}
	progress(4)
	return &ExportResult{Dir: dir, Events: len(evs.Events), Incomplete: incomplete, Messages: len(doc.Entries), Alerts: alerts, Manifest: m}, nil
}

// exportHistory returns the room's events, oldest first, back to since (all of them without),
// loading older ones from the server as needed. incomplete is true when the events do not reach
// back to since or the room's creation: maxExportEvents cut them, or the history ended earlier
// (local retention, history visibility).
func (s *Session) exportHistory(ctx context.Context, roomID id.RoomID, since *int64) (evs []TimelineEvent, incomplete bool, err error) {
	for limit := 500; ; limit *= 4 {
		limit = min(limit, maxExportEvents)
		evs, err = s.History(ctx, roomID, limit)
		if err != nil {
			return nil, false, err
		}
		if len(evs) < limit || (since != nil && len(evs) > 0 && evs[0].TS < *since) || limit == maxExportEvents {
			break
		}
	}
	if len(evs) == 0 {
		return evs, false, nil
	}
	reached := evs[0].Type == "m.room.create" || (since != nil && evs[0].TS < *since)
	return evs, !reached, nil
}

// exportVerification is the verification state of an event's sender for the export.
func exportVerification(te TimelineEvent) string {
	switch {
	case !te.Encrypted:
		return exportdoc.NotEncrypted
	case !te.Decrypted:
		return exportdoc.Undecryptable
	case te.SenderVerified:
		return exportdoc.VerifiedSender
	}
	return exportdoc.UnverifiedSender
}

func exportEvent(te TimelineEvent, name string) exportdoc.Event {
	ev := exportdoc.Event{EventID: te.EventID.String(), Type: te.Type, StateKey: te.StateKey, Sender: te.Sender.String(),
		SenderName: name, TS: te.TS, Time: time.UnixMilli(te.TS).UTC().Format(time.RFC3339Nano), Encrypted: te.Encrypted,
		Verification: exportVerification(te), SenderTrust: te.SenderTrust, DecryptionError: te.DecryptionError,
		DecryptionReason: te.DecryptionReason, RelType: te.RelType, RelatesTo: te.RelatesTo.String(), Redacted: te.Redacted,
		Damaged: te.Damaged}
	if (!te.Encrypted || te.Decrypted) && json.Valid(te.Content) {
		ev.Content = te.Content
	}
	return ev
}

// pdfEntry is the report line of an event; receipts of alerts (on the board) and events without
// anything to show are left out.
func pdfEntry(te TimelineEvent, ev exportdoc.Event) (exportdoc.Entry, bool) {
	e := exportdoc.Entry{TS: te.TS, Sender: te.Sender.String(), SenderName: ev.SenderName, Verification: ev.Verification}
	switch {
	case te.Damaged:
		e.Notes = append(e.Notes, exportdoc.NoteDamaged)
		return e, true
	case te.Redacted:
		e.Notes = append(e.Notes, exportdoc.NoteRedacted)
		return e, true
	case te.Encrypted && !te.Decrypted:
		e.Notes = append(e.Notes, exportdoc.NoteUndecryptable, te.DecryptionReason)
		return e, true
	}
	if _, ok := alert.ParseAck(te.Type, te.Content); ok {
		return e, false
	}
	if ev.AlertBoard != nil {
		e.Alert = ev.AlertBoard
		return e, true
	}
	if st, ok := alert.ParseStatus(te.Type, te.Content); ok {
		e.Status = fmt.Sprintf("%d – %s", st.FMS, alert.FMSMeaning(st.FMS))
		if st.Unit != "" {
			e.Status += " (" + st.Unit + ")"
		}
		return e, true
	}
	c := parseContent(te.Content)
	switch {
	case te.StateKey != nil:
		e.Notes = append(e.Notes, exportdoc.NoteState, stateSummary(te, c))
		return e, true
	case te.Type == "m.reaction":
		e.Notes = append(e.Notes, exportdoc.NoteReaction, c.RelatesTo.Key)
		return e, true
	case te.Type != "m.room.message":
		return e, false
	}
	if c.RelatesTo.RelType == "m.replace" {
		e.Notes = append(e.Notes, exportdoc.NoteEdit)
	}
	switch c.MsgType {
	case "m.file", "m.image", "m.video", "m.audio":
		e.Attachment = c.FileName
		if e.Attachment == "" {
			e.Attachment = c.Body
		}
	default:
		e.Text = c.Body
	}
	return e, true
}

// stateSummary is the short description of a state event (type, and what changed).
func stateSummary(te TimelineEvent, c *msgContent) string {
	switch te.Type {
	case "m.room.member":
		return fmt.Sprintf("%s %s: %s", te.Type, *te.StateKey, c.Membership)
	case "m.room.name":
		return te.Type + ": " + c.Name
	case "m.room.topic":
		return te.Type + ": " + c.Topic
	}
	return te.Type
}
