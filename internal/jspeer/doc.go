// Package jspeer drives a real foreign Matrix client, matrix-js-sdk with its
// Rust crypto (vodozemac), for end-to-end encryption interoperability tests.
//
// Each Peer is one long-lived Node process running js/peer.mjs (and its
// modules) with one logged-in client. Go and Node speak JSON lines over stdin
// and stdout: every request gets exactly one answer with the same id, and
// Node pushes asynchronous events (timeline events after their decryption
// settled, verification requests, SAS) as lines without an id. All SDK logging goes to
// the process's stderr, which the Peer keeps in a ring buffer and prints when
// the test fails.
//
// The npm dependencies are pinned by js/package-lock.json (embedded in the
// test binary) and installed with `npm ci` on first use into
// ${BOS_TEST_CACHE:-$XDG_CACHE_HOME/bosmessenger-test}/jspeer-<lock hash>/
// ($XDG_CACHE_HOME defaulting to ~/.cache), the modules into its js-<hash>/,
// under a file lock so that parallel test binaries install only once (see
// Install). node and npm must be on PATH (Node 20 works: the script
// polyfills Promise.withResolvers, which matrix-js-sdk 43 needs before it is
// imported). A missing Node or a failed install fails the test; it never skips.
//
// Events report decryption failures instead of hiding them: an event that
// could not be decrypted has Type "m.room.encrypted" and a non-empty
// DecryptionFailure, and WaitForEvent names the failures it saw when it times out.
package jspeer
