//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"bosmessenger/session"
)

// runRSS runs bosctl on u's data dir like u.run and also returns the peak resident memory of the
// process in bytes: the largest VmHWM read from /proc/PID/status while it runs. getrusage's
// ru_maxrss cannot be used: Go starts children with vfork semantics, so at exec the child's
// maxrss takes over the test process's own high-water mark (628 MB once parallel tests had
// grown it), whatever bosctl itself used. It falls back to ru_maxrss only when the process ended
// before the first reading.
func (u *user) runRSS(args ...string) (result, int64) {
	u.t.Helper()
	args = append([]string{"--data", u.dir}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := bosctlCmd(ctx, runOpts{}, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		u.t.Fatalf("bosctl %s: %v", strings.Join(args, " "), err)
	}
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var hwm int64
		status := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "status")
		for {
			if v := vmHWM(status); v > hwm {
				hwm = v
			}
			select {
			case <-done:
				peak <- hwm
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	sampled := <-peak
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), dur: time.Since(start)}
	if cmd.ProcessState == nil {
		u.t.Fatalf("bosctl %s: %v", strings.Join(args, " "), err)
	}
	r.code = cmd.ProcessState.ExitCode()
	if sampled > 0 {
		return r, sampled
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		u.t.Fatalf("no rusage for bosctl %s", strings.Join(args, " "))
	}
	return r, ru.Maxrss << 10 // Linux reports KiB
}

// vmHWM reads the peak resident set ("VmHWM: N kB") from a /proc/PID/status file, 0 when it
// cannot (the process is gone, or a zombie without memory).
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

func sparseFile(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

const mb = 1 << 20

// send-file refuses what is not a regular file, and a file over the limit, at once and without
// reading it: /dev/zero used to be read forever, a 4 GB sparse file cost 4.28 GB before it was
// refused.
func TestSendFileRefusesUnread(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a := loggedIn(t, srv, "refuser")
	roomID := a.createRoom("--name", "Ablage", "--plain")
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := sparseFile(t, filepath.Join(dir, "huge.bin"), 4<<30)
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "/dev/zero is a character device"},
		{fifo, "is a FIFO"},
		{dir, "is a directory"},
		{huge, "too large: huge.bin has 4096.0 MB, at most 100.0 MB"},
	} {
		r, rss := a.runRSS("send-file", roomID, c.path)
		mustFail(t, r, 1, c.want)
		if !strings.Contains(r.stderr, "nothing was sent") {
			t.Errorf("%s: %v", c.path, r)
		}
		if r.dur > 10*time.Second || rss > 100*mb {
			t.Errorf("%s: refused after %v with a peak RSS of %d MB", c.path, r.dur, rss/mb)
		}
		t.Logf("%s refused after %v, peak RSS %.1f MB", c.path, r.dur.Round(time.Millisecond), float64(rss)/mb)
	}
	if len(a.run("queue", "--json").lines()) != 1 {
		t.Fatal("queue --json is not one line")
	}
	if q := a.ok("queue", "--json").stdout; q != "[]\n" {
		t.Fatalf("refused files left a queue: %s", q)
	}
}

// send-file streams: the largest allowed file (100 MB, sparse) costs bosctl about as much memory
// as a tiny one, and files arrive with the same SHA-256 in an encrypted and in a plain room.
func TestSendFileStreams(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "streamer"), loggedIn(t, srv, "streamee")
	encRoom := a.createRoom("--name", "Videos", "--invite", b.id) // encrypted by default
	b.ok("join", encRoom)
	plainRoom := sharedRoom(t, a, b, "Videos offen")
	dir := t.TempDir()

	small := filepath.Join(dir, "klein.txt")
	if err := os.WriteFile(small, []byte("Lage ruhig\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, base := a.runRSS("send-file", encRoom, small)
	oneID(t, mustOK(t, r), eventIDRe)
	big := sparseFile(t, filepath.Join(dir, "einsatz.mp4"), session.MaxFileSize)
	r, peak := a.runRSS("send-file", encRoom, big)
	bigEvent := oneID(t, mustOK(t, r), eventIDRe)
	t.Logf("bosctl send-file, encrypted room: 11 bytes: peak RSS %.1f MB; %d MB: peak RSS %.1f MB in %v",
		float64(base)/mb, session.MaxFileSize/mb, float64(peak)/mb, r.dur.Round(time.Millisecond))
	if peak-base > 32*mb {
		t.Errorf("sending %d MB raised the peak RSS from %.1f to %.1f MB", session.MaxFileSize/mb, float64(base)/mb, float64(peak)/mb)
	}
	b.ok("sync", "--once")
	zeros := sha256.New()
	_, _ = io.CopyN(zeros, zeroReader{}, session.MaxFileSize)
	if got := b.download(bigEvent, filepath.Join(dir, "b-einsatz.mp4")); !bytes.Equal(got, zeros.Sum(nil)) {
		t.Fatal("the big file arrived with another SHA-256")
	}

	data := make([]byte, 12*mb) // over Dendrite's default limit of 10 MB
	_, _ = rand.Read(data)
	path := filepath.Join(dir, "lagebild.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	for _, roomID := range []string{encRoom, plainRoom} {
		eventID := oneID(t, a.ok("send-file", roomID, path), eventIDRe)
		b.ok("sync", "--once")
		if got := b.download(eventID, filepath.Join(dir, "b-"+eventID[1:9]+".bin")); !bytes.Equal(got, want[:]) {
			t.Fatalf("%s: the file arrived with another SHA-256", roomID)
		}
	}
}

// download fetches an attachment with bosctl download and returns the SHA-256 of the file.
func (u *user) download(eventID, out string) []byte {
	u.t.Helper()
	u.ok("download", eventID, "--out", out)
	f, err := os.Open(out)
	if err != nil {
		u.t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		u.t.Fatal(err)
	}
	return h.Sum(nil)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
