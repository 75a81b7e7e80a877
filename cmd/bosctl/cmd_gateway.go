package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"bosmessenger/internal/gateway"
	"bosmessenger/session"
)

func init() {
	commands["gateway"] = command{"gateway --listen ADDR --token-file FILE [--allow-remote]  (REST for dispatch systems, docs/gateway.openapi.yaml; loopback only unless --allow-remote)", cmdGateway}
	boolFlags["allow-remote"] = true
}

// loopbackOnly refuses listen addresses that are not on loopback.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Sprintf("--listen wants HOST:PORT, not %q", addr)}
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return usageError{fmt.Sprintf("--listen %s is not a loopback address (give --allow-remote to serve other hosts, behind TLS)", addr)}
}

func readToken(path string) (string, error) {
	if path == "" {
		return "", usageError{"gateway needs --token-file"}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("failed to read token file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < 16 || strings.ContainsAny(token, " \t\r\n") {
		return "", errors.New("token file must hold one token of at least 16 characters")
	}
	return token, nil
}

func cmdGateway(ctx context.Context, a *args) error {
	if _, err := a.positional(0); err != nil {
		return err
	}
	addr := a.str("listen")
	if addr == "" {
		return usageError{"gateway needs --listen ADDR"}
	}
	if !a.bool("allow-remote") {
		if err := loopbackOnly(addr); err != nil {
			return err
		}
	}
	token, err := readToken(a.str("token-file"))
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		h, err := gateway.New(s, gateway.Options{Token: token})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("failed to listen: %w", err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 90 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		go func() {
			err := s.Run(ctx, 30*time.Second, nil)
			if ctx.Err() == nil {
				cancel(err)
			}
		}()
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		fmt.Fprintf(a.stdout, "gateway listening on http://%s\n", ln.Addr())
		select {
		case err := <-served:
			return fmt.Errorf("gateway stopped: %w", err)
		case <-ctx.Done():
		}
		shut, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		_ = srv.Shutdown(shut)
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return nil
	})
}
