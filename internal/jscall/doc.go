// Package jscall drives matrix-js-sdk's MatrixCall (1:1 VoIP, m.call.*) in a headless Chromium,
// a foreign call peer for interoperability tests.
//
// Each Peer is one Node process (js/driver.mjs) that launches Debian's chromium with
// puppeteer-core, its fake media devices playing a sine tone WAV (WriteToneWAV) as the
// microphone, and loads a page with an esbuild bundle of matrix-js-sdk (js/page.js, Rust crypto
// as WebAssembly). Go and Node speak JSON lines over stdin and stdout as in internal/jspeer (internal/nodeproc): every
// request gets one answer with the same id; call events (state changes, incoming calls, hangups)
// come as pushes. The page plays the received audio through an audio element and a Web Audio
// analyser, so that getStats() counts inbound audio energy, and reports the dominant frequency
// of an FFT over it (Stats).
//
// The npm dependencies (matrix-js-sdk, puppeteer-core, esbuild), pinned by js/package-lock.json,
// are installed on first use into ${BOS_TEST_CACHE:-~/.cache/bosmessenger-test}/jscall-<lock
// hash>/ and the page bundled into its web-<hash>/ (see Install). Chromium must be installed
// (scripts/deps.sh: apt chromium). A missing browser or a failed install fails the test; it never
// skips.
//
// Calls must keep their traffic on loopback: ICE gathers candidates on every interface, so run
// browser call tests inside a network namespace with only lo (internal/netns).
package jscall
