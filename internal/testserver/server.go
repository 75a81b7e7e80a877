package testserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Timeouts of the server lifecycle.
const (
	readyTimeout = 60 * time.Second
	stopGrace    = 10 * time.Second
	logTailBytes = 16 << 10
)

// Options configures Start.
type Options struct {
	// IP is the loopback address to bind, default "127.0.0.1"
	// (use 127.0.0.2 and so on for a second organisation).
	IP string
	// Federation adds an HTTPS federation listener with a self-signed P-256
	// certificate on FederationPort; otherwise federation is disabled.
	// With federation the server name is IP:FederationPort, because remote
	// servers reach a server named by an IP literal over HTTPS at that port.
	Federation bool
	// Dir is a data dir to reuse (for cached seeded servers); default t.TempDir().
	Dir string
	// Port is a fixed client port, default a free one. A reused Dir remembers
	// its ports (testserver.json), so they may be left zero then.
	Port int
	// FederationPort is a fixed federation port (Federation only), default a free one.
	FederationPort int
	// OpenRegistration enables /_matrix/client/v3/register without
	// verification (off by default: users come from Register).
	OpenRegistration bool
	// TURN, when set, makes /_matrix/client/v3/voip/turnServer offer these TURN URIs with
	// time-limited credentials from a shared secret (client_api.turn).
	TURN *TURN
	// NoSearch turns Dendrite's full-text search off (sync_api.search): for seeding many
	// messages, where its index merges take about half of the server's CPU per message.
	NoSearch bool
}

// TURN is the TURN server a test homeserver offers to its clients.
type TURN struct {
	URIs         []string // e.g. turn:127.0.0.1:3478?transport=udp
	SharedSecret string   // the TURN REST API secret (coturn's static-auth-secret)
	UserLifetime string   // credential lifetime, default "1h"
}

// Server is a running (or stopped) Dendrite started by the harness.
type Server struct {
	URL            string // client-server API base, http://IP:PORT
	ServerName     string // server_name: IP:PORT, or IP:FEDERATIONPORT with federation
	Dir            string // data dir (config, databases, media, logs)
	SharedSecret   string // registration_shared_secret of this run
	IP             string
	Port           int    // client port
	FederationURL  string // https://IP:FEDERATIONPORT, "" without federation
	FederationPort int    // 0 without federation
	ConfigPath     string

	bin  string
	args []string

	mu     sync.Mutex
	proc   *process
	shared bool // one of the servers of Shared or SharedFederated: tests must not stop it
}

// Start runs Dendrite with opts, waits until GET /_matrix/client/versions
// answers (and, with federation, the HTTPS listener too) and stops it when
// the test ends. Failures are fatal; the server log is printed when the test failed.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	BinDir(t)
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	s, err := StartE(context.Background(), opts)
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	s.cleanupWith(t)
	return s
}

// cleanupWith stops s at the end of the test and logs its output if the test failed.
func (s *Server) cleanupWith(t testing.TB) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testserver %s log tail:\n%s", s.ServerName, s.Logs())
		}
		s.Stop()
	})
}

// StartE is Start without testing.TB (for tools such as benchmark seeders).
// opts.Dir is required; the caller must Stop the server.
func StartE(ctx context.Context, opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("failed to start dendrite: Options.Dir is required")
	}
	bin, err := EnsureBinDir(ctx)
	if err != nil {
		return nil, err
	}
	if opts.Dir, err = filepath.Abs(opts.Dir); err != nil {
		return nil, fmt.Errorf("failed to resolve the data dir: %w", err)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("failed to create the data dir: %w", err)
	}
	if err := resolveAddrs(&opts); err != nil {
		return nil, err
	}
	s, err := prepare(ctx, bin, opts)
	if err != nil {
		return nil, err
	}
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// prepare writes config, keys and certificate into the data dir and builds the command line.
func prepare(ctx context.Context, bin string, opts Options) (*Server, error) {
	s := &Server{
		URL:        "http://" + hostPort(opts.IP, opts.Port),
		ServerName: hostPort(opts.IP, opts.Port),
		Dir:        opts.Dir,
		IP:         opts.IP,
		Port:       opts.Port,
		bin:        filepath.Join(bin, "dendrite"),
	}
	if opts.Federation {
		s.FederationPort = opts.FederationPort
		s.ServerName = hostPort(opts.IP, opts.FederationPort)
		s.FederationURL = "https://" + s.ServerName
	}
	var err error
	if s.SharedSecret, err = randomSecret(); err != nil {
		return nil, err
	}
	if err := generateSigningKey(ctx, bin, s.Dir); err != nil {
		return nil, err
	}
	s.ConfigPath, err = writeConfig(ctx, configParams{
		bin: bin, dir: s.Dir, serverName: s.ServerName, clientURL: s.URL,
		secret: s.SharedSecret, federation: opts.Federation, openRegister: opts.OpenRegistration, turn: opts.TURN,
		noSearch: opts.NoSearch,
	})
	if err != nil {
		return nil, err
	}
	s.args = []string{"-config", s.ConfigPath, "-http-bind-address", hostPort(s.IP, s.Port)}
	if opts.Federation {
		cert, key := filepath.Join(s.Dir, tlsCert), filepath.Join(s.Dir, tlsKey)
		if err := writeSelfSignedCert(s.IP, cert, key); err != nil {
			return nil, err
		}
		s.args = append(s.args, "-https-bind-address", hostPort(s.IP, s.FederationPort), "-tls-cert", cert, "-tls-key", key)
	}
	if opts.OpenRegistration {
		s.args = append(s.args, "-really-enable-open-registration")
	}
	err = writeMeta(s.Dir, meta{IP: s.IP, Port: s.Port, FederationPort: s.FederationPort, ServerName: s.ServerName})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// run starts the process and waits until it is ready; on failure it kills it.
func (s *Server) run(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil && !s.proc.exited() {
		return fmt.Errorf("failed to start dendrite %s: already running", s.ServerName)
	}
	// Dendrite v0.13.8 has a start-up race: when key-change messages are still queued in its
	// JetStream (after a kill or restart), a federation consumer can run before the roomserver's
	// query API is set and crash with a nil pointer. Such a crash right at start is retried.
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var crashed bool
		if crashed, err = s.startOnce(ctx); !crashed {
			return err
		}
	}
	return err
}

// startAttempts bounds the retries of a Dendrite that crashed while starting.
const startAttempts = 5

// settleTime is how long a freshly ready Dendrite must stay up to count as started.
const settleTime = 300 * time.Millisecond

// startOnce starts the process and waits until it is ready; crashed reports that it exited on
// its own while starting (worth another attempt).
func (s *Server) startOnce(ctx context.Context) (crashed bool, err error) {
	p, err := startProcess(s.bin, s.args, s.Dir, filepath.Join(s.Dir, logFile))
	if err != nil {
		return false, err
	}
	s.proc = p
	if err := s.waitReady(ctx, p); err != nil {
		crashed = p.exited()
		p.kill()
		return crashed, fmt.Errorf("failed to start dendrite %s: %w\n--- log tail ---\n%s", s.ServerName, err, s.Logs())
	}
	time.Sleep(settleTime)
	if p.exited() {
		return true, fmt.Errorf("failed to start dendrite %s: it exited right after start: %v\n--- log tail ---\n%s",
			s.ServerName, p.exitError(), s.Logs())
	}
	return false, nil
}

// waitReady polls the client API (and the federation listener) until they answer.
func (s *Server) waitReady(ctx context.Context, p *process) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	client := &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // self-signed test certificate
			DisableKeepAlives: true,
		},
	}
	urls := []string{s.URL + "/_matrix/client/versions"}
	if s.FederationURL != "" {
		urls = append(urls, s.FederationURL+"/_matrix/federation/v1/version")
	}
	for _, u := range urls {
		for {
			if p.exited() {
				return fmt.Errorf("dendrite exited before it was ready: %w", p.exitError())
			}
			if ok := probe(ctx, client, u); ok {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("failed to get an answer from %s: %w", u, ctx.Err())
			case <-p.done:
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func probe(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Kill sends SIGKILL to the server (a crash) and waits for it to exit.
func (s *Server) Kill() {
	s.mustOwn("kill")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.kill()
	}
}

// Stop sends SIGTERM and waits for the exit, killing the server after a grace period.
func (s *Server) Stop() {
	s.mustOwn("stop")
	s.stopProcess()
}

// mustOwn panics when a test tries to stop, kill or restart a shared server (what tests share
// must not go away under the others; such a test starts its own server with Start).
func (s *Server) mustOwn(what string) {
	if s.shared {
		panic("testserver: a test must not " + what + " a shared server; start its own with Start")
	}
}

// stopProcess is Stop without the ownership check.
func (s *Server) stopProcess() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop(stopGrace)
	}
}

// Restart stops the server if it runs, starts it again with the same
// config, data and ports, and waits until it is ready.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.RestartE(context.Background()); err != nil {
		t.Fatalf("testserver: %v", err)
	}
}

// RestartE is Restart without testing.TB.
func (s *Server) RestartE(ctx context.Context) error {
	s.mustOwn("restart")
	s.Stop()
	return s.run(ctx)
}

// Running reports whether the server process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil && !s.proc.exited()
}

// PID returns the process ID of the current server process (0 if never started).
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

// Logs returns the tail of the server's stdout and stderr (all runs of this data dir).
func (s *Server) Logs() string {
	return tailFile(filepath.Join(s.Dir, logFile), logTailBytes)
}

// UserID returns the full user ID of localpart on this server.
func (s *Server) UserID(localpart string) string {
	return "@" + localpart + ":" + s.ServerName
}

// String describes the server for log messages.
func (s *Server) String() string {
	return s.ServerName + " (" + s.URL + ", pid " + strconv.Itoa(s.PID()) + ")"
}
