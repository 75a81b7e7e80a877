package exportdoc

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"bosmessenger/session/alert"
)

// PDFDoc is what the PDF report shows. Texts are shown as given, cleaned of control characters
// and bidi overrides.
type PDFDoc struct {
	Lang              string // "de" (default) or "en"
	RoomName, RoomID  string
	UserID, DeviceID  string
	UserName          string
	CreatedTS         int64
	SinceTS, UntilTS  *int64
	Entries           []Entry
	Names             map[string]string // user ID -> display name, for the responses of alerts
	Location          *time.Location    // time zone of the report (nil: local time)
	HistoryIncomplete bool              // the history ended (server or local retention) after the range's start
}

// Entry is one message of the report.
type Entry struct {
	TS           int64
	Sender       string
	SenderName   string
	Verification string // VerifiedSender, UnverifiedSender, Undecryptable or NotEncrypted
	Text         string
	Notes        []string // Note* keys or free text, shown joined by ": " (e.g. NoteUndecryptable, reason)
	Attachment   string   // file name of an attachment
	Status       string   // an FMS status line
	Alert        *alert.Board
}

// Notes of an entry (Entry.Notes), shown in the report's language.
const (
	NoteEdit          = "n_edit"          // the message changes an earlier one
	NoteRedacted      = "n_redacted"      // deleted
	NoteUndecryptable = "n_undecryptable" // followed by the reason code
	NoteDamaged       = "n_damaged"       // the stored event could not be read
	NoteState         = "n_state"         // followed by the state change
	NoteReaction      = "n_reaction"      // followed by the reaction key
)

// RenderPDF writes the report.
func RenderPDF(d *PDFDoc) ([]byte, error) {
	l := labels(d.Lang)
	loc := d.Location
	if loc == nil {
		loc = time.Local
	}
	when := func(ms int64) string { return time.UnixMilli(ms).In(loc).Format("02.01.2006 15:04:05 MST") }
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	created := time.UnixMilli(d.CreatedTS)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetTitle(l["title"]+" – "+clean(d.RoomName), true)
	pdf.SetAuthor(d.UserID, true)
	pdf.SetCreator("BOS Messenger", true)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-13)
		pdf.SetFont("go", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, clean(d.RoomName)+" – "+d.RoomID, "", 0, "L", false, 0, "")
		pdf.SetX(15)
		pdf.CellFormat(0, 5, fmt.Sprintf(l["page"], pdf.PageNo()), "", 0, "R", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	pdf.SetFont("go", "B", 16)
	pdf.CellFormat(0, 9, l["title"], "", 1, "L", false, 0, "")
	pdf.Ln(2)
	rangeText := func(ts *int64, open string) string {
		if ts == nil {
			return open
		}
		return when(*ts)
	}
	by := d.UserID
	if d.UserName != "" && d.UserName != d.UserID {
		by = clean(d.UserName) + " (" + d.UserID + ")"
	}
	head := [][2]string{
		{l["room"], clean(d.RoomName)},
		{l["room_id"], d.RoomID},
		{l["range"], rangeText(d.SinceTS, l["from_start"]) + " – " + rangeText(d.UntilTS, l["until_export"])},
		{l["by"], by},
		{l["device"], d.DeviceID},
		{l["created"], when(d.CreatedTS)},
		{l["count"], fmt.Sprint(len(d.Entries))},
	}
	for _, h := range head {
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(40, 5.5, h[0], "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 5.5, h[1], "", "L", false)
	}
	pdf.SetFont("go", "", 8)
	pdf.Ln(1)
	pdf.MultiCell(0, 4, l["note"], "", "L", false)
	if d.HistoryIncomplete {
		pdf.MultiCell(0, 4, l["incomplete"], "", "L", false)
	}
	pdf.Ln(3)
	for _, e := range d.Entries {
		writeEntry(pdf, l, when, d, e)
	}
	if len(d.Entries) == 0 {
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 5, l["empty"], "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("failed to write the PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func writeEntry(pdf *fpdf.Fpdf, l map[string]string, when func(int64) string, d *PDFDoc, e Entry) {
	pdf.SetDrawColor(200, 200, 200)
	pdf.Line(15, pdf.GetY(), 195, pdf.GetY())
	pdf.Ln(1)
	pdf.SetFont("go", "B", 9)
	name := clean(e.SenderName)
	if name == "" || name == e.Sender {
		name = e.Sender
	} else {
		name += " (" + e.Sender + ")"
	}
	pdf.MultiCell(0, 4.5, when(e.TS)+"   "+name+"   ["+l["v_"+e.Verification]+"]", "", "L", false)
	pdf.SetFont("go", "", 10)
	if e.Alert != nil {
		writeAlert(pdf, l, when, d, e.Alert)
	} else if e.Text != "" {
		pdf.MultiCell(0, 5, clean(e.Text), "", "L", false)
	}
	pdf.SetFont("go", "", 9)
	if e.Status != "" {
		pdf.MultiCell(0, 4.5, l["fms"]+": "+clean(e.Status), "", "L", false)
	}
	if e.Attachment != "" {
		pdf.MultiCell(0, 4.5, l["attachment"]+": "+clean(e.Attachment), "", "L", false)
	}
	if len(e.Notes) > 0 {
		parts := make([]string, len(e.Notes))
		for i, n := range e.Notes {
			if v, ok := l[n]; ok {
				parts[i] = v
			} else {
				parts[i] = clean(n)
			}
		}
		pdf.MultiCell(0, 4.5, "("+strings.Join(parts, ": ")+")", "", "L", false)
	}
	pdf.Ln(2)
}

func writeAlert(pdf *fpdf.Fpdf, l map[string]string, when func(int64) string, d *PDFDoc, b *alert.Board) {
	a := b.Alert
	kind := l["alarm"]
	if a.Priority == alert.PriorityInfo {
		kind = l["info"]
	}
	pdf.SetFont("go", "B", 11)
	pdf.MultiCell(0, 5.5, kind+": "+clean(a.Keyword), "", "L", false)
	pdf.SetFont("go", "", 10)
	if a.Address != "" {
		pdf.MultiCell(0, 5, l["address"]+": "+clean(a.Address), "", "L", false)
	}
	if a.Text != "" {
		pdf.MultiCell(0, 5, clean(a.Text), "", "L", false)
	}
	if len(a.Units) > 0 {
		pdf.MultiCell(0, 5, l["units"]+": "+clean(strings.Join(a.Units, ", ")), "", "L", false)
	}
	if a.DeadlineTS > 0 {
		pdf.MultiCell(0, 5, l["deadline"]+": "+when(a.DeadlineTS), "", "L", false)
	}
	c := b.Counts
	pdf.SetFont("go", "B", 9)
	pdf.MultiCell(0, 4.5, fmt.Sprintf(l["board"], c.Coming, c.NotComing, c.Later, c.Received, c.None, b.Required), "", "L", false)
	pdf.SetFont("go", "", 9)
	for _, r := range b.Responses {
		name := clean(d.Names[r.UserID.String()])
		if name == "" || name == r.UserID.String() {
			name = r.UserID.String()
		} else {
			name += " (" + r.UserID.String() + ")"
		}
		line := "• " + name + ": " + l["s_"+string(r.Status)]
		if r.ETAMinutes > 0 {
			line += fmt.Sprintf(l["eta"], r.ETAMinutes)
		}
		if r.Comment != "" {
			line += " – " + clean(r.Comment)
		}
		line += " (" + when(r.TS) + ")"
		pdf.MultiCell(0, 4.5, line, "", "L", false)
	}
}

// clean drops control characters (but line breaks and tabs) and bidi controls from remote text.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\u200b', r == '\ufeff':
			return -1
		}
		return r
	}, s)
}

func labels(lang string) map[string]string {
	if lang == "en" {
		return labelsEN
	}
	return labelsDE
}

var labelsDE = map[string]string{
	"title": "Einsatzdokumentation", "room": "Raum", "room_id": "Raum-ID", "range": "Zeitraum",
	"from_start": "Beginn", "until_export": "Export", "by": "Exportiert von", "device": "Gerät",
	"created": "Erstellt", "count": "Nachrichten", "page": "Seite %d von {nb}",
	"note": "Entschlüsselt auf dem exportierenden Gerät. Alle Ereignisse mit Inhalt stehen in events.json; " +
		"manifest.json enthält die SHA-256-Prüfsummen, manifest.sig die Signatur mit dem Ed25519-Schlüssel des Geräts " +
		"(prüfen: bosctl export verify).",
	"incomplete": "Hinweis: Der Verlauf reicht nicht bis zum Beginn des Zeitraums zurück (Server oder lokale Aufbewahrungsfrist).",
	"empty":      "Keine Nachrichten im Zeitraum.",
	"v_verified": "verifiziert", "v_unverified": "nicht verifiziert", "v_undecryptable": "nicht entschlüsselbar",
	"v_not_encrypted": "unverschlüsselt", "fms": "FMS-Status", "attachment": "Anhang", "alarm": "ALARM", "info": "INFO",
	"address": "Einsatzort", "units": "Einheiten", "deadline": "Rückmeldung bis",
	"board":    "Rückmeldungen: %d komme, %d komme nicht, %d später, %d nur empfangen, %d ohne Reaktion (Soll: %d)",
	"s_coming": "Komme", "s_not_coming": "Komme nicht", "s_later": "Später", "eta": " – ca. %d Min.",
	"n_edit": "Änderung einer früheren Nachricht", "n_redacted": "gelöscht", "n_undecryptable": "nicht entschlüsselbar",
	"n_damaged": "gespeichertes Ereignis nicht lesbar", "n_state": "Raumänderung", "n_reaction": "Reaktion",
}

var labelsEN = map[string]string{
	"title": "Incident record", "room": "Room", "room_id": "Room ID", "range": "Period",
	"from_start": "start", "until_export": "export", "by": "Exported by", "device": "Device",
	"created": "Created", "count": "Messages", "page": "Page %d of {nb}",
	"note": "Decrypted on the exporting device. All events with their content are in events.json; manifest.json " +
		"holds the SHA-256 checksums, manifest.sig the signature with the device's Ed25519 key (check: bosctl export verify).",
	"incomplete": "Note: the history does not reach back to the start of the period (server or local retention).",
	"empty":      "No messages in the period.",
	"v_verified": "verified", "v_unverified": "not verified", "v_undecryptable": "not decryptable",
	"v_not_encrypted": "not encrypted", "fms": "FMS status", "attachment": "Attachment", "alarm": "ALARM", "info": "INFO",
	"address": "Location", "units": "Units", "deadline": "Respond by",
	"board":    "Responses: %d coming, %d not coming, %d later, %d received only, %d no reaction (required: %d)",
	"s_coming": "Coming", "s_not_coming": "Not coming", "s_later": "Later", "eta": " – about %d min",
	"n_edit": "changes an earlier message", "n_redacted": "deleted", "n_undecryptable": "not decryptable",
	"n_damaged": "stored event unreadable", "n_state": "room change", "n_reaction": "reaction",
}
