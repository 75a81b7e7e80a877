package testserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Files inside a server's data dir.
const (
	configFile = "dendrite.yaml"
	keyFile    = "matrix_key.pem"
	tlsCert    = "federation_cert.pem"
	tlsKey     = "federation_key.pem"
	logFile    = "dendrite.log"
)

// configParams is what the harness sets in the generated Dendrite config.
type configParams struct {
	bin          string
	dir          string // absolute data dir
	serverName   string
	clientURL    string
	secret       string
	federation   bool
	openRegister bool
	turn         *TURN
	noSearch     bool
}

// writeConfig generates dendrite.yaml in p.dir with generate-config and
// rewrites it for tests: everything lives inside the data dir, no rate limits,
// cheap bcrypt, presence and search on, no calls to matrix.org.
func writeConfig(ctx context.Context, p configParams) (string, error) {
	out, err := exec.CommandContext(ctx, filepath.Join(p.bin, "generate-config"),
		"-dir", p.dir, "-server", p.serverName).Output()
	if err != nil {
		return "", fmt.Errorf("failed to run generate-config: %w%s", err, stderrOf(err))
	}
	doc, err := parseYAML(out)
	if err != nil {
		return "", err
	}
	edits := []struct {
		path string
		val  any
	}{
		{"global.server_name", p.serverName},
		{"global.private_key", filepath.Join(p.dir, keyFile)},
		{"global.disable_federation", !p.federation},
		{"global.well_known_client_name", p.clientURL},
		{"global.well_known_server_name", p.serverName},
		{"global.presence.enable_inbound", true},
		{"global.presence.enable_outbound", true},
		{"global.trusted_third_party_id_servers", []string{}},
		{"global.jetstream.storage_path", filepath.Join(p.dir, "jetstream")},
		{"global.jetstream.in_memory", false},
		{"global.report_stats.enabled", false},
		{"client_api.registration_shared_secret", p.secret},
		{"client_api.registration_disabled", !p.openRegister},
		{"client_api.rate_limiting.enabled", false},
		{"federation_api.key_perspectives", []string{}},
		{"federation_api.disable_tls_validation", true},
		{"media_api.base_path", filepath.Join(p.dir, "media")},
		// Above the client's 100 MB limit (session.MaxFileSize), so that large attachments can be tested.
		{"media_api.max_file_size_bytes", 200 << 20},
		{"sync_api.search.enabled", !p.noSearch},
		{"sync_api.search.in_memory", false},
		{"sync_api.search.index_path", filepath.Join(p.dir, "searchindex")},
		{"user_api.bcrypt_cost", 4},
		// Log to stdout/stderr only; the harness captures both into dendrite.log.
		{"logging", []map[string]string{{"type": "std", "level": "info"}}},
	}
	if t := p.turn; t != nil {
		lifetime := t.UserLifetime
		if lifetime == "" {
			lifetime = "1h"
		}
		edits = append(edits, []struct {
			path string
			val  any
		}{
			{"client_api.turn.turn_uris", t.URIs},
			{"client_api.turn.turn_shared_secret", t.SharedSecret},
			{"client_api.turn.turn_user_lifetime", lifetime},
		}...)
	}
	for _, e := range edits {
		if err := doc.set(e.path, e.val); err != nil {
			return "", fmt.Errorf("failed to edit the dendrite config: %w", err)
		}
	}
	if err := checkPathsInside(doc, p.dir); err != nil {
		return "", err
	}
	data, err := doc.bytes()
	if err != nil {
		return "", err
	}
	path := filepath.Join(p.dir, configFile)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("failed to write the dendrite config: %w", err)
	}
	return path, nil
}

// checkPathsInside makes sure every file path in the config (databases, keys,
// media, search index, JetStream, logs) is absolute and inside dir, so that no
// server writes into the working directory or shares state with another.
func checkPathsInside(doc *yamlDoc, dir string) error {
	var bad []string
	doc.walkScalars(func(path, value string) {
		last := path[strings.LastIndex(path, ".")+1:]
		switch last {
		case "private_key", "storage_path", "base_path", "index_path", "connection_string", "credentials_path", "path":
		default:
			return
		}
		if value == "" {
			return // unused (e.g. global.database with per-component databases)
		}
		v := strings.TrimPrefix(value, "file:")
		if !filepath.IsAbs(v) || !strings.HasPrefix(v, dir+string(filepath.Separator)) {
			bad = append(bad, path+"="+value)
		}
	})
	if len(bad) > 0 {
		return fmt.Errorf("failed to keep dendrite paths inside %s: %s", dir, strings.Join(bad, ", "))
	}
	return nil
}

// generateSigningKey creates the server's ed25519 signing key unless it exists
// (a reused data dir keeps its key, so remote servers still trust its events).
func generateSigningKey(ctx context.Context, bin, dir string) error {
	path := filepath.Join(dir, keyFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "generate-keys"), "-private-key", path)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("failed to run generate-keys: %w: %s", err, out)
	}
	return nil
}

func randomSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("failed to make a random secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
		return ": " + strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}
