package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// Authenticated media (MSC3916, Matrix v1.11): downloads go to /_matrix/client/v1/media/… with the
// access token when the homeserver advertises them in /versions (v1.11, or the unstable feature
// org.matrix.msc3916.stable); otherwise to the older unauthenticated /_matrix/media/v3/….

// mediaAuthCache remembers per session whether the server has authenticated media.
var mediaAuthCache sync.Map // *Session -> bool

// authenticatedMedia reports whether downloads use the authenticated media endpoints (asks the
// homeserver's /versions once; a failed request is asked again next time and counts as no).
func (s *Session) authenticatedMedia(ctx context.Context) bool {
	if v, ok := mediaAuthCache.Load(s); ok {
		return v.(bool)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var resp mautrix.RespVersions
	_, err := s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
		Method: http.MethodGet, URL: s.cli.BuildClientURL("versions"), ResponseJSON: &resp, MaxAttempts: 1,
	})
	if err != nil {
		return false
	}
	auth := resp.ContainsGreaterOrEqual(mautrix.SpecV111) || resp.UnstableFeatures["org.matrix.msc3916.stable"]
	mediaAuthCache.Store(s, auth)
	return auth
}

// mediaDownloadURL is the download URL of mxc, authenticated (MSC3916) or the older one.
func (s *Session) mediaDownloadURL(authenticated bool, mxc id.ContentURI) string {
	if authenticated {
		return s.cli.BuildClientURL("v1", "media", "download", mxc.Homeserver, mxc.FileID)
	}
	return s.cli.BuildURL(mautrix.MediaURLPath{"v3", "download", mxc.Homeserver, mxc.FileID})
}

// downloadMedia fetches the content of mxc (authenticated where the server has it, see
// AuthenticatedMedia; a server that advertises them but answers M_UNRECOGNIZED gets the older
// endpoint).
func (s *Session) downloadMedia(ctx context.Context, mxc id.ContentURI) ([]byte, error) {
	if mxc.IsEmpty() {
		return nil, fmt.Errorf("failed to download: empty mxc URI")
	}
	auth := s.authenticatedMedia(ctx)
	_, resp, err := s.cli.MakeFullRequestWithResp(ctx, mautrix.FullRequest{
		Method: http.MethodGet, URL: s.mediaDownloadURL(auth, mxc), DontReadResponse: true,
	})
	if auth && errors.Is(err, mautrix.MUnrecognized) { // advertised but not there after all
		_, resp, err = s.cli.MakeFullRequestWithResp(ctx, mautrix.FullRequest{
			Method: http.MethodGet, URL: s.mediaDownloadURL(false, mxc), DontReadResponse: true,
		})
	}
	return readMedia(ctx, resp, err)
}

// readMedia reads a download's body, reporting progress to the context's ProgressFunc.
func readMedia(ctx context.Context, resp *http.Response, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(newProgressReader(ctx, resp.Body, resp.ContentLength))
	if err != nil {
		return nil, fmt.Errorf("failed to download: %w", err)
	}
	return data, nil
}
