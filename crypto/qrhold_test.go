package crypto

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// doneHold holds back exactly the done events of held transactions, answers them like the
// server, sends them on release with the current access token, and passes everything else on.
func TestDoneHold(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
		mu.Unlock()
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	token := "tok1"
	act := newActor()
	defer act.stop()
	h := newDoneHold(srv.Client().Transport, func() string { return token }, act)
	cli := &http.Client{Transport: h}
	send := func(evType, txn string) {
		t.Helper()
		body := `{"messages":{"@bob:x":{"DEV":{"transaction_id":"` + txn + `"}}}}`
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/_matrix/client/v3/sendToDevice/"+evType+"/h1", strings.NewReader(body))
		resp, err := cli.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(data) != "{}" {
			t.Fatalf("%s %s: %d %s", evType, txn, resp.StatusCode, data)
		}
	}
	h.holdFor("held")
	send("m.key.verification.start", "held")
	send("m.key.verification.done", "held")
	send("m.key.verification.done", "other")
	mu.Lock()
	if len(got) != 2 || !strings.Contains(got[0], "verification.start/h1 Bearer tok1") || !strings.Contains(got[1], `verification.done/h1 Bearer tok1 {"messages":{"@bob:x":{"DEV":{"transaction_id":"other"}}}}`) {
		t.Fatalf("requests before release: %q", got)
	}
	mu.Unlock()
	if err := h.release(context.Background(), "other"); err != nil {
		t.Fatal(err)
	}
	token = "tok2" // the held request keeps the token it was made with
	if err := h.release(context.Background(), "held"); err != nil {
		t.Fatal(err)
	}
	if err := h.release(context.Background(), "held"); err != nil { // once only
		t.Fatal(err)
	}
	h.holdFor("cancelled")
	send("m.key.verification.done", "cancelled")
	h.forget("cancelled")
	if err := h.release(context.Background(), "cancelled"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || got[2] != `/_matrix/client/v3/sendToDevice/m.key.verification.done/h1 Bearer tok1 {"messages":{"@bob:x":{"DEV":{"transaction_id":"held"}}}}` {
		t.Fatalf("requests after release: %q", got)
	}
}
