// Package livekittest runs what MatrixRTC group calls need beside a test homeserver, all on
// loopback: livekit-server in --dev mode (HTTP, RTC TCP and UDP on free 127.0.0.1 ports, node
// IP 127.0.0.1), a small JWT service that does what lk-jwt-service does (POST /sfu/get: check the
// Matrix OpenID token at the homeserver's /_matrix/federation/v1/openid/userinfo, answer a
// LiveKit JWT for the room) and a .well-known/matrix/client server that announces the focus
// (org.matrix.msc4143.rtc_foci), which Dendrite cannot serve itself.
package livekittest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"

	"bosmessenger/internal/testcache"
)

// Version of livekit-server; later versions carry replace directives and do not go install.
const (
	Version = "v1.13.5"
	Module  = "github.com/livekit/livekit-server/cmd/server"
)

// Binary returns livekit-server from the test cache, installing it there on first use.
func Binary(ctx context.Context) (string, error) {
	return testcache.GoTool(ctx, "livekit-server", Module, Version)
}

// Focus is a running LiveKit focus.
type Focus struct {
	LiveKitURL   string // ws://127.0.0.1:PORT
	ServiceURL   string // the JWT service (livekit_service_url)
	WellKnownURL string // base of /.well-known/matrix/client with rtc_foci
	APIKey       string
	apiSecret    string
	cmd          *exec.Cmd
	logs         *lockedBuffer
}

// Options of Start.
type Options struct {
	// Homeservers maps a server name to the base URL of its federation API, where the JWT
	// service checks OpenID tokens (/_matrix/federation/v1/openid/userinfo).
	Homeservers map[string]string
}

// Start runs livekit-server, the JWT service and the well-known server until the test ends.
func Start(t testing.TB, opts Options) *Focus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin, err := Binary(ctx)
	testcache.Require(t, "livekit-server "+Version, err)
	f := &Focus{APIKey: "devkey", apiSecret: randomHex(t, 32), logs: &lockedBuffer{}}
	httpPort, tcpPort, udpPort := freeTCP(t), freeTCP(t), freeUDP(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`port: %d
bind_addresses: ["127.0.0.1"]
rtc:
  tcp_port: %d
  udp_port: %d
  node_ip: 127.0.0.1
  use_external_ip: false
  enable_loopback_candidate: true
  interfaces:
    includes: ["lo"]
  ips:
    includes: ["127.0.0.1/32"]
turn:
  enabled: false
keys:
  %s: %s
logging:
  level: info
`, httpPort, tcpPort, udpPort, f.APIKey, f.apiSecret)
	cfgPath := filepath.Join(dir, "livekit.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	f.cmd = exec.Command(bin, "--dev", "--config", cfgPath)
	f.cmd.Stdout, f.cmd.Stderr = f.logs, f.logs
	if err := f.cmd.Start(); err != nil {
		t.Fatalf("failed to start livekit-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = f.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = f.cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("livekit-server log tail:\n%s", f.logs.tail(6000))
		}
	})
	f.LiveKitURL = fmt.Sprintf("ws://127.0.0.1:%d", httpPort)
	waitReady(t, fmt.Sprintf("http://127.0.0.1:%d/", httpPort), exited, f.logs)

	svc := &http.Server{Handler: f.jwtHandler(opts.Homeservers), ReadHeaderTimeout: 10 * time.Second}
	f.ServiceURL = serve(t, svc)
	wk := &http.Server{Handler: f.wellKnownHandler(), ReadHeaderTimeout: 10 * time.Second}
	f.WellKnownURL = serve(t, wk)
	return f
}

// Logs is livekit-server's output so far.
func (f *Focus) Logs() string { return f.logs.tail(1 << 20) }

// wellKnownHandler answers /.well-known/matrix/client with the focus.
func (f *Focus) wellKnownHandler() http.Handler {
	type focus struct {
		Type       string `json:"type"`
		ServiceURL string `json:"livekit_service_url"`
	}
	body := struct {
		Foci []focus `json:"org.matrix.msc4143.rtc_foci"`
	}{Foci: []focus{{Type: "livekit", ServiceURL: f.ServiceURL}}}
	data, _ := json.Marshal(body)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/matrix/client", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	})
	return mux
}

type sfuRequest struct {
	Room        string `json:"room"`
	OpenIDToken struct {
		AccessToken      string `json:"access_token"`
		MatrixServerName string `json:"matrix_server_name"`
	} `json:"openid_token"`
	DeviceID string `json:"device_id"`
}

// jwtHandler is the lk-jwt-service stand-in: POST /sfu/get.
func (f *Focus) jwtHandler(hs map[string]string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sfu/get", func(w http.ResponseWriter, r *http.Request) {
		var req sfuRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 64*1024)).Decode(&req); err != nil || req.Room == "" ||
			req.DeviceID == "" || req.OpenIDToken.AccessToken == "" {
			http.Error(w, `{"errcode":"M_BAD_JSON"}`, http.StatusBadRequest)
			return
		}
		base, ok := hs[req.OpenIDToken.MatrixServerName]
		if !ok {
			http.Error(w, `{"errcode":"M_FORBIDDEN"}`, http.StatusForbidden)
			return
		}
		user, err := openIDUser(r.Context(), base, req.OpenIDToken.AccessToken)
		if err != nil || !strings.HasSuffix(user, ":"+req.OpenIDToken.MatrixServerName) {
			http.Error(w, `{"errcode":"M_UNAUTHORIZED"}`, http.StatusUnauthorized)
			return
		}
		at := auth.NewAccessToken(f.APIKey, f.apiSecret).SetIdentity(user + ":" + req.DeviceID).SetName(user).
			SetValidFor(time.Hour).SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: req.Room,
			CanPublish: ptr(true), CanSubscribe: ptr(true)})
		jwt, err := at.ToJWT()
		if err != nil {
			http.Error(w, `{"errcode":"M_UNKNOWN"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			URL string `json:"url"`
			JWT string `json:"jwt"`
		}{f.LiveKitURL, jwt})
	})
	return mux
}

// openIDUser checks an OpenID token at the homeserver and returns its user.
func openIDUser(ctx context.Context, base, token string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := strings.TrimRight(base, "/") + "/_matrix/federation/v1/openid/userinfo?access_token=" + url.QueryEscape(token)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := insecureLoopback.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("userinfo: HTTP %d", resp.StatusCode)
	}
	var info struct {
		Sub string `json:"sub"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&info); err != nil || info.Sub == "" {
		return "", errors.New("userinfo: no sub")
	}
	return info.Sub, nil
}

// insecureLoopback checks tokens at test homeservers, whose federation listeners have
// self-signed certificates; it reaches nothing but loopback.
var insecureLoopback = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback test servers only
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("livekittest: %s is not a loopback address", addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}

func ptr[T any](v T) *T { return &v }

func serve(t testing.TB, srv *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func waitReady(t testing.TB, u string, exited <-chan struct{}, logs *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("livekit-server exited at start:\n%s", logs.tail(6000))
		default:
		}
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("livekit-server not ready after 2 minutes:\n%s", logs.tail(6000))
}

func freeTCP(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func freeUDP(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
