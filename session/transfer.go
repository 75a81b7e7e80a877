package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"maunium.net/go/mautrix/id"
)

// ProgressFunc is told how many bytes of a file transfer (upload or download) are done of
// total (total is -1 when the server did not say). It is called from the transferring
// goroutine, often: it must return quickly.
type ProgressFunc func(done, total int64)

type progressKey struct{}

// WithProgress returns a context under which SendAttachment, SendFilePath, SendFile,
// DownloadFile and SaveFile report their progress to fn. Cancelling the context cancels the
// transfer: an upload sends no message (ErrTransferCancelled), a download writes no file.
func WithProgress(ctx context.Context, fn ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// progressReader reports what is read through it to the context's ProgressFunc and stops
// with the context's error once the context is cancelled, so a cancel takes effect at the next
// read even where the HTTP client would still send what it has buffered.
type progressReader struct {
	ctx   context.Context
	r     io.Reader
	fn    ProgressFunc
	n     int64
	total int64
}

func newProgressReader(ctx context.Context, r io.Reader, total int64) *progressReader {
	fn, _ := ctx.Value(progressKey{}).(ProgressFunc)
	if fn != nil {
		fn(0, total)
	}
	return &progressReader{ctx: ctx, r: r, fn: fn, total: total}
}

func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	p.n += int64(n)
	if n > 0 && p.fn != nil {
		p.fn(p.n, p.total)
	}
	return n, err
}

// saveFile downloads the attachment of a stored event (see DownloadFile) into path. The file
// appears only complete: it is written under a temporary name beside path and renamed, and
// removed again when the download fails or is cancelled (ErrTransferCancelled).
func (s *Session) saveFile(ctx context.Context, eventID id.EventID, path string) error {
	if err := s.CheckFileSave(); err != nil {
		return err
	}
	att, err := s.DownloadFile(ctx, eventID)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part-*")
	if err != nil {
		return fmt.Errorf("failed to save %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err = tmp.Write(att.Data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return transferError(ctx, "save "+path, err)
	}
	return nil
}

// transferError names a cancelled transfer as ErrTransferCancelled and wraps anything else.
func transferError(ctx context.Context, what string, err error) error {
	if errors.Is(err, ErrTransferCancelled) {
		return err
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%w: %s", ErrTransferCancelled, what)
	}
	return fmt.Errorf("failed to %s: %w", what, err)
}
