// Package crypto is BOS Messenger's end-to-end encryption: Olm/Megolm through mautrix's crypto
// (pure-Go olm, build tag goolm). Its own SQLite file in the account's data dir holds the olm
// account, olm and megolm sessions and device keys; every pickle is encrypted with a pickle key
// derived from the store key, never a constant. Room state it needs (is a room encrypted, who
// shares a room with whom) comes from the account store.
//
// Workarounds for mautrix defects are listed in docs/MAUTRIX.md (one row each: the upstream
// behaviour, where our code is, and the canary test that fails when upstream changes).
package crypto
