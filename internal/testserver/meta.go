package testserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

const metaFile = "testserver.json"

// meta records the addresses a data dir was created for. The server name
// (and so every user and room ID in the database) contains the port, so a
// reused dir must come back on the same IP and ports.
type meta struct {
	IP             string `json:"ip"`
	Port           int    `json:"port"`
	FederationPort int    `json:"federation_port,omitempty"`
	ServerName     string `json:"server_name"`
}

func readMeta(dir string) (*meta, error) {
	data, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", metaFile, err)
	}
	var m meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", metaFile, err)
	}
	return &m, nil
}

func writeMeta(dir string, m meta) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode %s: %w", metaFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, metaFile), data, 0o644); err != nil {
		return fmt.Errorf("failed to write %s: %w", metaFile, err)
	}
	return nil
}

// resolveAddrs fills in opts' IP and ports from the dir's earlier run (if
// any) or with free ports, and refuses a reuse that would change the server name.
func resolveAddrs(opts *Options) error {
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	old, err := readMeta(opts.Dir)
	if err != nil {
		return err
	}
	if old != nil {
		if old.IP != opts.IP {
			return fmt.Errorf("failed to reuse %s: it belongs to IP %s, not %s", opts.Dir, old.IP, opts.IP)
		}
		if opts.Port == 0 {
			opts.Port = old.Port
		}
		if opts.FederationPort == 0 {
			opts.FederationPort = old.FederationPort
		}
		if opts.Port != old.Port || (opts.Federation && opts.FederationPort != old.FederationPort) ||
			(opts.Federation != (old.FederationPort != 0)) {
			return fmt.Errorf("failed to reuse %s: it was created for server %s (port %d, federation port %d)",
				opts.Dir, old.ServerName, old.Port, old.FederationPort)
		}
		return nil
	}
	if opts.Port == 0 {
		if opts.Port, err = freePort(opts.IP); err != nil {
			return err
		}
	}
	if opts.Federation && opts.FederationPort == 0 {
		for opts.FederationPort == 0 || opts.FederationPort == opts.Port {
			if opts.FederationPort, err = freePort(opts.IP); err != nil {
				return err
			}
		}
	}
	return nil
}
