package applock

import (
	"errors"
	"testing"
	"time"
)

var fast = Params{Time: 1, MemoryKiB: 64, Threads: 1}

func TestUnlockRateLimitAndWipe(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &Lock{MaxAttempts: 6, Now: func() time.Time { return now }}
	if err := l.Unlock("1234"); !errors.Is(err, ErrNotSet) {
		t.Fatalf("unset: %v", err)
	}
	if err := l.SetSecret("123", fast); !errors.Is(err, ErrTooShort) {
		t.Fatalf("short: %v", err)
	}
	if err := l.SetSecret("4711", fast); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock("4711"); err != nil {
		t.Fatalf("right PIN: %v", err)
	}
	// three free wrong attempts, the third starts a wait of 30 s
	for i := 1; i <= 3; i++ {
		if err := l.Unlock("0000"); !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("wrong %d: %v", i, err)
		}
	}
	if err := l.Unlock("4711"); !errors.Is(err, ErrTooSoon) {
		t.Fatalf("during the wait, even the right PIN: %v", err)
	}
	now = now.Add(31 * time.Second)
	if err := l.Unlock("0000"); !errors.Is(err, ErrWrongSecret) || l.State.NotUntil.Sub(now) != time.Minute {
		t.Fatalf("4th wrong: %v, wait %v", err, l.State.NotUntil.Sub(now))
	}
	// the state survives a restart
	data, err := l.State.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	st, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	l = &Lock{State: st, MaxAttempts: 6, Now: func() time.Time { return now }}
	if err := l.Unlock("4711"); !errors.Is(err, ErrTooSoon) {
		t.Fatalf("after restart, during the wait: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if err := l.Unlock("0000"); !errors.Is(err, ErrWrongSecret) {
		t.Fatalf("5th wrong: %v", err)
	}
	now = now.Add(3 * time.Minute)
	if err := l.Unlock("0000"); !errors.Is(err, ErrWipe) {
		t.Fatalf("6th wrong: %v", err)
	}
	if err := l.Unlock("4711"); !errors.Is(err, ErrWipe) {
		t.Fatalf("after the limit even the right PIN: %v", err)
	}
}

func TestRightSecretResetsFailures(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &Lock{Now: func() time.Time { return now }} // no wipe limit
	if err := l.SetSecret("Leitstelle-2026", fast); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		_ = l.Unlock("falsch")
	}
	if err := l.Unlock("Leitstelle-2026"); err != nil || l.State.Failures != 0 {
		t.Fatalf("right secret: %v, failures %d", err, l.State.Failures)
	}
	for i := 0; i < 20; i++ { // never a wipe without MaxAttempts; the wait is capped
		now = l.State.NotUntil.Add(time.Second)
		if err := l.Unlock("falsch"); !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("wrong %d: %v", i, err)
		}
	}
	if w := l.State.NotUntil.Sub(now); w != maxWait {
		t.Fatalf("wait %v", w)
	}
	if data, _ := l.State.Marshal(); len(data) == 0 || string(data) == "" {
		t.Fatal("no state")
	}
}

func TestIdle(t *testing.T) {
	t0 := time.Unix(0, 0)
	if Idle(t0, t0.Add(4*time.Minute), 5) || !Idle(t0, t0.Add(5*time.Minute), 5) || Idle(t0, t0.Add(time.Hour), 0) {
		t.Fatal("idle")
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"salt":"AAAA","hash":"AAAA","params":{"time":1,"memory_kib":64,"threads":1},"failures":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Unmarshal(data)
		if err != nil {
			return
		}
		if st.Params.MemoryKiB > 1<<16 || st.Params.Time > 4 {
			return // the fuzzer's huge parameters would only be slow
		}
		l := &Lock{State: st, MaxAttempts: 3}
		_ = l.Unlock("1234") // never panics
	})
}
