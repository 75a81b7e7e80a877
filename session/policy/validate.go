package policy

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// serverNameRE is the Matrix server name grammar: a DNS name, IPv4 or [IPv6] literal, and an
// optional port.
var serverNameRE = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}))(:[0-9]{1,5})?$`)

// ValidServerName reports whether s is a Matrix server name (host or host:port).
func ValidServerName(s string) bool {
	return len(s) <= 255 && serverNameRE.MatchString(s)
}

// ParsePublicKey decodes an Ed25519 public key given as base64 of its raw 32 bytes (standard or
// URL alphabet, padded or not).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("public key %q has %d bytes, expected %d", truncate(s, 60), len(b), ed25519.PublicKeySize)
			}
			return ed25519.PublicKey(b), nil
		}
	}
	return nil, fmt.Errorf("public key %q is not base64", truncate(s, 60))
}

// EncodePublicKey is the form ParsePublicKey reads and the policy file holds.
func EncodePublicKey(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }

// ValidateListURL accepts https:// URLs, http:// URLs on loopback, and file:// URLs with an
// absolute path.
func ValidateListURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL %q: %v", truncate(s, 80), err)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("URL %q has no host", truncate(s, 80))
		}
	case "http":
		if !IsLoopback(u.Host) {
			return fmt.Errorf("URL %q: http:// is only allowed on loopback, use https://", truncate(s, 80))
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return fmt.Errorf("URL %q: file:// URLs name a local file (file:///path)", truncate(s, 80))
		}
		if !strings.HasPrefix(u.Path, "/") {
			return fmt.Errorf("URL %q: file:// needs an absolute path", truncate(s, 80))
		}
	default:
		return fmt.Errorf("URL %q: expected https://, http:// (loopback) or file://", truncate(s, 80))
	}
	return nil
}

// IsLoopback reports whether host (with or without a port) is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validateHomeserver(s string) error {
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return fmt.Errorf("invalid homeserver URL %q", truncate(s, 80))
		}
		return nil
	}
	if !ValidServerName(s) {
		return fmt.Errorf("%q is neither a homeserver URL nor a server name", truncate(s, 80))
	}
	return nil
}
