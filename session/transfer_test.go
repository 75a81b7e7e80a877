package session_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// Uploads and downloads report their progress and can be cancelled half-way: a cancelled upload
// sends no message and leaves nothing in the queue, a cancelled save leaves no file behind.
func TestTransferProgressAndCancel(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	a, b := newAccount(t, srv, "xferA"), newAccount(t, srv, "xferB")
	sa, sb := a.login(t), b.login(t)
	dir := t.TempDir()
	data := make([]byte, 8<<20)
	_, _ = rand.Read(data)
	path := filepath.Join(dir, "einsatz.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Transfer", Encrypted: true})
	mustSync(t, sa)

	// Cancelled after the first MiB went out: no message, nothing queued.
	up, cancel := context.WithCancel(ctx(t))
	var seen atomic.Int64
	up = session.WithProgress(up, func(done, total int64) {
		seen.Store(done)
		if total != int64(len(data)) {
			t.Errorf("upload total %d, want %d", total, len(data))
		}
		if done >= 1<<20 {
			cancel()
		}
	})
	if _, err := sa.SendFilePath(up, roomID, path, "application/octet-stream"); !errors.Is(err, session.ErrTransferCancelled) {
		t.Fatalf("cancelled upload: %v", err)
	}
	if n := seen.Load(); n < 1<<20 || n >= int64(len(data)) {
		t.Fatalf("cancelled at %d of %d bytes", n, len(data))
	}
	out, err := sa.Outgoing(ctx(t), roomID)
	if err != nil || len(out) != 0 {
		t.Fatalf("queue after a cancelled upload: %v, %v", out, err)
	}

	// A whole upload reports every byte, in order.
	var last atomic.Int64
	full := session.WithProgress(ctx(t), func(done, total int64) {
		if done < last.Load() {
			t.Errorf("progress went back from %d to %d", last.Load(), done)
		}
		last.Store(done)
	})
	txn, err := sa.SendFilePath(full, roomID, path, "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	if last.Load() != int64(len(data)) {
		t.Fatalf("upload progress ended at %d of %d", last.Load(), len(data))
	}
	eventID, err := sa.WaitSent(ctx(t), txn)
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, sb, roomID, func(e session.TimelineEvent) bool { return e.EventID == eventID })
	msgs, err := sb.Timeline(ctx(t), roomID, 100)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, m := range msgs {
		if m.File != nil {
			files++
		}
	}
	if files != 1 {
		t.Fatalf("b sees %d files, want only the one not cancelled", files)
	}

	// A video's info carries its duration (read from the MP4's movie header), so Element shows it.
	mvhd := append([]byte{0, 0, 0, 108, 'm', 'v', 'h', 'd', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0x03, 0xe8, 0, 0, 0x30, 0x39}, make([]byte, 80)...)
	mp4 := append([]byte{0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 0, 0, 0, 116, 'm', 'o', 'o', 'v'}, mvhd...)
	vtxn, err := sa.SendFile(ctx(t), roomID, "einsatz.mp4", "video/mp4", mp4)
	if err != nil {
		t.Fatal(err)
	}
	videoID, err := sa.WaitSent(ctx(t), vtxn)
	if err != nil {
		t.Fatal(err)
	}
	video := waitEvent(t, sb, roomID, func(e session.TimelineEvent) bool { return e.EventID == videoID })
	var vc struct {
		Info struct {
			Duration int `json:"duration"`
		} `json:"info"`
	}
	if err := json.Unmarshal(video.Content, &vc); err != nil || video.MsgType != "m.video" || vc.Info.Duration != 12345 {
		t.Fatalf("video: %s, duration %d ms, %v", video.MsgType, vc.Info.Duration, err)
	}
	// The receiver's timeline carries it for the row's "Video: einsatz.mp4 (0:12, …)".
	msgs, err = sb.Timeline(ctx(t), roomID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.EventID == videoID && (m.File == nil || m.File.DurationMS != 12345) {
			t.Errorf("timeline video file %+v, want duration 12345 ms", m.File)
		}
	}

	// Saving: cancelled half-way, no file and no partial file; then complete, with progress.
	saveDir := t.TempDir()
	dest := filepath.Join(saveDir, "einsatz.bin")
	down, cancelDown := context.WithCancel(ctx(t))
	down = session.WithProgress(down, func(done, total int64) {
		if done >= 1<<20 {
			cancelDown()
		}
	})
	if err := sb.SaveFile(down, eventID, dest); !errors.Is(err, session.ErrTransferCancelled) {
		t.Fatalf("cancelled save: %v", err)
	}
	if left, _ := os.ReadDir(saveDir); len(left) != 0 {
		t.Fatalf("a cancelled save left %v", left)
	}
	var got atomic.Int64
	save := session.WithProgress(ctx(t), func(done, total int64) { got.Store(done) })
	if err := sb.SaveFile(save, eventID, dest); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(dest)
	if err != nil || !bytes.Equal(saved, data) {
		t.Fatalf("saved %d bytes, %v", len(saved), err)
	}
	if got.Load() < int64(len(data)) { // the ciphertext is as long as the plaintext
		t.Fatalf("download progress ended at %d of %d", got.Load(), len(data))
	}
	if st, _ := os.Stat(dest); st.Mode().Perm() != 0o600 {
		t.Errorf("saved file mode %v", st.Mode().Perm())
	}
	if left, _ := os.ReadDir(saveDir); len(left) != 1 {
		t.Fatalf("after saving: %v", left)
	}

	// Opened for the system player: decrypted into a private temporary file, gone after Close.
	tmp, err := sb.OpenFileTemp(ctx(t), eventID)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := os.ReadFile(tmp)
	if err != nil || !bytes.Equal(opened, data) || filepath.Base(tmp) != "einsatz.bin" {
		t.Fatalf("opened %s: %d bytes, %v", tmp, len(opened), err)
	}
	for p, want := range map[string]os.FileMode{tmp: 0o600, filepath.Dir(tmp): 0o700, filepath.Dir(filepath.Dir(tmp)): 0o700} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(filepath.Dir(tmp))); !os.IsNotExist(err) {
		t.Fatalf("temporary files after Close: %v", err)
	}
}
