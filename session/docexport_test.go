package session_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/testcache"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
	"bosmessenger/session/exportdoc"
)

// exportRoomFixture is an encrypted incident room with a text, an attachment, an alert with a
// response and an FMS status; it returns the exporting session (leitstelle) and the other (fw).
func exportRoomFixture(t *testing.T) (srv *testserver.Server, leit *account, sa, sb *session.Session, roomID id.RoomID, alertID id.EventID) {
	t.Helper()
	srv = testserver.Shared(t)
	leit = newAccount(t, srv, "leitstelle")
	fw := newAccount(t, srv, "fw")
	sa, sb = leit.login(t), fw.login(t)
	roomID = sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Einsatz Hauptstraße Süd", Encrypted: true})
	mustSend(t, sa, roomID, "Lage: Rauch aus dem Dachgeschoss, Zufahrt über die Rückseite")
	txn, err := sa.SendFile(ctx(t), roomID, "lageplan-süd.txt", "text/plain", []byte("Hydrant vor Hausnummer 3"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sa.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	alertID = sendAlert(t, sa, roomID, alert.Alert{Keyword: "B3 Brand Gebäude", Text: "Menschenleben in Gefahr",
		Address: "Hauptstraße 1", Units: []string{"HLF 20-1"}, Required: 2})
	waitForBodies(t, sb, roomID, 50, "Lage: Rauch aus dem Dachgeschoss, Zufahrt über die Rückseite")
	eventually.True(t, 30*time.Second, "the alert at fw", func() bool {
		_, ok, err := sb.AlertInfo(ctx(t), alertID)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			mustSync(t, sb)
		}
		return ok
	})

	txn, err = sb.SendAlertResponse(ctx(t), roomID, alertID, alert.Response{Status: alert.StatusComing, ETAMinutes: 8, Comment: "mit Drehleiter"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	txn, err = sb.SendUnitStatus(ctx(t), roomID, alert.UnitStatus{FMS: 3, Unit: "HLF 20-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	waitBoard(t, sa, roomID, alertID, "the response", func(b *alert.Board) bool { return b.Counts.Coming == 1 })
	waitForBodies(t, sa, roomID, 50, "Status 3 – Einsatz übernommen (HLF 20-1)")
	return srv, leit, sa, sb, roomID, alertID
}

// TestIncidentExport: the export of an encrypted room holds the decrypted events with sender,
// verification state and the alert's board, a PDF with the umlauts, and a manifest that another
// user verifies against the device key the server publishes; one changed byte in any file, or a
// manifest signed by another key, fails naming the file; the policy disable_chat_export refuses it.
func TestIncidentExport(t *testing.T) {
	_, leit, sa, sb, roomID, alertID := exportRoomFixture(t)
	dir := filepath.Join(t.TempDir(), "einsatz")
	var steps []int
	res, err := sa.ExportRoom(ctx(t), roomID, dir, session.ExportOptions{Progress: func(s int) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Alerts != 1 || res.Incomplete || len(steps) != session.ExportSteps {
		t.Errorf("result %+v, progress %v", res, steps)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("dir: %v %v", fi.Mode(), err)
	}
	for _, n := range []string{exportdoc.FilePDF, exportdoc.FileEvents, exportdoc.FileManifest, exportdoc.FileSignature} {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", n, fi, err)
		}
	}

	// events.json: decrypted content, sender, verification, the board.
	raw, err := os.ReadFile(filepath.Join(dir, exportdoc.FileEvents))
	if err != nil {
		t.Fatal(err)
	}
	var evs exportdoc.Events
	if err := json.Unmarshal(raw, &evs); err != nil {
		t.Fatal(err)
	}
	var sawText, sawFile, sawAlert bool
	for _, e := range evs.Events {
		var c struct {
			Body     string `json:"body"`
			FileName string `json:"filename"`
		}
		_ = json.Unmarshal(e.Content, &c)
		switch {
		case e.EventID == alertID.String():
			sawAlert = e.AlertBoard != nil && len(e.AlertBoard.Responses) == 1 && e.AlertBoard.Responses[0].ETAMinutes == 8 &&
				e.Encrypted && e.Sender == sa.Account().UserID.String()
		case c.Body == "Lage: Rauch aus dem Dachgeschoss, Zufahrt über die Rückseite":
			sawText = e.Encrypted && e.Verification != "" && e.Verification != exportdoc.Undecryptable && e.TS > 0 && e.Time != ""
		case c.FileName == "lageplan-süd.txt" || c.Body == "lageplan-süd.txt":
			sawFile = true
		}
	}
	if !sawText || !sawFile || !sawAlert {
		t.Errorf("events.json: text %v, file %v, alert %v:\n%s", sawText, sawFile, sawAlert, raw)
	}

	// The PDF, as text.
	_, lookErr := exec.LookPath("pdftotext")
	testcache.Require(t, "pdftotext (poppler-utils, make deps)", lookErr)
	out, err := exec.Command("pdftotext", filepath.Join(dir, exportdoc.FilePDF), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Einsatzdokumentation", "Einsatz Hauptstraße Süd", roomID.String(), "Rauch aus dem Dachgeschoss",
		"Anhang: lageplan-süd.txt", "ALARM: B3 Brand Gebäude", "Komme – ca. 8 Min. – mit Drehleiter",
		"FMS-Status: 3 – Einsatz übernommen (HLF 20-1)", "Seite 1 von"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}

	// Another user verifies it against the key the server publishes.
	rep, err := sb.VerifyExport(ctx(t), dir)
	if err != nil || !rep.Valid || !rep.CrossSigned || rep.DeviceID != sa.Account().DeviceID.String() || len(rep.Files) != 2 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	for _, name := range []string{exportdoc.FilePDF, exportdoc.FileEvents, exportdoc.FileManifest, exportdoc.FileSignature} {
		path := filepath.Join(dir, name)
		orig, _ := os.ReadFile(path)
		changed := bytes.Clone(orig)
		changed[len(changed)/2] ^= 0x01
		if err := os.WriteFile(path, changed, 0o600); err != nil {
			t.Fatal(err)
		}
		if rep, err := sb.VerifyExport(ctx(t), dir); !errors.Is(err, exportdoc.ErrInvalid) || !strings.Contains(err.Error(), name) || rep.Valid {
			t.Errorf("one byte of %s changed: %v", name, err)
		}
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sb.VerifyExport(ctx(t), dir); err != nil {
		t.Fatalf("restored: %v", err)
	}

	// A manifest re-signed with another key (and naming it) fails: only the server's key counts.
	forged := filepath.Join(t.TempDir(), "forged")
	if err := os.CopyFS(forged, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	var m exportdoc.Manifest
	mb, _ := os.ReadFile(filepath.Join(forged, exportdoc.FileManifest))
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	m.DeviceKey = base64.RawStdEncoding.EncodeToString(pub)
	mb, _ = exportdoc.EncodeManifest(&m)
	sig := exportdoc.Signature{Algorithm: "ed25519", UserID: m.UserID, KeyID: "ed25519:" + m.DeviceID,
		Signature: base64.RawStdEncoding.EncodeToString(ed25519.Sign(priv, exportdoc.SignedMessage(mb)))}
	sb2, _ := exportdoc.EncodeSignature(&sig)
	os.WriteFile(filepath.Join(forged, exportdoc.FileManifest), mb, 0o600)
	os.WriteFile(filepath.Join(forged, exportdoc.FileSignature), sb2, 0o600)
	if _, err := sb.VerifyExport(ctx(t), forged); !errors.Is(err, exportdoc.ErrInvalid) || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("signed by another key: %v", err)
	}

	// --until before the alert leaves it (and what follows) out.
	var alertTS int64
	for _, e := range evs.Events {
		if e.EventID == alertID.String() {
			alertTS = e.TS
		}
	}
	res, err = sa.ExportRoom(ctx(t), roomID, filepath.Join(t.TempDir(), "bis"), session.ExportOptions{Until: time.UnixMilli(alertTS - 1)})
	if err != nil || res.Alerts != 0 || res.Events == 0 || res.Events >= len(evs.Events) || res.Manifest.UntilTS == nil ||
		*res.Manifest.UntilTS != alertTS-1 {
		t.Errorf("until before the alert: %+v, %v", res, err)
	}

	// A non-empty directory needs Force; a range after everything holds no events.
	if _, err := sa.ExportRoom(ctx(t), roomID, dir, session.ExportOptions{}); !errors.Is(err, exportdoc.ErrDirNotEmpty) {
		t.Errorf("non-empty dir: %v", err)
	}
	res, err = sa.ExportRoom(ctx(t), roomID, dir, session.ExportOptions{Force: true, Since: time.Now().Add(time.Hour), Lang: "en"})
	if err != nil || res.Events != 0 || res.Alerts != 0 {
		t.Errorf("empty range: %+v, %v", res, err)
	}
	if _, err := sb.VerifyExport(ctx(t), dir); err != nil {
		t.Errorf("verify after --force: %v", err)
	}

	// disable_chat_export refuses it, before anything is written.
	if err := sa.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(ctx(t), session.ApplyPolicy(leit.config(), policyFrom(t, `{"managed": {"disable_chat_export": true}}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	blocked := filepath.Join(t.TempDir(), "blocked")
	if _, err := s.ExportRoom(ctx(t), roomID, blocked, session.ExportOptions{}); !errors.Is(err, session.ErrChatExportDisabled) ||
		!errors.Is(err, session.ErrPolicyDenied) {
		t.Errorf("policy: %v", err)
	}
	if _, err := os.Stat(blocked); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused export created its directory: %v", err)
	}
	if err := s.CheckChatExport(); !errors.Is(err, session.ErrChatExportDisabled) {
		t.Errorf("CheckChatExport: %v", err)
	}
}
