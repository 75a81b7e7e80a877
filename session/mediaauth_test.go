package session_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// mediaProxy stands in front of Dendrite and changes what /versions says about authenticated
// media: with v1 it adds v1.11 and serves /_matrix/client/v1/media/download only with an access
// token; without, it removes v1.11+ and the MSC3916 flag and answers the v1 endpoints with
// M_UNRECOGNIZED, like a server that lacks them. It counts the downloads per endpoint.
type mediaProxy struct {
	URL                       string
	v1Hits, v1NoToken, v3Hits atomic.Int32
}

func newMediaProxy(t *testing.T, srv *testserver.Server, v1 bool) *mediaProxy {
	target, _ := url.Parse(srv.URL)
	p := &mediaProxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/_matrix/client/versions" {
			return nil
		}
		var v struct {
			Versions []string        `json:"versions"`
			Unstable map[string]bool `json:"unstable_features"`
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || json.Unmarshal(body, &v) != nil {
			return err
		}
		if v1 {
			v.Versions = append(v.Versions, "v1.11")
		} else {
			delete(v.Unstable, "org.matrix.msc3916.stable")
			delete(v.Unstable, "org.matrix.msc3916")
			var kept []string
			for _, s := range v.Versions {
				if s < "v1.11" || len(s) < len("v1.11") {
					kept = append(kept, s)
				}
			}
			v.Versions = kept
		}
		out, _ := json.Marshal(v)
		resp.Body = io.NopCloser(strings.NewReader(string(out)))
		resp.ContentLength = int64(len(out))
		resp.Header.Del("Content-Length")
		return nil
	}
	srvP := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/_matrix/client/v1/media/download/"); ok {
			p.v1Hits.Add(1)
			switch {
			case !v1:
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`))
				return
			case !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
				p.v1NoToken.Add(1)
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"errcode":"M_MISSING_TOKEN","error":"no token"}`))
				return
			}
			r.URL.Path = "/_matrix/media/v3/download/" + rest
		} else if strings.HasPrefix(r.URL.Path, "/_matrix/media/v3/download/") {
			p.v3Hits.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srvP.Close)
	p.URL = srvP.URL
	return p
}

// Downloads follow /versions: with v1.11 (or the MSC3916 flag, which Dendrite v0.13.8 has) the
// authenticated /_matrix/client/v1/media/download with the access token, without them the older
// /_matrix/media/v3/download; both fetch the same file from the real Dendrite behind.
func TestAuthenticatedMediaFollowsVersions(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	withV1, withoutV1 := newMediaProxy(t, srv, true), newMediaProxy(t, srv, false)
	a := newAccount(t, srv, "authA")
	sa := a.login(t)
	loginVia := func(p *mediaProxy, prefix string) *session.Session {
		acc := newAccount(t, srv, prefix)
		s, err := session.Login(ctx(t), acc.config(), p.URL, acc.Local, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	sv1, sv3 := loginVia(withV1, "authV1"), loginVia(withoutV1, "authV3")

	// What Dendrite itself says decides for the direct session.
	resp, err := http.Get(srv.URL + "/_matrix/client/versions")
	if err != nil {
		t.Fatal(err)
	}
	var dv struct {
		Versions []string        `json:"versions"`
		Unstable map[string]bool `json:"unstable_features"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&dv)
	resp.Body.Close()
	dendriteV1 := dv.Unstable["org.matrix.msc3916.stable"]
	for _, v := range dv.Versions {
		dendriteV1 = dendriteV1 || v == "v1.11"
	}
	t.Logf("Dendrite advertises %v, MSC3916 stable %v", dv.Versions, dv.Unstable["org.matrix.msc3916.stable"])
	if got := sa.AuthenticatedMedia(ctx(t)); got != dendriteV1 {
		t.Errorf("direct session: authenticated media %v, Dendrite advertises %v", got, dendriteV1)
	}
	if !sv1.AuthenticatedMedia(ctx(t)) || sv3.AuthenticatedMedia(ctx(t)) {
		t.Fatalf("authenticated media: with v1.11 %v, without %v", sv1.AuthenticatedMedia(ctx(t)), sv3.AuthenticatedMedia(ctx(t)))
	}

	path := filepath.Join(t.TempDir(), "lage.txt")
	if err := os.WriteFile(path, []byte("Lagemeldung 14:05"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		s      *session.Session
		p      *mediaProxy
		v1, v3 int32
	}{{"v1.11", sv1, withV1, 1, 0}, {"no v1", sv3, withoutV1, 0, 1}} {
		roomID := sharedRoom(t, sa, c.s, session.CreateRoomOptions{Name: "Medien", Encrypted: true})
		mustSync(t, sa)
		txn, err := sa.SendFilePath(ctx(t), roomID, path, "text/plain")
		if err != nil {
			t.Fatal(err)
		}
		eventID, err := sa.WaitSent(ctx(t), txn)
		if err != nil {
			t.Fatal(err)
		}
		waitEvent(t, c.s, roomID, func(e session.TimelineEvent) bool { return e.EventID == eventID })
		att, err := c.s.DownloadFile(ctx(t), eventID)
		if err != nil || string(att.Data) != "Lagemeldung 14:05" {
			t.Fatalf("%s: download: %v", c.name, err)
		}
		if c.p.v1Hits.Load() != c.v1 || c.p.v1NoToken.Load() != 0 || c.p.v3Hits.Load() != c.v3 {
			t.Errorf("%s: v1 downloads %d (without token %d), v3 downloads %d; want %d, 0, %d", c.name,
				c.p.v1Hits.Load(), c.p.v1NoToken.Load(), c.p.v3Hits.Load(), c.v1, c.v3)
		}
		waitEvent(t, sa, roomID, func(e session.TimelineEvent) bool { return e.EventID == eventID })
		if att, err := sa.DownloadFile(ctx(t), eventID); err != nil || string(att.Data) != "Lagemeldung 14:05" {
			t.Fatalf("direct download: %v", err)
		}
	}
}
