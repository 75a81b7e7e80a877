package fedlist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"bosmessenger/session/policy"
)

// MediaType is the JWS "typ" header of a federation list.
const MediaType = "bos-federation-list+jws"

// MaxSize bounds a list (the JWS as fetched).
const MaxSize = 4 << 20

// Organisation types a server may have.
var Types = []string{"fire", "rescue", "police", "thw", "dispatch", "authority", "other"}

// Errors of reading a list; the wrapping message carries the detail.
var (
	ErrMalformed    = errors.New("malformed federation list")
	ErrBadSignature = errors.New("federation list signature does not verify with a pinned key")
	ErrAlgorithm    = errors.New("federation list uses an unsupported algorithm or type")
	ErrExpired      = errors.New("federation list has expired")
	ErrNoKeys       = errors.New("no public key pinned for the federation list")
)

// Server is one vetted homeserver.
type Server struct {
	ServerName   string `json:"server_name"`
	Organisation string `json:"organisation"`
	Type         string `json:"type"`
}

// List is a verified federation list.
type List struct {
	Version   int64     `json:"version"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Servers   []Server  `json:"servers"`
}

// ParsePayload decodes and checks a list payload (the JSON that is signed).
func ParsePayload(data []byte) (*List, error) {
	var raw struct {
		Version   *json.Number `json:"version"`
		IssuedAt  *string      `json:"issued_at"`
		ExpiresAt *string      `json:"expires_at"`
		Servers   *[]Server    `json:"servers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the payload", ErrMalformed)
	}
	if raw.Version == nil || raw.IssuedAt == nil || raw.ExpiresAt == nil || raw.Servers == nil {
		return nil, fmt.Errorf("%w: version, issued_at, expires_at and servers are required", ErrMalformed)
	}
	l := &List{}
	v, err := raw.Version.Int64()
	if err != nil || v < 1 {
		return nil, fmt.Errorf("%w: version %s is not a positive integer", ErrMalformed, raw.Version.String())
	}
	l.Version = v
	if l.IssuedAt, err = time.Parse(time.RFC3339, *raw.IssuedAt); err != nil {
		return nil, fmt.Errorf("%w: issued_at is not an RFC 3339 time: %q", ErrMalformed, *raw.IssuedAt)
	}
	if l.ExpiresAt, err = time.Parse(time.RFC3339, *raw.ExpiresAt); err != nil {
		return nil, fmt.Errorf("%w: expires_at is not an RFC 3339 time: %q", ErrMalformed, *raw.ExpiresAt)
	}
	if !l.ExpiresAt.After(l.IssuedAt) {
		return nil, fmt.Errorf("%w: expires_at is not after issued_at", ErrMalformed)
	}
	seen := map[string]bool{}
	for i, s := range *raw.Servers {
		s.ServerName = strings.ToLower(strings.TrimSpace(s.ServerName))
		s.Organisation = strings.TrimSpace(s.Organisation)
		switch {
		case !policy.ValidServerName(s.ServerName):
			return nil, fmt.Errorf("%w: servers[%d]: %q is not a server name", ErrMalformed, i, s.ServerName)
		case seen[s.ServerName]:
			return nil, fmt.Errorf("%w: servers[%d]: %s is listed twice", ErrMalformed, i, s.ServerName)
		case s.Organisation == "":
			return nil, fmt.Errorf("%w: servers[%d]: %s has no organisation", ErrMalformed, i, s.ServerName)
		case !slices.Contains(Types, s.Type):
			return nil, fmt.Errorf("%w: servers[%d]: type %q is not one of %s", ErrMalformed, i, s.Type, strings.Join(Types, "|"))
		}
		seen[s.ServerName] = true
		l.Servers = append(l.Servers, s)
	}
	return l, nil
}

// Lookup finds a server by name (case-insensitive).
func (l *List) Lookup(serverName string) (Server, bool) {
	if l == nil {
		return Server{}, false
	}
	serverName = strings.ToLower(serverName)
	for _, s := range l.Servers {
		if s.ServerName == serverName {
			return s, true
		}
	}
	return Server{}, false
}

// ServerNames lists the names of the list's servers.
func (l *List) ServerNames() []string {
	out := make([]string, 0, len(l.Servers))
	for _, s := range l.Servers {
		out = append(out, s.ServerName)
	}
	return out
}

// Expired reports whether the list is past its expiry at now.
func (l *List) Expired(now time.Time) bool { return !now.Before(l.ExpiresAt) }
