// Package applock is the app lock's logic (policy keys app_lock, idle_lock_minutes and
// app_lock_max_attempts): a PIN or passphrase of its own (not the store's), kept only as an
// Argon2id hash, attempts rate-limited, and a wipe asked for after too many wrong ones. The state
// is a small JSON document the front end keeps (State; the desktop app keeps it sealed in the
// account's store, session.AppLockState); the lock screen itself is the GUI's.
package applock

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Errors of Unlock and SetSecret.
var (
	ErrWrongSecret = errors.New("wrong PIN or passphrase")
	ErrTooSoon     = errors.New("too many wrong attempts, wait before trying again")
	ErrWipe        = errors.New("too many wrong attempts: the account's data on this device must be wiped")
	ErrTooShort    = errors.New("the PIN or passphrase is too short (at least 4 characters)")
	ErrNotSet      = errors.New("no app lock PIN or passphrase is set")
)

// MinLength is the shortest PIN or passphrase.
const MinLength = 4

// freeAttempts are the wrong attempts before waiting starts; then the wait doubles from
// firstWait up to maxWait.
const (
	freeAttempts = 3
	firstWait    = 30 * time.Second
	maxWait      = time.Hour
)

// Params are the Argon2id parameters (tests use small ones).
type Params struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// DefaultParams are the parameters of a new secret.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 2}

// State is what the front end stores (sealed where it can): the hash, never the secret.
type State struct {
	Salt     []byte    `json:"salt,omitempty"`
	Hash     []byte    `json:"hash,omitempty"`
	Params   Params    `json:"params"`
	Failures int       `json:"failures"`
	NotUntil time.Time `json:"not_until,omitzero"` // no attempt before this time
}

// Lock checks secrets against a State. MaxAttempts (policy app_lock_max_attempts) > 0 asks for a
// wipe when that many wrong attempts follow each other.
type Lock struct {
	State       State
	MaxAttempts int
	Now         func() time.Time
}

func (l *Lock) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// IsSet reports whether a secret is set.
func (l *Lock) IsSet() bool { return len(l.State.Hash) > 0 }

// SetSecret sets a new PIN or passphrase (and clears the failures).
func (l *Lock) SetSecret(secret string, p Params) error {
	if utf8.RuneCountInString(secret) < MinLength {
		return ErrTooShort
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("failed to make a salt: %w", err)
	}
	l.State = State{Salt: salt, Params: p, Hash: hash(secret, salt, p)}
	return nil
}

func hash(secret string, salt []byte, p Params) []byte {
	h := argon2.IDKey([]byte(secret), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	debug.FreeOSMemory() // return the work memory to the OS now (as storekey does)
	return h
}

// Unlock checks a secret. Wrong ones count: after freeAttempts each waits twice as long as the
// last (ErrTooSoon until then, without counting); with MaxAttempts reached it returns ErrWipe.
// The caller stores State after every call.
func (l *Lock) Unlock(secret string) error {
	if !l.IsSet() {
		return ErrNotSet
	}
	if l.MaxAttempts > 0 && l.State.Failures >= l.MaxAttempts {
		return ErrWipe
	}
	now := l.now()
	if now.Before(l.State.NotUntil) {
		return fmt.Errorf("%w (%s)", ErrTooSoon, l.State.NotUntil.Sub(now).Round(time.Second))
	}
	p := l.State.Params
	if p.Time == 0 || p.Threads == 0 || p.MemoryKiB == 0 {
		return fmt.Errorf("app lock state has no parameters")
	}
	if subtle.ConstantTimeCompare(hash(secret, l.State.Salt, p), l.State.Hash) == 1 {
		l.State.Failures, l.State.NotUntil = 0, time.Time{}
		return nil
	}
	l.State.Failures++
	if l.MaxAttempts > 0 && l.State.Failures >= l.MaxAttempts {
		return ErrWipe
	}
	if n := l.State.Failures - freeAttempts; n >= 0 {
		wait := firstWait << min(n, 10)
		l.State.NotUntil = now.Add(min(wait, maxWait))
	}
	left := ""
	if l.MaxAttempts > 0 {
		left = fmt.Sprintf(" (%d attempts left)", l.MaxAttempts-l.State.Failures)
	}
	return fmt.Errorf("%w%s", ErrWrongSecret, left)
}

// Marshal and Unmarshal store the state.
func (s State) Marshal() ([]byte, error) { return json.Marshal(s) }

// Unmarshal reads a stored state.
func Unmarshal(data []byte) (State, error) {
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return State{}, fmt.Errorf("failed to read the app lock state: %w", err)
	}
	return s, nil
}

// Idle tells when the lock closes again: after minutes without input (0: only at start).
func Idle(lastInput, now time.Time, minutes int) bool {
	return minutes > 0 && now.Sub(lastInput) >= time.Duration(minutes)*time.Minute
}
