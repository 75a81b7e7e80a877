package session

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// AttachmentFile is a local file opened for sending: a regular file within MaxFileSize whose size
// was checked before a byte of it was read.
type AttachmentFile struct {
	f    *os.File
	info os.FileInfo
}

// Size is the file's size when it was opened; exactly this many bytes are sent.
func (a *AttachmentFile) Size() int64 { return a.info.Size() }

// Name is the file's base name.
func (a *AttachmentFile) Name() string { return a.info.Name() }

// SniffMimeType guesses the MIME type from the file's first 512 bytes (http.DetectContentType),
// without moving the read position.
func (a *AttachmentFile) SniffMimeType() string {
	buf := make([]byte, 512)
	n, _ := a.f.ReadAt(buf, 0)
	return http.DetectContentType(buf[:n])
}

// Close closes the file.
func (a *AttachmentFile) Close() error { return a.f.Close() }

// reader reads exactly Size bytes: a file that shrank while it was sent is an error, one that grew
// is cut at the size it had (unchanged checks it afterwards).
func (a *AttachmentFile) reader() io.Reader {
	return &exactReader{r: a.f, left: a.info.Size(), name: a.info.Name()}
}

// unchanged reports an error when the file's size or modification time differ from when it was
// opened (it was written to while it was being sent, so what went out may be a mix).
func (a *AttachmentFile) unchanged() error {
	now, err := a.f.Stat()
	if err != nil {
		return fmt.Errorf("failed to check %s after reading it: %w", a.info.Name(), err)
	}
	if now.Size() != a.info.Size() || !now.ModTime().Equal(a.info.ModTime()) {
		return fmt.Errorf("%s changed while it was being sent; nothing was sent", a.info.Name())
	}
	return nil
}

// OpenAttachment opens a local file for SendAttachment. It refuses, before reading anything, what
// is not a regular file (directories, devices such as /dev/zero, FIFOs, sockets: ErrNotRegularFile)
// and files over MaxFileSize (ErrFileTooLarge). The checks run on the path and again on the opened
// file, so a path swapped between the two cannot slip through; the open itself never blocks (a
// FIFO without a writer would block an ordinary open).
func OpenAttachment(path string) (*AttachmentFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	if err := checkAttachment(path, st); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlocking, 0)
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	opened, err := f.Stat()
	if err == nil {
		err = checkAttachment(path, opened)
	}
	if err == nil && !os.SameFile(st, opened) {
		err = fmt.Errorf("failed to read %s: the file was replaced while it was opened; nothing was sent", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := clearNonBlocking(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to read %s: %w", path, err)
	}
	return &AttachmentFile{f: f, info: opened}, nil
}

func checkAttachment(path string, st os.FileInfo) error {
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is %s; nothing was sent", ErrNotRegularFile, path, describeMode(st.Mode()))
	}
	return checkSize(st.Name(), st.Size(), MaxFileSize)
}

// checkSize refuses a file of size bytes over limit.
func checkSize(name string, size, limit int64) error {
	if size > limit {
		return fmt.Errorf("%w: %s has %.1f MB, at most %.1f MB are allowed; nothing was sent", ErrFileTooLarge, name,
			float64(size)/(1<<20), float64(limit)/(1<<20))
	}
	return nil
}

func describeMode(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// exactReader passes on exactly left bytes of r.
type exactReader struct {
	r    io.Reader
	left int64
	name string
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if e.left > 0 {
			return n, fmt.Errorf("%s became shorter while it was being sent: %w", e.name, io.ErrUnexpectedEOF)
		}
		err = nil
	}
	if e.left == 0 && err == nil {
		err = io.EOF
	}
	return n, err
}

// ReadAll reads the whole file (exactly Size bytes; for small files such as a voice message
// that is parsed before it is sent).
func (a *AttachmentFile) ReadAll() ([]byte, error) {
	return io.ReadAll(a.reader())
}
