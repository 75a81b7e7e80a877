package storekey

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// cheap are Argon2id parameters that keep tests fast.
var cheap = &Params{Time: 1, MemoryKiB: 64, Threads: 1}

// memKeyring is an in-memory Keyring. A real Secret Service is not
// available headless, so the tests use this fake.
type memKeyring struct {
	mu      sync.Mutex
	m       map[string]string
	failGet error // if set, Get fails with it
	failSet error
	failDel error
	lose    bool   // Set succeeds but stores nothing
	onSet   func() // called by Set, unlocked, before storing
}

func newMemKeyring() *memKeyring { return &memKeyring{m: map[string]string{}} }

func (k *memKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failGet != nil {
		return "", k.failGet
	}
	v, ok := k.m[service+"\x00"+user]
	if !ok {
		return "", ErrKeyringEntryNotFound
	}
	return v, nil
}

func (k *memKeyring) Set(service, user, password string) error {
	if k.onSet != nil {
		k.onSet()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failSet != nil {
		return k.failSet
	}
	if !k.lose {
		k.m[service+"\x00"+user] = password
	}
	return nil
}

func (k *memKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failDel != nil {
		return k.failDel
	}
	if _, ok := k.m[service+"\x00"+user]; !ok {
		return ErrKeyringEntryNotFound
	}
	delete(k.m, service+"\x00"+user)
	return nil
}

func (k *memKeyring) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// only returns the single entry's service, account and value.
func (k *memKeyring) only(t *testing.T) (service, account, value string) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.m) != 1 {
		t.Fatalf("keyring has %d entries, want 1", len(k.m))
	}
	for sk, v := range k.m {
		s, a, _ := strings.Cut(sk, "\x00")
		return s, a, v
	}
	panic("unreachable")
}

func passOpts(p string) Options { return Options{Passphrase: p, Argon2: cheap} }

func readFile(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}

// assertNoKeyMaterial checks that the key does not appear in data in any
// common encoding.
func assertNoKeyMaterial(t *testing.T, data, key []byte) {
	t.Helper()
	for _, enc := range [][]byte{
		key,
		[]byte(base64.StdEncoding.EncodeToString(key)),
		[]byte(base64.RawStdEncoding.EncodeToString(key)),
		[]byte(base64.URLEncoding.EncodeToString(key)),
		[]byte(hex.EncodeToString(key)),
		key[:8],
	} {
		if bytes.Contains(data, enc) {
			t.Fatalf("key file contains key material (%q)", enc)
		}
	}
}

func TestPassphraseCreateUnlock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "account")
	if Exists(dir) {
		t.Fatal("Exists before Create")
	}
	key, err := Create(dir, passOpts("correct horse battery staple"))
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != KeySize {
		t.Fatalf("key length %d", len(key))
	}
	if !Exists(dir) {
		t.Fatal("!Exists after Create")
	}
	if m, err := Method(dir); err != nil || m != MethodPassphrase {
		t.Fatalf("Method = %q, %v", m, err)
	}
	got, err := Unlock(dir, passOpts("correct horse battery staple"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, key) {
		t.Fatal("unlocked key differs")
	}
	data := readFile(t, dir)
	assertNoKeyMaterial(t, data, key)
	if bytes.Contains(data, []byte("correct horse")) {
		t.Fatal("key file contains the passphrase")
	}
	// Only the key file is left (no temp files).
	if n := dirNames(t, dir); len(n) != 1 || n[0] != FileName {
		t.Fatalf("dir holds %v", n)
	}
	// The file parses as documented.
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f["version"] != float64(1) || f["method"] != "passphrase" || f["wrapped"] == nil || f["check"] == nil || f["argon2id"] == nil {
		t.Fatalf("unexpected key file: %s", data)
	}
	a := f["argon2id"].(map[string]any)
	if a["time"] != float64(1) || a["memory_kib"] != float64(64) || a["threads"] != float64(1) || a["salt"] == nil {
		t.Fatalf("unexpected argon2id params: %v", a)
	}
}

func TestTwoStoresHaveDifferentKeys(t *testing.T) {
	a, err := Create(t.TempDir(), passOpts("p"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Create(t.TempDir(), passOpts("p"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("two stores got the same key")
	}
}

func TestWrongPassphrase(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir, passOpts("right")); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, dir)
	st1, _ := os.Stat(Path(dir))
	for _, p := range []string{"wrong", "Right", "right ", "righ"} {
		key, err := Unlock(dir, passOpts(p))
		if !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("Unlock(%q): err=%v, want ErrWrongPassphrase", p, err)
		}
		if key != nil {
			t.Fatal("key returned with error")
		}
		if !strings.Contains(err.Error(), "wrong passphrase") {
			t.Fatalf("unclear message: %v", err)
		}
	}
	if !bytes.Equal(before, readFile(t, dir)) {
		t.Fatal("key file changed by a failed unlock")
	}
	st2, _ := os.Stat(Path(dir))
	if !st1.ModTime().Equal(st2.ModTime()) {
		t.Fatal("key file rewritten by a failed unlock")
	}
	if n := dirNames(t, dir); len(n) != 1 {
		t.Fatalf("dir holds %v", n)
	}
}

func TestPassphraseRequired(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir, passOpts("p")); err != nil {
		t.Fatal(err)
	}
	_, err := Unlock(dir, Options{Keyring: newMemKeyring()})
	if !errors.Is(err, ErrPassphraseRequired) {
		t.Fatalf("err=%v, want ErrPassphraseRequired", err)
	}
}

func TestPassphraseUnicodeNormalised(t *testing.T) {
	dir := t.TempDir()
	nfd := "cafe\u0301 pa\u0301ssword" // decomposed
	nfc := "caf\u00e9 p\u00e1ssword"   // composed
	key, err := Create(dir, passOpts(nfd))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unlock(dir, passOpts(nfc))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, key) {
		t.Fatal("key differs")
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	kr := newMemKeyring()
	for _, opts := range []Options{passOpts("p"), {UseKeyring: true, Keyring: kr}} {
		dir := t.TempDir()
		key, err := Create(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		before := readFile(t, dir)
		entries := kr.len()
		for _, again := range []Options{passOpts("q"), {UseKeyring: true, Keyring: kr}} {
			if _, err := Create(dir, again); !errors.Is(err, ErrKeyExists) {
				t.Fatalf("second Create: err=%v, want ErrKeyExists", err)
			}
		}
		if !bytes.Equal(before, readFile(t, dir)) {
			t.Fatal("key file changed")
		}
		if kr.len() != entries {
			t.Fatal("keyring changed by a refused Create")
		}
		got, err := Unlock(dir, opts)
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("Unlock after refused Create: %v", err)
		}
	}
}

func TestConcurrentCreate(t *testing.T) {
	dir := t.TempDir()
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Create(dir, passOpts(fmt.Sprint("p", i)))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrKeyExists):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent Creates succeeded, want 1", ok)
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Fatalf("dir holds %v", names)
	}
}

func TestCreateNoMethod(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir, Options{}); err == nil {
		t.Fatal("Create without a method succeeded")
	}
	if Exists(dir) {
		t.Fatal("key file written")
	}
}

func TestCreateInvalidParams(t *testing.T) {
	for _, p := range []Params{
		{Time: 0, MemoryKiB: 64, Threads: 1},
		{Time: 1, MemoryKiB: 64, Threads: 0},
		{Time: 1, MemoryKiB: 4, Threads: 1},
		{Time: 1, MemoryKiB: 5 << 20, Threads: 1},
	} {
		dir := t.TempDir()
		if _, err := Create(dir, Options{Passphrase: "p", Argon2: &p}); err == nil {
			t.Errorf("Create with %+v succeeded", p)
		}
		if Exists(dir) {
			t.Error("key file written")
		}
	}
}

func TestUnlockNoKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := Unlock(dir, passOpts("p")); !errors.Is(err, ErrNoKey) {
		t.Fatalf("err=%v, want ErrNoKey", err)
	}
	if _, err := Unlock(filepath.Join(dir, "missing"), passOpts("p")); !errors.Is(err, ErrNoKey) {
		t.Fatalf("missing dir: err=%v, want ErrNoKey", err)
	}
	if _, err := Method(dir); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Method: err=%v, want ErrNoKey", err)
	}
}

func TestKeyringCreateUnlock(t *testing.T) {
	dir := t.TempDir()
	kr := newMemKeyring()
	opts := Options{UseKeyring: true, Keyring: kr}
	key, err := Create(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	svc, acct, val := kr.only(t)
	if svc != KeyringService || !strings.HasPrefix(acct, "store-") {
		t.Fatalf("entry %s/%s", svc, acct)
	}
	if val != base64.StdEncoding.EncodeToString(key) {
		t.Fatal("keyring holds something else than the base64 key")
	}
	data := readFile(t, dir)
	assertNoKeyMaterial(t, data, key)
	if !bytes.Contains(data, []byte(acct)) {
		t.Fatal("key file lacks the keyring reference")
	}
	if m, _ := Method(dir); m != MethodKeyring {
		t.Fatalf("method %q", m)
	}
	// Unlock follows the file, whatever opts say about the method.
	for _, o := range []Options{{Keyring: kr}, {Keyring: kr, Passphrase: "ignored"}} {
		got, err := Unlock(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, key) {
			t.Fatal("unlocked key differs")
		}
	}
}

func TestPassphraseWinsOverKeyring(t *testing.T) {
	dir := t.TempDir()
	kr := newMemKeyring()
	if _, err := Create(dir, Options{Passphrase: "p", UseKeyring: true, Keyring: kr, Argon2: cheap}); err != nil {
		t.Fatal(err)
	}
	if m, _ := Method(dir); m != MethodPassphrase {
		t.Fatalf("method %q", m)
	}
	if kr.len() != 0 {
		t.Fatal("keyring used")
	}
}

func TestKeyringEntryReplaced(t *testing.T) {
	dir := t.TempDir()
	kr := newMemKeyring()
	if _, err := Create(dir, Options{UseKeyring: true, Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	svc, acct, _ := kr.only(t)
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, KeySize))
	for _, v := range []string{other, "not base64!", base64.StdEncoding.EncodeToString([]byte("short")), ""} {
		kr.m[svc+"\x00"+acct] = v
		key, err := Unlock(dir, Options{Keyring: kr})
		if !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("entry %q: err=%v, want ErrKeyMismatch", v, err)
		}
		if key != nil {
			t.Fatal("key returned with error")
		}
	}
	delete(kr.m, svc+"\x00"+acct)
	if _, err := Unlock(dir, Options{Keyring: kr}); !errors.Is(err, ErrKeyringEntryNotFound) {
		t.Fatalf("deleted entry: err=%v, want ErrKeyringEntryNotFound", err)
	}
}

func TestKeyringUnavailable(t *testing.T) {
	dir := t.TempDir()
	kr := newMemKeyring()
	kr.failSet = errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	_, err := Create(dir, Options{UseKeyring: true, Keyring: kr})
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("err=%v, want ErrKeyringUnavailable", err)
	}
	if !strings.Contains(err.Error(), "ServiceUnknown") {
		t.Fatalf("underlying error lost: %v", err)
	}
	if Exists(dir) || len(dirNames(t, dir)) != 0 {
		t.Fatal("left files behind")
	}
	// The caller falls back to a passphrase.
	if _, err := Create(dir, Options{Passphrase: "p", Argon2: cheap, Keyring: kr}); err != nil {
		t.Fatal(err)
	}

	// A keyring that loses what it was given.
	dir2 := t.TempDir()
	lossy := newMemKeyring()
	lossy.lose = true
	if _, err := Create(dir2, Options{UseKeyring: true, Keyring: lossy}); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("lossy keyring: err=%v, want ErrKeyringUnavailable", err)
	}
	if Exists(dir2) {
		t.Fatal("key file written")
	}

	// Unlock with the keyring gone.
	dir3 := t.TempDir()
	kr3 := newMemKeyring()
	if _, err := Create(dir3, Options{UseKeyring: true, Keyring: kr3}); err != nil {
		t.Fatal(err)
	}
	kr3.failGet = errors.New("no session bus")
	if _, err := Unlock(dir3, Options{Keyring: kr3}); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("Unlock: err=%v, want ErrKeyringUnavailable", err)
	}
}

func TestCreateCleansKeyringOnWriteFailure(t *testing.T) {
	// Another process creates the key file while this Create talks to the
	// keyring: the write must not overwrite it, and the keyring entry
	// made for the losing Create must be removed.
	dir := t.TempDir()
	kr := newMemKeyring()
	kr.onSet = func() {
		if err := os.WriteFile(Path(dir), []byte("winner"), 0o600); err != nil {
			t.Error(err)
		}
	}
	_, err := Create(dir, Options{UseKeyring: true, Keyring: kr})
	if !errors.Is(err, ErrKeyExists) {
		t.Fatalf("err=%v, want ErrKeyExists", err)
	}
	if kr.len() != 0 {
		t.Fatal("keyring entry left behind")
	}
	if string(readFile(t, dir)) != "winner" {
		t.Fatal("existing key file overwritten")
	}
	if n := dirNames(t, dir); len(n) != 1 {
		t.Fatalf("dir holds %v", n)
	}
}

func TestCorruptKeyFile(t *testing.T) {
	good := t.TempDir()
	if _, err := Create(good, passOpts("p")); err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(readFile(t, good), &f); err != nil {
		t.Fatal(err)
	}
	mutate := func(fn func(m map[string]any)) []byte {
		b, _ := json.Marshal(f)
		var m map[string]any
		json.Unmarshal(b, &m)
		fn(m)
		out, _ := json.Marshal(m)
		return out
	}
	argon := func(m map[string]any) map[string]any { return m["argon2id"].(map[string]any) }
	cases := map[string][]byte{
		"empty":           {},
		"garbage":         []byte("\x00\xff garbage"),
		"truncated":       readFile(t, good)[:40],
		"null":            []byte("null"),
		"array":           []byte("[1,2]"),
		"trailing":        append(readFile(t, good), []byte("{}")...),
		"version 2":       mutate(func(m map[string]any) { m["version"] = 2 }),
		"version 0":       mutate(func(m map[string]any) { delete(m, "version") }),
		"version string":  mutate(func(m map[string]any) { m["version"] = "1" }),
		"unknown method":  mutate(func(m map[string]any) { m["method"] = "rot13" }),
		"unknown field":   mutate(func(m map[string]any) { m["extra"] = true }),
		"no check":        mutate(func(m map[string]any) { delete(m, "check") }),
		"short check":     mutate(func(m map[string]any) { m["check"] = "AAAA" }),
		"bad base64":      mutate(func(m map[string]any) { m["wrapped"] = "!!!" }),
		"short wrapped":   mutate(func(m map[string]any) { m["wrapped"] = "AAAA" }),
		"no wrapped":      mutate(func(m map[string]any) { delete(m, "wrapped") }),
		"no argon2id":     mutate(func(m map[string]any) { delete(m, "argon2id") }),
		"time 0":          mutate(func(m map[string]any) { argon(m)["time"] = 0 }),
		"time huge":       mutate(func(m map[string]any) { argon(m)["time"] = 1 << 31 }),
		"threads 0":       mutate(func(m map[string]any) { argon(m)["threads"] = 0 }),
		"threads 300":     mutate(func(m map[string]any) { argon(m)["threads"] = 300 }),
		"memory 0":        mutate(func(m map[string]any) { argon(m)["memory_kib"] = 0 }),
		"memory huge":     mutate(func(m map[string]any) { argon(m)["memory_kib"] = 1 << 31 }),
		"memory negative": mutate(func(m map[string]any) { argon(m)["memory_kib"] = -1 }),
		"short salt":      mutate(func(m map[string]any) { argon(m)["salt"] = "AAAA" }),
		"keyring+pass":    mutate(func(m map[string]any) { m["keyring"] = map[string]any{"service": "s", "account": "a"} }),
		"keyring no ref":  mutate(func(m map[string]any) { m["method"] = "keyring"; delete(m, "argon2id"); delete(m, "wrapped") }),
		"keyring w/ pass": mutate(func(m map[string]any) {
			m["method"] = "keyring"
			m["keyring"] = map[string]any{"service": "s", "account": "a"}
		}),
		"keyring empty": mutate(func(m map[string]any) {
			m["method"] = "keyring"
			delete(m, "argon2id")
			delete(m, "wrapped")
			m["keyring"] = map[string]any{"service": "", "account": ""}
		}),
		"huge": append([]byte(`{"version":1,"x":"`), bytes.Repeat([]byte("a"), maxFileSize)...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(Path(dir), data, 0o600); err != nil {
				t.Fatal(err)
			}
			key, err := Unlock(dir, Options{Passphrase: "p", Keyring: newMemKeyring()})
			if !errors.Is(err, ErrCorruptKeyFile) {
				t.Fatalf("err=%v, want ErrCorruptKeyFile", err)
			}
			if key != nil {
				t.Fatal("key returned")
			}
			if !bytes.Equal(data, readFile(t, dir)) {
				t.Fatal("file changed")
			}
		})
	}

	// A damaged wrapped key cannot be told from a wrong passphrase (both
	// fail authentication): it reads as ErrWrongPassphrase.
	dir := t.TempDir()
	data := mutate(func(m map[string]any) {
		w, _ := base64.StdEncoding.DecodeString(m["wrapped"].(string))
		w[30] ^= 1
		m["wrapped"] = base64.StdEncoding.EncodeToString(w)
	})
	os.WriteFile(Path(dir), data, 0o600)
	if _, err := Unlock(dir, passOpts("p")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("damaged wrapped: err=%v", err)
	}
	// A check value that does not match an authentic key.
	data = mutate(func(m map[string]any) {
		m["check"] = base64.StdEncoding.EncodeToString(make([]byte, 32))
	})
	os.WriteFile(Path(dir), data, 0o600)
	if _, err := Unlock(dir, passOpts("p")); !errors.Is(err, ErrCorruptKeyFile) {
		t.Fatalf("bad check: err=%v", err)
	}
}

func TestFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "new")
	if _, err := Create(dir, passOpts("p")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Fatalf("key file mode %o, want 600", m)
	}
	st, _ = os.Stat(dir)
	if m := st.Mode().Perm(); m != 0o700 {
		t.Fatalf("created dir mode %o, want 700", m)
	}
	// Still 0600 after a rewrite.
	if err := ChangePassphrase(dir, "p", "q", Options{Argon2: cheap}); err != nil {
		t.Fatal(err)
	}
	st, _ = os.Stat(Path(dir))
	if m := st.Mode().Perm(); m != 0o600 {
		t.Fatalf("rewritten key file mode %o, want 600", m)
	}
}

func TestDestroy(t *testing.T) {
	// Passphrase method.
	dir := t.TempDir()
	if _, err := Create(dir, passOpts("p")); err != nil {
		t.Fatal(err)
	}
	// A leftover temp file from an interrupted write goes too.
	os.WriteFile(filepath.Join(dir, ".storekey-123.tmp"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "store.db"), []byte("x"), 0o600)
	if err := Destroy(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if Exists(dir) {
		t.Fatal("key file still there")
	}
	if n := dirNames(t, dir); len(n) != 1 || n[0] != "store.db" {
		t.Fatalf("dir holds %v", n)
	}
	if _, err := Unlock(dir, passOpts("p")); !errors.Is(err, ErrNoKey) {
		t.Fatalf("after Destroy: %v", err)
	}
	// Idempotent.
	if err := Destroy(dir, Options{}); err != nil {
		t.Fatal(err)
	}

	// Keyring method: both go.
	dir = t.TempDir()
	kr := newMemKeyring()
	if _, err := Create(dir, Options{UseKeyring: true, Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	if err := Destroy(dir, Options{Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	if Exists(dir) || kr.len() != 0 {
		t.Fatal("key file or keyring entry left")
	}

	// Keyring entry already gone: fine.
	if _, err := Create(dir, Options{UseKeyring: true, Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	kr.m = map[string]string{}
	if err := Destroy(dir, Options{Keyring: kr}); err != nil {
		t.Fatal(err)
	}

	// Keyring failing: the file goes, the error names the entry.
	if _, err := Create(dir, Options{UseKeyring: true, Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	_, acct, _ := kr.only(t)
	kr.failDel = errors.New("locked")
	err := Destroy(dir, Options{Keyring: kr})
	if err == nil || !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), acct) {
		t.Fatalf("err=%v", err)
	}
	if Exists(dir) {
		t.Fatal("key file left")
	}

	// Corrupt key file: removed all the same.
	dir = t.TempDir()
	os.WriteFile(Path(dir), []byte("garbage"), 0o600)
	if err := Destroy(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if Exists(dir) {
		t.Fatal("corrupt key file left")
	}
}

func TestChangePassphrase(t *testing.T) {
	dir := t.TempDir()
	key, err := Create(dir, passOpts("old"))
	if err != nil {
		t.Fatal(err)
	}
	before := readFile(t, dir)
	if err := ChangePassphrase(dir, "wrong", "new", Options{Argon2: cheap}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong old: err=%v", err)
	}
	if !bytes.Equal(before, readFile(t, dir)) {
		t.Fatal("file changed by a failed change")
	}
	if err := ChangePassphrase(dir, "old", "", Options{Argon2: cheap}); err == nil {
		t.Fatal("empty new passphrase accepted")
	}
	if err := ChangePassphrase(dir, "old", "new", Options{Argon2: cheap}); err != nil {
		t.Fatal(err)
	}
	if _, err := Unlock(dir, passOpts("old")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still works: %v", err)
	}
	got, err := Unlock(dir, passOpts("new"))
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("new passphrase: %v", err)
	}
	if n := dirNames(t, dir); len(n) != 1 {
		t.Fatalf("dir holds %v", n)
	}

	// Not for keyring-held keys.
	kdir := t.TempDir()
	kr := newMemKeyring()
	Create(kdir, Options{UseKeyring: true, Keyring: kr})
	if err := ChangePassphrase(kdir, "", "new", Options{Keyring: kr, Argon2: cheap}); err == nil {
		t.Fatal("ChangePassphrase on a keyring store succeeded")
	}
}

func TestRewrap(t *testing.T) {
	dir := t.TempDir()
	kr := newMemKeyring()
	key, err := Create(dir, passOpts("p"))
	if err != nil {
		t.Fatal(err)
	}
	// Passphrase -> keyring.
	if err := Rewrap(dir, passOpts("p"), Options{UseKeyring: true, Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	if m, _ := Method(dir); m != MethodKeyring {
		t.Fatalf("method %q", m)
	}
	got, err := Unlock(dir, Options{Keyring: kr})
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("after passphrase->keyring: %v", err)
	}
	// Keyring -> passphrase: the keyring entry is removed.
	if err := Rewrap(dir, Options{Keyring: kr}, Options{Passphrase: "q", Argon2: cheap}); err != nil {
		t.Fatal(err)
	}
	if kr.len() != 0 {
		t.Fatal("old keyring entry left")
	}
	got, err = Unlock(dir, passOpts("q"))
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("after keyring->passphrase: %v", err)
	}
	// Failing keyring: nothing changes.
	before := readFile(t, dir)
	bad := newMemKeyring()
	bad.failSet = errors.New("nope")
	if err := Rewrap(dir, passOpts("q"), Options{UseKeyring: true, Keyring: bad}); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("err=%v", err)
	}
	if err := Rewrap(dir, passOpts("x"), Options{UseKeyring: true, Keyring: kr}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("err=%v", err)
	}
	if err := Rewrap(dir, passOpts("q"), Options{}); err == nil {
		t.Fatal("rewrap without method succeeded")
	}
	if !bytes.Equal(before, readFile(t, dir)) || kr.len() != 0 {
		t.Fatal("state changed by a failed rewrap")
	}
}

func TestPassphraseFromEnv(t *testing.T) {
	t.Setenv(EnvPassphrase, "")
	os.Unsetenv(EnvPassphrase)
	if _, ok := PassphraseFromEnv(); ok {
		t.Fatal("ok with unset env")
	}
	t.Setenv(EnvPassphrase, "")
	if _, ok := PassphraseFromEnv(); ok {
		t.Fatal("ok with empty env")
	}
	t.Setenv(EnvPassphrase, "s3cret pass")
	p, ok := PassphraseFromEnv()
	if !ok || p != "s3cret pass" {
		t.Fatalf("got %q, %v", p, ok)
	}
	// Headless flow.
	dir := t.TempDir()
	key, err := Create(dir, Options{Passphrase: p, Argon2: cheap})
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := PassphraseFromEnv()
	got, err := Unlock(dir, Options{Passphrase: p2})
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("unlock from env: %v", err)
	}
}

func TestDefaultParams(t *testing.T) {
	p := DefaultParams()
	if p.Time != 3 || p.MemoryKiB != 64*1024 || p.Threads < 1 || p.Threads > 4 {
		t.Fatalf("%+v", p)
	}
	if err := p.validate(); err != nil {
		t.Fatal(err)
	}
}

// Known answer: a key file made with cheap parameters and passphrase
// "known" must keep unlocking to the same key. It pins the format (AD,
// NFC, Argon2id use, check label).
func TestKnownKeyFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(Path(dir), []byte(knownKeyFile), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := Unlock(dir, passOpts("known"))
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(key) != knownKey {
		t.Fatalf("key %x", key)
	}
}

// Made by Create and checked against an independent implementation
// (Python cryptography: Argon2id, HChaCha20 + ChaCha20-Poly1305, HMAC).
const (
	knownKey     = "ab0c028d90f6de606b35d44af16e2bbe94c995939f4eff4ebaaee120477d3fd6"
	knownKeyFile = `{
  "version": 1,
  "method": "passphrase",
  "argon2id": {
    "salt": "fbmiHkCofyCHavppo3BFLw==",
    "time": 1,
    "memory_kib": 64,
    "threads": 1
  },
  "wrapped": "mdgru2sfYLRsvgG509E2828JPSXDIfLsrECQBONHclm02nL9g6v0zRnMz+AWnXpWc5iLepA8xBjdKaGvM99CTANJOo7VPoyZ",
  "check": "aICCXoWuSrIVixrHoyZMs/NTA4hsuBWp90FC5zB+6Ng="
}
`
)

func FuzzParseKeyFile(f *testing.F) {
	dir := f.TempDir()
	if _, err := Create(dir, passOpts("p")); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(Path(dir))
	f.Add(good)
	f.Add([]byte(`{"version":1,"method":"keyring","keyring":{"service":"bosmessenger","account":"store-x"},"check":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`null`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := parseKeyFile(data)
		if err != nil {
			if !errors.Is(err, ErrCorruptKeyFile) {
				t.Fatalf("error does not wrap ErrCorruptKeyFile: %v", err)
			}
			if kf != nil {
				t.Fatal("file returned with an error")
			}
			return
		}
		// A valid file is safe to hand to unwrapKey: no panics on
		// slicing, and Argon2id parameters within bounds. Keep the
		// fuzzer fast: only unwrap files with cheap parameters.
		if kf.Method == MethodPassphrase && (kf.Argon2id.Time > 2 || kf.Argon2id.MemoryKiB > 1024) {
			return
		}
		_, _ = unwrapKey(kf, Options{Passphrase: "p", Keyring: newMemKeyring()})
	})
}

// BenchmarkUnlock measures Unlock with the default Argon2id parameters,
// i.e. the time a user waits after typing the passphrase.
func BenchmarkUnlock(b *testing.B) {
	dir := b.TempDir()
	if _, err := Create(dir, Options{Passphrase: "benchmark passphrase"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Unlock(dir, Options{Passphrase: "benchmark passphrase"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnlockKeyring measures Unlock of a keyring-held key, without
// the OS keyring's own latency.
func BenchmarkUnlockKeyring(b *testing.B) {
	dir := b.TempDir()
	kr := newMemKeyring()
	if _, err := Create(dir, Options{UseKeyring: true, Keyring: kr}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Unlock(dir, Options{Keyring: kr}); err != nil {
			b.Fatal(err)
		}
	}
}
