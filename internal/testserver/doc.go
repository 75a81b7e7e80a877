// Package testserver runs a real Matrix homeserver (Dendrite v0.13.8) on a
// loopback address for integration tests.
//
// Start launches one server with a fresh (or reused) data directory, waits
// until its client-server API answers and stops it when the test ends.
// StartFederated launches two servers on 127.0.0.1 and 127.0.0.2 that
// federate with each other over HTTPS with self-signed certificates.
// Shared and SharedFederated return servers that all tests of a test binary share (started on
// first use, stopped by Main from TestMain); tests on them use fresh users and must not stop,
// kill or restart them.
// Users are created with the shared-secret registration endpoint
// (Server.Register), so the servers need no open registration.
//
// The Dendrite binaries are cached outside the repository and installed on
// first use by scripts/install-dendrite.sh (see BinDir). A missing homeserver
// is a test failure, never a skip.
//
// The harness is Unix-only in practice: it puts every server in its own
// process group and signals only the processes it started.
package testserver
