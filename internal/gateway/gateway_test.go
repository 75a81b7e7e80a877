package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/eventually"
	"bosmessenger/internal/gateway"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/alert"
	"bosmessenger/store/storekey"
)

const (
	password = "correct-horse-battery"
	token    = "gateway-test-token-0123456789"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return c
}

func login(t *testing.T, srv *testserver.Server, local string, jitter time.Duration) *session.Session {
	t.Helper()
	srv.Register(t, local, password)
	cfg := session.Config{DataDir: t.TempDir(), Passphrase: "test store passphrase", MinBackoff: 50 * time.Millisecond,
		MaxBackoff: 500 * time.Millisecond, KeyParams: &storekey.Params{Time: 1, MemoryKiB: 1024, Threads: 1}, AlertAckJitter: jitter}
	s, err := session.Login(ctx(t), cfg, srv.URL, local, password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func runLoop(t *testing.T, s *session.Session) {
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(c, time.Second, nil)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

type client struct {
	t    *testing.T
	base string
}

func (c client) do(method, path, tok, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// The gateway with real HTTP requests against a real homeserver: auth, bad input, unknown
// alerts, the board with a member's receipt, parallel posts, status and the rate limit.
func TestGateway(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	sa := login(t, srv, "gwleitstelle", 0)
	sb := login(t, srv, "gwfeuerwehr", 500*time.Millisecond)
	roomID, err := sa.CreateRoom(ctx(t), session.CreateRoomOptions{Name: "Gateway", Encrypted: true,
		Invite: []id.UserID{sb.Account().UserID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Join(ctx(t), roomID.String()); err != nil {
		t.Fatal(err)
	}
	runLoop(t, sa)
	runLoop(t, sb)
	h, err := gateway.New(sa, gateway.Options{Token: token, Rate: 1000, Burst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	c := client{t, hs.URL}
	room := roomID.String()
	alertBody := fmt.Sprintf(`{"room":%q,"keyword":"B3 Brand Gebäude","text":"Dachstuhl","address":"Hauptstr. 1","units":["HLF 20-1"],"deadline_s":600,"required":1,"priority":"alarm"}`, room)

	// Auth.
	for _, tok := range []string{"", "wrong-token-0123456789", token + "x"} {
		if code, out := c.do("POST", "/v1/alerts", tok, alertBody); code != 401 || out["error"] == "" {
			t.Errorf("token %q: %d %v", tok, code, out)
		}
	}
	if code, _ := c.do("GET", "/v1/alerts/$x?room="+room, "", ""); code != 401 {
		t.Errorf("board without token: %d", code)
	}

	// Bad input.
	for _, body := range []string{
		`{`, `[]`, `{"room":"` + room + `"}`, `{"room":"nope","keyword":"B3"}`,
		`{"room":"` + room + `","keyword":"B3","priority":"urgent"}`,
		`{"room":"` + room + `","keyword":"B3","required":-1}`,
		`{"room":"` + room + `","keyword":"B3","deadline_s":-5}`,
		`{"room":"` + room + `","keyword":"B3","unknown":1}`,
		`{"room":"` + room + `","keyword":"B3"} {}`,
		`{"room":"!unknown:` + srv.ServerName + `","keyword":"B3"}`,
	} {
		if code, out := c.do("POST", "/v1/alerts", token, body); code != 400 || out["error"] == "" {
			t.Errorf("%s: %d %v", body, code, out)
		}
	}
	for _, body := range []string{`{"room":"` + room + `","fms":10}`, `{"room":"` + room + `"}`, `{"room":"` + room + `","fms":"3"}`} {
		if code, out := c.do("POST", "/v1/status", token, body); code != 400 || out["error"] == "" {
			t.Errorf("status %s: %d %v", body, code, out)
		}
	}
	big := fmt.Sprintf(`{"room":%q,"keyword":"B3","text":%q}`, room, strings.Repeat("x", 70<<10))
	if code, out := c.do("POST", "/v1/alerts", token, big); code != 413 || out["error"] == "" {
		t.Errorf("large body: %d %v", code, out)
	}
	if code, _ := c.do("GET", "/v1/alerts/$x?room=nope", token, ""); code != 400 {
		t.Errorf("board of a bad room: %d", code)
	}

	// An alert, its board at once (from the queue's echo), then with b's receipt.
	code, out := c.do("POST", "/v1/alerts", token, alertBody)
	eventID, _ := out["event_id"].(string)
	if code != 200 || !strings.HasPrefix(eventID, "$") {
		t.Fatalf("post alert: %d %v", code, out)
	}
	code, out = c.do("GET", "/v1/alerts/"+eventID+"?room="+room, token, "")
	if code != 200 || out["alert"].(map[string]any)["keyword"] != "B3 Brand Gebäude" || out["required"] != 1.0 {
		t.Fatalf("board: %d %v", code, out)
	}
	eventually.NoError(t, 45*time.Second, func() error {
		if _, out = c.do("GET", "/v1/alerts/"+eventID+"?room="+room, token, ""); out["counts"].(map[string]any)["received"] != 1.0 {
			return fmt.Errorf("b's receipt never reached the board: %v", out)
		}
		return nil
	})

	if counts := out["counts"].(map[string]any); counts["none"] != 0.0 || counts["coming"] != 0.0 {
		t.Fatalf("counts: %v", counts)
	}
	// b answers; the board shows it.
	txn, err := sb.SendAlertResponse(ctx(t), roomID, id.EventID(eventID), alert.Response{Status: alert.StatusComing, ETAMinutes: 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.WaitSent(ctx(t), txn); err != nil {
		t.Fatal(err)
	}
	eventually.NoError(t, 45*time.Second, func() error {
		if _, out = c.do("GET", "/v1/alerts/"+eventID+"?room="+room, token, ""); out["counts"].(map[string]any)["coming"] != 1.0 {
			return fmt.Errorf("b's response never reached the board: %v", out)
		}
		return nil
	})

	resp := out["responses"].([]any)[0].(map[string]any)
	if resp["user_id"] != sb.Account().UserID.String() || resp["status"] != "coming" || resp["eta_minutes"] != 8.0 {
		t.Fatalf("response: %v", resp)
	}

	// Unknown alert: an unknown event, an ordinary message.
	if code, out := c.do("GET", "/v1/alerts/$unknown?room="+room, token, ""); code != 404 || out["error"] == "" {
		t.Errorf("unknown alert: %d %v", code, out)
	}

	// Status.
	if code, out := c.do("POST", "/v1/status", token, `{"room":"`+room+`","fms":3,"unit":"HLF 20-1"}`); code != 200 || out["event_id"] == nil {
		t.Fatalf("status: %d %v", code, out)
	}

	// Parallel posts: every one gets its own event, every board is there.
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"room":%q,"keyword":"Parallel %d","priority":"info"}`, room, i)
			req, _ := http.NewRequest("POST", hs.URL+"/v1/alerts", bytes.NewReader([]byte(body)))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var out struct {
				EventID string `json:"event_id"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
				t.Errorf("parallel post %d: %d %v", i, resp.StatusCode, err)
			}
			ids[i] = out.EventID
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, e := range ids {
		if e == "" || seen[e] {
			t.Fatalf("parallel posts: %v", ids)
		}
		seen[e] = true
		code, out := c.do("GET", "/v1/alerts/"+e+"?room="+room, token, "")
		if code != 200 || out["alert"].(map[string]any)["keyword"] != fmt.Sprintf("Parallel %d", i) {
			t.Errorf("board of parallel alert %d: %d %v", i, code, out)
		}
	}

	// Rate limit: a bucket of 2 that does not refill during the test.
	limited, _ := gateway.New(sa, gateway.Options{Token: token, Rate: 0.001, Burst: 2})
	ls := httptest.NewServer(limited)
	t.Cleanup(ls.Close)
	lc := client{t, ls.URL}
	var codes []int
	for range 3 {
		code, _ := lc.do("GET", "/v1/alerts/$unknown?room="+room, token, "")
		codes = append(codes, code)
	}
	if codes[0] != 404 || codes[1] != 404 || codes[2] != 429 {
		t.Fatalf("rate limit: %v", codes)
	}
}

func TestNewRefusesEmptyToken(t *testing.T) {
	if _, err := gateway.New(nil, gateway.Options{Token: " "}); err == nil {
		t.Fatal("empty token accepted")
	}
}
