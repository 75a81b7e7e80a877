package secretservice_test

import (
	"errors"
	"testing"

	"github.com/zalando/go-keyring"

	"bosmessenger/internal/secretservice"
)

// TestRoundTrip stores, reads and deletes a secret through go-keyring on a private Secret Service.
func TestRoundTrip(t *testing.T) {
	secretservice.Start(t)
	if _, err := keyring.Get("bos-test", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("fresh keyring: want ErrNotFound, got %v", err)
	}
	if err := keyring.Set("bos-test", "u", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get("bos-test", "u"); err != nil || v != "v" {
		t.Fatalf("get: %q %v", v, err)
	}
	if err := keyring.Delete("bos-test", "u"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get("bos-test", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("after delete: want ErrNotFound, got %v", err)
	}
}
