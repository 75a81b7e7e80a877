package session_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"bosmessenger/session"
	"bosmessenger/session/policy"
)

// Each blocked state names its cause (BlockCauseOf), so that the GUI can explain it in German or
// English; a valid list clears it.
func TestBlockCauseOf(t *testing.T) {
	list := newBOSList(t)
	week := time.Now().Add(7 * 24 * time.Hour)
	e := session.NewEnforcer(list.policy(t, nil))
	want := func(what string, cause session.BlockCause) {
		t.Helper()
		err := e.Refresh(ctx(t))
		if got := session.BlockCauseOf(err); got != cause || (cause != "" && !errors.Is(err, session.ErrPolicyBlocked)) {
			t.Fatalf("%s: cause %q (want %q), error %v", what, got, cause, err)
		}
	}
	want("missing file", session.BlockUnreadable)
	list.publish(t, 3, week, "a.example")
	want("valid", "")
	list.publish(t, 2, week, "a.example")
	want("older version", session.BlockRollback)
	valid := list.publish(t, 4, week, "a.example")
	parts := strings.Split(valid, ".")
	list.write(t, parts[0]+"."+strings.Replace(parts[1], parts[1][10:14], "AAAA", 1)+"."+parts[2])
	want("tampered", session.BlockSignature)
	list.publish(t, 5, time.Now().Add(-time.Minute), "a.example")
	want("expired", session.BlockExpired)
	list.write(t, "kein JWS")
	want("malformed", session.BlockMalformed)
	if err := os.Remove(list.path); err != nil {
		t.Fatal(err)
	}
	want("unreadable", session.BlockUnreadable)
	if session.BlockCauseOf(errors.New("other")) != "" || session.BlockCauseOf(nil) != "" {
		t.Fatal("a cause for an error that is no blocked state")
	}

	for cause, managed := range map[session.BlockCause]map[string]any{
		session.BlockNoListURL: {"bos_mode": true, "federation_list_public_keys": []any{policy.EncodePublicKey(list.pub)}},
		session.BlockNoKeys:    {"bos_mode": true, "federation_list_url": "file:///nonexistent/list.jws"},
	} {
		p, err := policy.Resolve(policy.Source{Name: "test", Managed: managed})
		if err != nil {
			t.Fatal(err)
		}
		if got := session.BlockCauseOf(session.NewEnforcer(p).Blocked()); got != cause {
			t.Errorf("cause %q, want %q", got, cause)
		}
	}
}
