package session_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"bosmessenger/session"
)

// TestDiscoverRefusesCredentialsAndSchemes: a homeserver URL with credentials is refused without
// echoing them, and any scheme but http and https is unsupported; neither reaches the network.
func TestDiscoverRefusesCredentialsAndSchemes(t *testing.T) {
	var hits atomic.Int64
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer web.Close()
	host := strings.TrimPrefix(web.URL, "http://")
	for _, tc := range []struct {
		input string
		want  error
	}{
		{"http://alice:geheim-123@" + host, session.ErrCredentialsInURL},
		{"https://alice@" + host + "/path", session.ErrCredentialsInURL},
		{"alice:geheim-123@" + host, session.ErrCredentialsInURL},
		{"@alice:geheim-123@" + host, session.ErrCredentialsInURL},
		{"ftp://" + host, session.ErrUnsupportedScheme},
		{"file:///etc/passwd", session.ErrUnsupportedScheme},
		{"FTP://alice:geheim-123@" + host, session.ErrUnsupportedScheme},
	} {
		_, err := session.Discover(context.Background(), http.DefaultClient, tc.input)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.input, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "geheim") {
			t.Errorf("%s: the error echoes the password: %v", tc.input, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("refused input reached the server %d times", n)
	}
}
