package nodeproc

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoChild answers every request line with ok and its op as result ("fail" gets ok false,
// "hang" no answer), after one push line and one line that is not JSON.
const echoChild = `echo '{"push":"ready"}'
echo 'not json'
while read -r l; do
	id=$(printf '%s' "$l" | sed 's/.*"id":\([0-9]*\).*/\1/')
	op=$(printf '%s' "$l" | sed 's/.*"op":"\([a-z]*\)".*/\1/')
	case $op in
	fail) echo "{\"id\":$id,\"ok\":false,\"error\":\"boom\"}" ;;
	hang) ;;
	*) echo "{\"id\":$id,\"ok\":true,\"result\":\"$op\"}" ;;
	esac
done`

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Requests get their own answers, pushes and bad lines go elsewhere, a request without answer
// ends with its context, and Close ends the child.
func TestProcCallsAndPushes(t *testing.T) {
	logs := &syncBuf{}
	pushes := make(chan string, 4)
	cmd := exec.Command("sh", "-c", echoChild)
	p, err := Start(cmd, logs, 1<<20, func(line []byte) { pushes <- string(line) })
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(time.Second, func() { _ = cmd.Process.Kill() })
	if got := <-pushes; got != `{"push":"ready"}` {
		t.Fatalf("push %q", got)
	}
	ctx := TestContext(t, time.Minute)
	var wg sync.WaitGroup
	for _, op := range []string{"alpha", "beta", "gamma"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.Call(ctx, op, nil, time.Minute)
			var got string
			if err == nil {
				err = r.Decode(op, &got)
			}
			if err != nil || !r.OK || got != op {
				t.Errorf("%s: %v %+v %q", op, err, r, got)
			}
		}()
	}
	wg.Wait()
	if r, err := p.Call(ctx, "fail", nil, time.Minute); err != nil || r.OK || r.Error != "boom" {
		t.Fatalf("fail: %v %+v", err, r)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := p.Call(short, "hang", nil, time.Minute); err == nil || !strings.Contains(err.Error(), "no answer to hang") {
		t.Fatalf("hang: %v", err)
	}
	if !strings.Contains(logs.String(), "unexpected stdout line: not json") {
		t.Fatalf("logs: %q", logs.String())
	}
	p.Close(10*time.Second, func() { t.Error("killed: the child did not end when stdin closed") })
	select {
	case <-p.Done():
	default:
		t.Fatal("not done after Close")
	}
	if _, err := p.Call(ctx, "late", nil, time.Minute); err == nil {
		t.Fatal("call after Close succeeded")
	}
}

func TestHashes(t *testing.T) {
	if got := ShortHash([]byte("abc")); got != "ba7816bf8f01cfea" {
		t.Fatalf("ShortHash: %s", got)
	}
	read := func(n string) []byte { return []byte("content of " + n) }
	a := NamedHash([]byte("lock"), []string{"a", "b"}, read)
	if len(a) != 16 || a == NamedHash(nil, []string{"a", "b"}, read) || a == NamedHash([]byte("lock"), []string{"ab"}, read) {
		t.Fatalf("NamedHash does not tell prefixes or names apart: %s", a)
	}
	if a != NamedHash([]byte("lock"), []string{"a", "b"}, read) {
		t.Fatal("NamedHash is not stable")
	}
}
