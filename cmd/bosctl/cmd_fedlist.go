package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"bosmessenger/session/fedlist"
	"bosmessenger/session/policy"
)

func init() {
	commands["fedlist"] = command{"fedlist keygen --out KEYFILE | sign --key KEYFILE PAYLOAD.json [--out LIST.jws] | " +
		"verify [--pubkey BASE64]... LIST.jws_OR_URL [--json]  (admin tool for the signed federation list)", cmdFedlist}
}

func cmdFedlist(ctx context.Context, a *args) error {
	if len(a.pos) == 0 {
		return usageError{"usage: bosctl " + commands["fedlist"].usage}
	}
	sub, rest := a.pos[0], a.pos[1:]
	switch sub {
	case "keygen":
		return fedlistKeygen(a, rest)
	case "sign":
		return fedlistSign(a, rest)
	case "verify":
		return fedlistVerify(ctx, a, rest)
	}
	return usageError{fmt.Sprintf("unknown fedlist command %q (keygen, sign or verify)", sub)}
}

// fedlistKeygen writes a new signing key (PEM, mode 0600, never overwriting) and prints its
// public key as the policy's federation_list_public_keys wants it.
func fedlistKeygen(a *args, rest []string) error {
	out := a.str("out")
	if out == "" || len(rest) != 0 {
		return usageError{"usage: bosctl fedlist keygen --out KEYFILE"}
	}
	pub, priv, err := fedlist.GenerateKey()
	if err != nil {
		return fmt.Errorf("failed to generate a key: %w", err)
	}
	pemData, err := fedlist.MarshalPrivateKey(priv)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("failed to create key file (an existing one is never overwritten): %w", err)
	}
	if _, err := f.Write(pemData); err != nil {
		f.Close()
		return fmt.Errorf("failed to write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("failed to write key file: %w", err)
	}
	fmt.Fprintln(a.stdout, policy.EncodePublicKey(pub))
	return nil
}

// fedlistSign checks a payload file and signs it.
func fedlistSign(a *args, rest []string) error {
	keyFile := a.str("key")
	if keyFile == "" || len(rest) != 1 {
		return usageError{"usage: bosctl fedlist sign --key KEYFILE PAYLOAD.json [--out LIST.jws]"}
	}
	keyData, err := os.ReadFile(keyFile)
	if err != nil {
		return fmt.Errorf("failed to read key file: %w", err)
	}
	key, err := fedlist.ParsePrivateKey(keyData)
	if err != nil {
		return fmt.Errorf("key file %s: %w", keyFile, err)
	}
	payload, err := os.ReadFile(rest[0])
	if err != nil {
		return fmt.Errorf("failed to read payload: %w", err)
	}
	jws, err := fedlist.Sign(payload, key)
	if err != nil {
		return fmt.Errorf("payload %s: %w", rest[0], err)
	}
	if out := a.str("out"); out != "" {
		if err := os.WriteFile(out, []byte(jws+"\n"), 0o644); err != nil {
			return fmt.Errorf("failed to write list: %w", err)
		}
		return nil
	}
	_, err = fmt.Fprintln(a.stdout, jws)
	return err
}

// fedlistVerify checks a list against --pubkey keys (default: the keys pinned by the policy) and
// prints version, expiry and servers. An expired or refused list exits non-zero.
func fedlistVerify(ctx context.Context, a *args, rest []string) error {
	if len(rest) != 1 {
		return usageError{"usage: bosctl fedlist verify [--pubkey BASE64]... LIST.jws_OR_URL [--json]"}
	}
	var keys []ed25519.PublicKey
	for _, k := range a.list("pubkey") {
		pub, err := policy.ParsePublicKey(k)
		if err != nil {
			return usageError{err.Error()}
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		pol, err := policy.Load()
		if err != nil {
			return err
		}
		keys = pol.PublicKeys()
	}
	src := rest[0]
	var jws string
	if strings.Contains(src, "://") {
		var err error
		if jws, err = fedlist.Fetch(ctx, &http.Client{Timeout: 30 * time.Second}, src); err != nil {
			return err
		}
	} else {
		data, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("failed to read list: %w", err)
		}
		jws = string(data)
	}
	l, err := fedlist.Verify(jws, keys, time.Now())
	if l == nil {
		return err
	}
	if a.bool("json") {
		if perr := printJSON(a.stdout, l); perr != nil {
			return perr
		}
	} else {
		fmt.Fprintf(a.stdout, "version\t%d\nissued_at\t%s\nexpires_at\t%s\n", l.Version,
			l.IssuedAt.UTC().Format(time.RFC3339), l.ExpiresAt.UTC().Format(time.RFC3339))
		for _, s := range l.Servers {
			fmt.Fprintf(a.stdout, "server\t%s\t%s\t%s\n", safe(s.ServerName), safe(s.Type), safe(s.Organisation))
		}
	}
	if errors.Is(err, fedlist.ErrExpired) {
		return err
	}
	return nil
}
