package winetest

import (
	"bosmessenger/internal/testcache"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// EnvBosctlExe names a cross-built bosctl.exe to test (make test sets it after build-windows);
// without it the test cross-builds policydump, which reads the policy with the same code.
const EnvBosctlExe = "BOSCTL_EXE"

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		_, err := exec.LookPath(tool)
		testcache.Require(t, tool+" (scripts/deps.sh installs wine and mingw)", err)
	}
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

type row struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Source   string          `json:"source"`
	Enforced bool            `json:"enforced"`
}

// Policies written with wine's reg.exe, as GPO writes them, read back by the Windows build: the
// values, HKLM before HKCU, the Recommended subkey, a list subkey, and the sources.
func TestRegistryPolicyUnderWine(t *testing.T) {
	need(t, "wine", "wineboot", "x86_64-w64-mingw32-gcc")
	dir := t.TempDir()
	env := []string{"WINEPREFIX=" + filepath.Join(dir, "prefix"), "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=",
		"BOSMESSENGER_POLICY="}
	exe := os.Getenv(EnvBosctlExe)
	args := []string{"policy", "--json", "--data", `Z:` + filepath.Join(dir, "data")}
	if exe == "" {
		exe = filepath.Join(dir, "policydump.exe")
		run(t, []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}, "go", "build", "-o", exe, "./policydump")
		args = nil
	} else if abs, err := filepath.Abs(exe); err == nil {
		exe = abs
	}
	dll := filepath.Join(dir, "bcryptprimitives.dll")
	run(t, nil, "x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll, filepath.Join("testdata", "bcryptprimitives.c"), filepath.Join("testdata", "bcryptprimitives.def"), "-ladvapi32")
	run(t, env, "wineboot", "--init")
	sys32 := filepath.Join(dir, "prefix", "drive_c", "windows", "system32")
	data, err := os.ReadFile(dll)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys32, "bcryptprimitives.dll"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	const lm, cu = `HKLM\SOFTWARE\Policies\BOSMessenger`, `HKCU\SOFTWARE\Policies\BOSMessenger`
	for _, r := range [][]string{
		{lm, "max_upload_mb", "REG_DWORD", "25"},
		{lm, "notification_content", "REG_SZ", "none"},
		{lm, "disable_key_export", "REG_DWORD", "1"},
		{lm + `\allowed_homeservers`, "1", "REG_SZ", "leitstelle.example.de"},
		{lm + `\allowed_homeservers`, "2", "REG_SZ", "feuerwehr.example.de"},
		{lm + `\Recommended`, "theme", "REG_SZ", "dark"},
		{cu, "max_upload_mb", "REG_DWORD", "50"},
		{cu + `\Recommended`, "language", "REG_SZ", "en"},
	} {
		run(t, env, "wine", "reg", "add", r[0], "/v", r[1], "/t", r[2], "/d", r[3], "/f")
	}
	out := run(t, env, "wine", append([]string{exe}, args...)...)
	var rows []row
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	got := map[string]row{}
	for _, r := range rows {
		got[r.Key] = r
	}
	src := "Gruppenrichtlinie " + lm
	for key, want := range map[string]row{
		"max_upload_mb":        {Value: json.RawMessage(`25`), Source: src, Enforced: true},
		"notification_content": {Value: json.RawMessage(`"none"`), Source: src, Enforced: true},
		"disable_key_export":   {Value: json.RawMessage(`true`), Source: src, Enforced: true},
		"allowed_homeservers":  {Value: json.RawMessage(`["leitstelle.example.de","feuerwehr.example.de"]`), Source: src, Enforced: true},
		"theme":                {Value: json.RawMessage(`"dark"`), Source: src + `\Recommended`},
		"language":             {Value: json.RawMessage(`"en"`), Source: "Gruppenrichtlinie " + cu + `\Recommended`},
		"bos_mode":             {Value: json.RawMessage(`false`), Source: "default"},
	} {
		g := got[key]
		if string(g.Value) != string(want.Value) || g.Source != want.Source || g.Enforced != want.Enforced {
			t.Errorf("%s: got %+v (value %s), want %+v (value %s)", key, g, g.Value, want, want.Value)
		}
	}
	// a value of the wrong registry type stops it, naming source and key
	run(t, env, "wine", "reg", "add", lm, "/v", "app_lock", "/t", "REG_SZ", "/d", "ja", "/f")
	cmd := exec.Command("wine", append([]string{exe}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), src) || !strings.Contains(string(msg), "app_lock") {
		t.Fatalf("wrong type accepted or not named: %v\n%s", err, msg)
	}
}
