// Package faultproxy is a fault-injecting HTTP reverse proxy for tests: put
// it between the client under test and a real homeserver to get "a
// homeserver that answers garbage" on demand.
//
// Every request is forwarded unchanged (streaming, so long-polling /sync
// works) unless a rule set with Inject matches its URL path; then the proxy
// serves the fault instead: an error status, a broken JSON body, a dropped
// connection, a delay, or a forwarded request whose answer is lost.
// Count and Faulted let a test assert that the client retried.
package faultproxy
