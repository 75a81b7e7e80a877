package faultproxy

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// backend is a fake homeserver: it answers {"path": ...} and counts requests.
type backend struct {
	srv  *httptest.Server
	hits atomic.Int32
}

func newBackend(t *testing.T) *backend {
	b := &backend{}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		switch r.URL.Path {
		case "/stream":
			// First chunk now, rest later: only a streaming proxy lets the client see it early.
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "first\n")
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			io.WriteString(w, "second\n")
		case "/longpoll":
			time.Sleep(300 * time.Millisecond)
			fallthrough
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Backend", "yes")
			json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "query": r.URL.RawQuery})
		}
	}))
	t.Cleanup(b.srv.Close)
	return b
}

// fresh is a client without keep-alives, so Go's transparent retry of
// dropped reused connections does not hide Drop faults.
var fresh = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

func get(t *testing.T, url string) (*http.Response, string, error) {
	t.Helper()
	resp, err := fresh.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, string(data), err
}

func mustGet(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, body, err := get(t, url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp, body
}

func TestPassForwards(t *testing.T) {
	b := newBackend(t)
	p := New(t, b.srv.URL)
	resp, body := mustGet(t, p.URL+"/_matrix/client/v3/sync?since=s1&timeout=0")
	if resp.StatusCode != 200 || resp.Header.Get("X-Backend") != "yes" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || got["path"] != "/_matrix/client/v3/sync" || got["query"] != "since=s1&timeout=0" {
		t.Fatalf("body %q (%v)", body, err)
	}
	if p.Count("/sync") != 1 || p.Count("") != 1 || p.Faulted() != 0 {
		t.Fatalf("count %d, faulted %d", p.Count("/sync"), p.Faulted())
	}
}

func TestStatusFaultsThenPass(t *testing.T) {
	b := newBackend(t)
	p := New(t, b.srv.URL)
	p.Inject("/sync", Status500, 1)
	p.Inject("/sync", Status502, 1)
	p.Inject("/sync", Status429, 1)
	p.Inject("/sync", Status503, 1)
	for _, want := range []int{500, 502, 429, 503, 200} {
		resp, body := mustGet(t, p.URL+"/_matrix/client/v3/sync")
		if resp.StatusCode != want {
			t.Fatalf("status %d, want %d (%s)", resp.StatusCode, want, body)
		}
		if want == 429 && (!strings.Contains(body, "M_LIMIT_EXCEEDED") || resp.Header.Get("Retry-After") == "") {
			t.Fatalf("429 answer %q %v", body, resp.Header)
		}
	}
	// Other paths are not affected.
	if resp, _ := mustGet(t, p.URL+"/_matrix/client/versions"); resp.StatusCode != 200 {
		t.Fatalf("versions: %d", resp.StatusCode)
	}
	if p.Count("/sync") != 5 || p.Faulted() != 4 || b.hits.Load() != 2 {
		t.Fatalf("count %d, faulted %d, backend hits %d", p.Count("/sync"), p.Faulted(), b.hits.Load())
	}
}

func TestMalformedJSON(t *testing.T) {
	p := New(t, newBackend(t).srv.URL)
	p.Inject("sync", MalformedJSON, 1)
	resp, body := mustGet(t, p.URL+"/_matrix/client/v3/sync")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || body != MalformedBody {
		t.Fatalf("status %d, type %q, body %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var v any
	if json.Unmarshal([]byte(body), &v) == nil {
		t.Fatal("body parses as JSON")
	}
}

func TestDropAndUntilClear(t *testing.T) {
	b := newBackend(t)
	p := New(t, b.srv.URL)
	p.Inject("/sync", Drop, -1)
	for i := 0; i < 3; i++ {
		if _, _, err := get(t, p.URL+"/_matrix/client/v3/sync"); err == nil {
			t.Fatalf("request %d got an answer", i)
		}
	}
	if b.hits.Load() != 0 || p.Faulted() != 3 {
		t.Fatalf("backend hits %d, faulted %d", b.hits.Load(), p.Faulted())
	}
	p.Clear()
	if resp, _ := mustGet(t, p.URL+"/_matrix/client/v3/sync"); resp.StatusCode != 200 {
		t.Fatalf("after Clear: %d", resp.StatusCode)
	}
}

func TestDropResponseReachesBackend(t *testing.T) {
	b := newBackend(t)
	p := New(t, b.srv.URL)
	p.Inject("/send/", DropResponse, 1)
	req, _ := http.NewRequest(http.MethodPut, p.URL+"/_matrix/client/v3/rooms/r/send/m.room.message/txn1", strings.NewReader(`{}`))
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("got an answer")
	}
	if b.hits.Load() != 1 {
		t.Fatalf("backend hits %d, want 1", b.hits.Load())
	}
}

func TestDelay(t *testing.T) {
	p := New(t, newBackend(t).srv.URL)
	p.InjectDelay("/versions", 300*time.Millisecond, 1)
	start := time.Now()
	if resp, _ := mustGet(t, p.URL+"/_matrix/client/versions"); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("answered after %v", d)
	}
	start = time.Now()
	mustGet(t, p.URL+"/_matrix/client/versions")
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Fatalf("second request delayed too (%v)", d)
	}
}

func TestStreamsAndLongPolls(t *testing.T) {
	p := New(t, newBackend(t).srv.URL)
	if resp, body := mustGet(t, p.URL+"/longpoll"); resp.StatusCode != 200 || !strings.Contains(body, "/longpoll") {
		t.Fatalf("long-poll: %d %q", resp.StatusCode, body)
	}
	resp, err := fresh.Get(p.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first chunk %q, %v", line, err)
	}
}

func TestTargetDown(t *testing.T) {
	b := newBackend(t)
	p := New(t, b.srv.URL)
	b.srv.Close()
	if resp, body := mustGet(t, p.URL+"/_matrix/client/versions"); resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d %q", resp.StatusCode, body)
	}
}

func TestCloseCutsLongPolls(t *testing.T) {
	p := New(t, newBackend(t).srv.URL)
	done := make(chan error, 1)
	go func() {
		_, _, err := get(t, p.URL+"/stream") // backend holds it open for 5 s
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	p.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	<-done
}

func TestFaultString(t *testing.T) {
	if MalformedJSON.String() != "MalformedJSON" || Fault(99).String() != "Fault(99)" {
		t.Fatal(MalformedJSON.String(), Fault(99).String())
	}
}

// TestDropRetriedByGoTransport pins the behaviour documented on Drop: a Go
// client on a reused keep-alive connection retries a dropped GET once.
func TestDropRetriedByGoTransport(t *testing.T) {
	p := New(t, newBackend(t).srv.URL)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	getOK := func() {
		resp, err := client.Get(p.URL + "/_matrix/client/versions")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	getOK()
	p.Inject("/versions", Drop, 1)
	getOK() // runs on the reused connection: dropped, then retried by the Transport
	if p.Count("/versions") != 3 || p.Faulted() != 1 {
		t.Fatalf("count %d, faulted %d", p.Count("/versions"), p.Faulted())
	}
}
