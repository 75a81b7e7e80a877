package jspeer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// BenchMegolm measures the SDK's megolm throughput in an encrypted room the peer has joined: after
// one real message (which shares the room key as usual) it encrypts n message events with the Rust
// OlmMachine the SDK uses, then decrypts them again (see js/bench.mjs for exactly what is timed).
// The results are events per second.
func (p *Peer) BenchMegolm(ctx context.Context, roomID string, n int) (encPerSec, decPerSec float64, err error) {
	if n <= 0 {
		return 0, 0, fmt.Errorf("failed to benchmark megolm: n must be positive, not %d", n)
	}
	var res struct {
		N         int     `json:"n"`
		EncryptMS float64 `json:"encrypt_ms"`
		DecryptMS float64 `json:"decrypt_ms"`
	}
	if err := p.call(ctx, "bench_megolm", map[string]any{"room_id": roomID, "n": n}, &res); err != nil {
		return 0, 0, fmt.Errorf("failed to benchmark megolm in %s: %w", roomID, err)
	}
	if res.N != n || res.EncryptMS <= 0 || res.DecryptMS <= 0 {
		return 0, 0, fmt.Errorf("failed to benchmark megolm: implausible result %+v", res)
	}
	return float64(n) / (res.EncryptMS / 1000), float64(n) / (res.DecryptMS / 1000), nil
}

// BenchSyncScript installs the peer (as InstallE) and returns the path of js/benchsync.mjs, the
// standalone one-login measurement of `make bench-compare`, and the installed matrix-js-sdk
// version. Run it with node (see the script for its arguments and output).
func BenchSyncScript(ctx context.Context) (script, sdkVersion string, err error) {
	dir, err := InstallE(ctx)
	if err != nil {
		return "", "", err
	}
	entry, err := writeScript(dir)
	if err != nil {
		return "", "", err
	}
	var pkg struct {
		Version string `json:"version"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", "matrix-js-sdk", "package.json"))
	if err != nil || json.Unmarshal(data, &pkg) != nil {
		return "", "", fmt.Errorf("failed to read the matrix-js-sdk version: %v", err)
	}
	return filepath.Join(filepath.Dir(entry), "benchsync.mjs"), pkg.Version, nil
}
