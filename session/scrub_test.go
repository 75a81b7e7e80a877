package session

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"maunium.net/go/mautrix"
)

func TestRequestErrorsDoNotCarrySyncTokens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cli, _ := mautrix.NewClient("http://"+addr, "@a:x", "SECRET_ACCESS_TOKEN")
	s := &Session{cli: cli}
	_, err = cli.MakeFullRequest(context.Background(), mautrix.FullRequest{Method: "GET",
		URL: cli.BuildURLWithQuery(mautrix.ClientURLPath{"v3", "sync"}, map[string]string{"since": "s_SECRET_TOKEN_42"}), MaxAttempts: 1})
	if err == nil {
		t.Fatal("request to a closed port succeeded")
	}
	if !strings.Contains(err.Error(), "s_SECRET_TOKEN_42") {
		t.Fatalf("precondition: the raw error should show the URL, got %q", err)
	}
	got := s.classify("sync", err)
	if strings.Contains(got.Error(), "SECRET") {
		t.Fatalf("token leaked into the error: %q", got)
	}
	if !strings.Contains(got.Error(), "/_matrix/client/v3/sync") {
		t.Errorf("error should still say what failed: %q", got)
	}
	var ne *net.OpError
	if !errors.As(got, &ne) {
		t.Errorf("the error chain must be kept: %q", got)
	}
}
