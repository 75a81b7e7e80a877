package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/policy"
)

// policyFrom resolves a policy file's content.
func policyFrom(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	src, err := policy.ParseJSON("test-policy.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Resolve(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func bodies(events []session.TimelineEvent) []string {
	var out []string
	for _, e := range events {
		if e.Body != "" {
			out = append(out, e.Body)
		}
	}
	return out
}

// keep_messages_days: at open, messages older than the cut are gone from the store, newer ones
// stay, and scrolling back does not load the old ones from the server again.
func TestRetentionRemovesOldMessagesAtOpen(t *testing.T) {
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "keep")
	s := alice.login(t)
	roomID, err := s.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Einsatz", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	mustSend(t, s, roomID, "alt eins")
	mustSend(t, s, roomID, "alt zwei")
	time.Sleep(20 * time.Millisecond)
	mustSend(t, s, roomID, "neu")
	events := waitForBodies(t, s, roomID, 50, "alt eins", "alt zwei", "neu")
	var tsOld, tsNew int64
	for _, e := range events {
		switch e.Body {
		case "alt zwei":
			tsOld = e.TS
		case "neu":
			tsNew = e.TS
		}
	}
	if tsNew <= tsOld {
		t.Fatalf("timestamps %d %d", tsOld, tsNew)
	}
	s.Close()

	// 30 days later, as seen from the middle between "alt zwei" and "neu"
	mid := time.UnixMilli((tsOld + tsNew) / 2)
	defer session.SetClockForTest(func() time.Time { return mid.Add(30 * 24 * time.Hour) })()
	cfg := session.ApplyPolicy(alice.config(), policyFrom(t, `{"managed": {"keep_messages_days": 30}}`))
	if cfg.KeepMessagesDays != 30 {
		t.Fatalf("KeepMessagesDays %d", cfg.KeepMessagesDays)
	}
	s2, err := session.Open(ctx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	hist, err := s2.History(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	got := bodies(hist)
	if slices.Contains(got, "alt eins") || slices.Contains(got, "alt zwei") || !slices.Contains(got, "neu") {
		t.Fatalf("after the cut: %q", got)
	}
	if n, err := s2.Backfill(ctx(t), roomID, 50); err != nil || n != 0 {
		t.Fatalf("backfill loaded %d (err %v)", n, err)
	}
	if hist, _ = s2.History(ctx(t), roomID, 50); slices.Contains(bodies(hist), "alt eins") {
		t.Fatalf("old messages back after scrolling: %q", bodies(hist))
	}
	// nothing of the old text is left in the store file in the clear either
	data, err := os.ReadFile(filepath.Join(alice.Dir, "bos.db"))
	if err == nil && strings.Contains(string(data), "alt eins") {
		t.Fatal("plaintext in bos.db")
	}
}

// max_upload_mb refuses larger files before reading them; disable_key_export and
// disable_file_save are refused with ErrPolicyDenied; notification_content reaches the session
// typed, with the BOS-mode default none.
func TestManagedSettingsInTheEngine(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice := newAccount(t, srv, "mgd")
	alice.login(t).Close()
	p := policyFrom(t, `{"managed": {"max_upload_mb": 1, "disable_key_export": true, "disable_file_save": true,
		"notification_content": "full"}}`)
	s, err := session.Open(ctx(t), session.ApplyPolicy(alice.config(), p))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	roomID, err := s.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Dateien", Encrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxUploadBytes() != 1<<20 {
		t.Fatalf("MaxUploadBytes %d", s.MaxUploadBytes())
	}
	if err := s.CheckUpload("gross.pdf", 1<<20+1); !errors.Is(err, session.ErrFileTooLarge) || !strings.Contains(err.Error(), "at most 1 MB") {
		t.Fatalf("CheckUpload: %v", err)
	}
	if _, err := s.SendFile(ctx(t), roomID, "gross.bin", "application/octet-stream", make([]byte, 1<<20+1)); !errors.Is(err, session.ErrFileTooLarge) {
		t.Fatalf("SendFile over the limit: %v", err)
	}
	if _, err := s.SendFile(ctx(t), roomID, "klein.txt", "text/plain", []byte("Lagebild")); err != nil {
		t.Fatalf("SendFile under the limit: %v", err)
	}
	if _, err := s.ExportRoomKeys(ctx(t), "export passphrase"); !errors.Is(err, session.ErrPolicyDenied) || !errors.Is(err, session.ErrKeyExportDisabled) {
		t.Fatalf("ExportRoomKeys: %v", err)
	}
	if err := s.CheckFileSave(); !errors.Is(err, session.ErrPolicyDenied) {
		t.Fatalf("CheckFileSave: %v", err)
	}
	if s.NotificationContent() != session.NotifyFull {
		t.Fatalf("notification content %q", s.NotificationContent())
	}
	s.Close()

	// without a policy: everything allowed, notifications show the sender; in BOS mode: none
	for doc, want := range map[string]session.NotificationContent{`{}`: session.NotifySender, `{"recommended": {"bos_mode": true}}`: session.NotifyNone} {
		cfg := session.ApplyPolicy(alice.config(), policyFrom(t, doc))
		if cfg.NotificationContent != want {
			t.Errorf("%s: notification content %q, want %q", doc, cfg.NotificationContent, want)
		}
	}
	s, err = session.Open(ctx(t), session.ApplyPolicy(alice.config(), policyFrom(t, `{}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustSend(t, s, roomID, "Lage")
	if _, err := s.ExportRoomKeys(ctx(t), "export passphrase"); err != nil {
		t.Fatalf("ExportRoomKeys without policy: %v", err)
	}
	if s.CheckFileSave() != nil || s.MaxUploadBytes() != session.MaxFileSize {
		t.Fatal("defaults")
	}
}
