package session_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// What is not a regular file, or is over the limit, is refused at once and unread: /dev/zero used
// to be read until memory ran out, a 4 GB sparse file took 4.28 GB before it was refused.
func TestOpenAttachmentRefusesUnread(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.bin")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, c := range []struct {
		path, want string
		is         error
	}{
		{"/dev/zero", "character device", session.ErrNotRegularFile},
		{fifo, "FIFO", session.ErrNotRegularFile},
		{dir, "directory", session.ErrNotRegularFile},
		{huge, "4096.0 MB", session.ErrFileTooLarge},
	} {
		start := time.Now()
		af, err := session.OpenAttachment(c.path)
		if err == nil {
			af.Close()
			t.Fatalf("%s was opened", c.path)
		}
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nothing was sent") {
			t.Errorf("%s: %v, want %v mentioning %q", c.path, err, c.is, c.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refused after %v", c.path, d)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing allocated %d bytes", grew)
	}
	if _, err := session.OpenAttachment(filepath.Join(dir, "fehlt.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	ok := filepath.Join(dir, "ok.txt")
	if err := os.WriteFile(ok, []byte("Lage"), 0o600); err != nil {
		t.Fatal(err)
	}
	af, err := session.OpenAttachment(ok)
	if err != nil || af.Size() != 4 || af.Name() != "ok.txt" {
		t.Fatalf("regular file: %v", err)
	}
	af.Close()
}

// Files are encrypted (or not) and uploaded as a stream; the other side gets them with the same
// SHA-256, in an encrypted and in a plain room. The largest allowed file, sent into an encrypted
// room, keeps the heap far below its size.
func TestSendAttachmentStreams(t *testing.T) {
	// Not parallel: it measures the heap of the whole test binary.
	srv := testserver.Shared(t)
	a, b := newAccount(t, srv, "streamA"), newAccount(t, srv, "streamB")
	sa, sb := a.login(t), b.login(t)
	dir := t.TempDir()

	// 12 MB: more than Dendrite's default limit of 10 MB, which the test server raises.
	data := make([]byte, 12<<20)
	_, _ = rand.Read(data)
	path := filepath.Join(dir, "lagebild.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, encrypted := range []bool{true, false} {
		roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Dateien", Encrypted: encrypted})
		mustSync(t, sa)
		txn, err := sa.SendFilePath(ctx(t), roomID, path, "application/octet-stream")
		if err != nil {
			t.Fatalf("send (encrypted %v): %v", encrypted, err)
		}
		eventID, err := sa.WaitSent(ctx(t), txn)
		if err != nil {
			t.Fatal(err)
		}
		ev := waitEvent(t, sb, roomID, func(e session.TimelineEvent) bool { return e.EventID == eventID })
		if ev.Encrypted != encrypted || ev.MsgType != "m.file" || ev.Body != "lagebild.bin" {
			t.Fatalf("b got %+v", ev)
		}
		att, err := sb.DownloadFile(ctx(t), eventID)
		if err != nil || sha256.Sum256(att.Data) != sha256.Sum256(data) {
			t.Fatalf("b's download (encrypted %v): %d bytes, %v", encrypted, len(att.Data), err)
		}
	}

	// The largest allowed file (sparse: zeros), encrypted while it streams.
	big := filepath.Join(dir, "video.mp4")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(session.MaxFileSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: "Video", Encrypted: true})
	mustSync(t, sa)
	_, stop := sampleHeap()
	start := time.Now()
	txn, err := sa.SendFilePath(ctx(t), roomID, big, "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	eventID, err := sa.WaitSent(ctx(t), txn)
	grew := stop()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sent %d MB encrypted in %v; peak heap growth %.1f MB", session.MaxFileSize>>20, time.Since(start).Round(time.Millisecond), float64(grew)/(1<<20))
	if grew > 16<<20 {
		t.Errorf("sending %d MB grew the heap by %.1f MB", session.MaxFileSize>>20, float64(grew)/(1<<20))
	}
	waitEvent(t, sb, roomID, func(e session.TimelineEvent) bool { return e.EventID == eventID })
	att, err := sb.DownloadFile(ctx(t), eventID) // checks the SHA-256 of the ciphertext
	if err != nil || len(att.Data) != session.MaxFileSize || !bytes.Equal(att.Data[:4096], make([]byte, 4096)) {
		t.Fatalf("b's download of the big file: %d bytes, %v", len(att.Data), err)
	}

	// Over the limit by one byte: refused before the upload, nothing queued.
	if err := os.Truncate(big, session.MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.SendFilePath(ctx(t), roomID, big, "video/mp4"); !errors.Is(err, session.ErrFileTooLarge) {
		t.Fatalf("one byte over: %v", err)
	}
	q, err := sa.Queue(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range q {
		if e.State != session.QueueSent {
			t.Fatalf("refused file left %+v in the queue", e)
		}
	}
}

// sampleHeap samples the live heap every few milliseconds until stop, which returns the peak
// growth over the heap at the start (after a GC).
func sampleHeap() (peak *atomic.Uint64, stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	peak = &atomic.Uint64{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base && ms.HeapAlloc-base > peak.Load() {
				peak.Store(ms.HeapAlloc - base)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return peak, func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}
