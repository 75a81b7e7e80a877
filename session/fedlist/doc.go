// Package fedlist reads, verifies and signs the BOS federation list: the signed list of vetted
// homeservers (modelled on gematik's TI-Messenger federation list). A list is a JWS in compact
// serialization (RFC 7515) with the header {"alg":"EdDSA","typ":"bos-federation-list+jws"} and
// the payload {"version", "issued_at", "expires_at", "servers": [{"server_name",
// "organisation", "type"}]}. Signatures are checked with go-jose against pinned Ed25519 keys.
package fedlist
