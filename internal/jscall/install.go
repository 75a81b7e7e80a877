package jscall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"bosmessenger/internal/nodeproc"
	"bosmessenger/internal/testcache"
)

// installTimeout bounds `npm ci` and the bundling (about 20 s and 2 s with a warm npm cache).
const installTimeout = 10 * time.Minute

// wasmRel is the Rust crypto's WebAssembly below node_modules; the bundle loads it from
// pkg/ beside itself (new URL("./pkg/...", import.meta.url)).
const wasmRel = "@matrix-org/matrix-sdk-crypto-wasm/pkg/matrix_sdk_crypto_wasm_bg.wasm"

// Installation is where the browser peer lives.
type Installation struct {
	Dir      string // the npm install (node_modules)
	WebDir   string // driver.mjs, index.html, bundle.js, pkg/*.wasm
	Chromium string // the browser binary
	Node     string
}

var installed struct {
	sync.Mutex
	inst *Installation
}

// Install makes sure Chromium is there, the pinned npm dependencies are installed and the page
// is bundled. A failure is fatal (t.Fatal), with or without CI=true: it never skips.
func Install(t testing.TB) *Installation {
	t.Helper()
	inst, err := InstallE(context.Background())
	testcache.Require(t, "jscall: chromium, puppeteer-core and matrix-js-sdk", err)
	return inst
}

// InstallE is Install without testing.TB.
func InstallE(ctx context.Context) (*Installation, error) {
	installed.Lock()
	defer installed.Unlock()
	if installed.inst != nil {
		return installed.inst, nil
	}
	chromium, err := findChromium()
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("failed to find node: %w", err)
	}
	root, err := testcache.Root()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, installTimeout)
	defer cancel()
	dir := filepath.Join(root, "jscall-"+nodeproc.ShortHash(asset("package-lock.json")))
	if err := testcache.NpmCI(ctx, dir, asset("package.json"), asset("package-lock.json")); err != nil {
		return nil, err
	}
	web, err := buildWeb(ctx, dir, node)
	if err != nil {
		return nil, err
	}
	installed.inst = &Installation{Dir: dir, WebDir: web, Chromium: chromium, Node: node}
	return installed.inst, nil
}

// findChromium returns $CHROMIUM or chromium on PATH.
func findChromium() (string, error) {
	name := os.Getenv("CHROMIUM")
	if name == "" {
		name = "chromium"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("failed to find the browser (apt install chromium, or set CHROMIUM): %w", err)
	}
	return p, nil
}

// buildWeb writes the web files into dir/web-<hash>/, bundles page.js with esbuild and copies
// the crypto WebAssembly beside the bundle (atomically, once). The dir sits below the npm
// install so that driver.mjs resolves puppeteer-core from dir/node_modules.
func buildWeb(ctx context.Context, dir, node string) (string, error) {
	target := filepath.Join(dir, "web-"+webHash())
	if _, err := os.Stat(filepath.Join(target, "bundle.js")); err == nil {
		return target, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("failed to look for the page bundle: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".web-*.tmp")
	if err != nil {
		return "", fmt.Errorf("failed to create the web dir: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	for _, name := range webFiles() {
		if err := os.WriteFile(filepath.Join(tmp, name), asset(name), 0o644); err != nil {
			return "", fmt.Errorf("failed to write %s: %w", name, err)
		}
	}
	esbuild := filepath.Join(dir, "node_modules", "esbuild", "bin", "esbuild")
	cmd := exec.CommandContext(ctx, node, esbuild, "page.js", "--bundle", "--format=esm",
		"--platform=browser", "--target=chrome120", "--outfile=bundle.js", "--log-level=warning")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("failed to bundle the page with esbuild: %w\n%s", err, out)
	}
	if err := copyFile(filepath.Join(dir, "node_modules", wasmRel), filepath.Join(tmp, "pkg", filepath.Base(wasmRel))); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("failed to write the web dir: %w", err)
	}
	if err := os.Rename(tmp, target); err != nil {
		if _, serr := os.Stat(filepath.Join(target, "bundle.js")); serr == nil { // another process was faster
			return target, nil
		}
		return "", fmt.Errorf("failed to install the web dir: %w", err)
	}
	return target, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("failed to open %s: %w", src, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", filepath.Dir(dst), err)
	}
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("failed to create %s: %w", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("failed to copy %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("failed to write %s: %w", dst, err)
	}
	return nil
}
