package fedlist

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Verify checks a list in JWS compact serialization: the header must say EdDSA and this media
// type, the signature must verify with one of keys, the payload must be well-formed and the list
// must not have expired at now. When only the expiry fails, the list is returned along with
// ErrExpired (so tools can show it); otherwise a non-nil error comes with a nil list.
func Verify(jws string, keys []ed25519.PublicKey, now time.Time) (*List, error) {
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	payload, err := verifySignature(jws, keys)
	if err != nil {
		return nil, err
	}
	l, err := ParsePayload(payload)
	if err != nil {
		return nil, err
	}
	if l.Expired(now) {
		return l, fmt.Errorf("%w: version %d expired at %s", ErrExpired, l.Version, l.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return l, nil
}

// verifySignature returns the signed payload if the JWS verifies with one of keys.
func verifySignature(jws string, keys []ed25519.PublicKey) ([]byte, error) {
	jws = strings.TrimSpace(jws)
	if len(jws) > MaxSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxSize)
	}
	if strings.Count(jws, ".") != 2 {
		return nil, fmt.Errorf("%w: not a JWS in compact serialization", ErrMalformed)
	}
	obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		var algErr *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &algErr) {
			return nil, fmt.Errorf("%w: %v", ErrAlgorithm, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(obj.Signatures) != 1 {
		return nil, fmt.Errorf("%w: expected one signature", ErrMalformed)
	}
	h := obj.Signatures[0].Protected
	if h.Algorithm != string(jose.EdDSA) {
		return nil, fmt.Errorf("%w: alg %q, expected EdDSA", ErrAlgorithm, h.Algorithm)
	}
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != MediaType {
		return nil, fmt.Errorf("%w: typ %q, expected %s", ErrAlgorithm, typ, MediaType)
	}
	for _, k := range keys {
		if payload, err := obj.Verify(k); err == nil {
			return payload, nil
		}
	}
	return nil, ErrBadSignature
}

// Sign checks payload (see ParsePayload) and signs it with key, returning the JWS compact
// serialization.
func Sign(payload []byte, key ed25519.PrivateKey) (string, error) {
	if _, err := ParsePayload(payload); err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key},
		(&jose.SignerOptions{}).WithType(MediaType))
	if err != nil {
		return "", fmt.Errorf("failed to set up signing: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("failed to sign the list: %w", err)
	}
	return obj.CompactSerialize()
}

// PayloadOf returns the base64url payload part of a compact JWS ("" if it has none), to compare
// two lists of the same version.
func PayloadOf(jws string) string {
	parts := strings.Split(strings.TrimSpace(jws), ".")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// PeekPayload decodes the payload of a list without verifying it. Only for comparing a list that
// was verified before (the stored one) with a new one.
func PeekPayload(jws string) (*List, error) {
	data, err := base64.RawURLEncoding.DecodeString(PayloadOf(jws))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return ParsePayload(data)
}

// Removed lists the servers of old that are not on l.
func (l *List) Removed(old *List) []string {
	var out []string
	if old == nil {
		return nil
	}
	for _, s := range old.Servers {
		if _, ok := l.Lookup(s.ServerName); !ok {
			out = append(out, s.ServerName)
		}
	}
	return out
}
