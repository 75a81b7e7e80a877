// Package nodeproc is what the test peers in Node (internal/jspeer: matrix-js-sdk;
// internal/jscall: matrix-js-sdk in a headless browser) have in common: the request/response
// protocol over the child's stdin and stdout (one JSON object a line), the short hashes that
// name their installed assets, and the per-test context of their tests.
package nodeproc
