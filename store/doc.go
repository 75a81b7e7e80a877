// Package store is the encrypted SQLite store of one BOS Messenger account.
//
// The database runs in WAL mode with a busy timeout, immediate write transactions and a small
// connection pool; whole transactions are retried when SQLite reports it is busy. The schema
// lives in numbered, embedded migrations (migrations/NNN_name.sql) tracked in schema_version.
//
// Everything that carries content (message bodies, room names and topics, member names, account
// data, sync and pagination tokens, the access token) is sealed with an AEAD before it is written;
// identifiers (room IDs, event IDs, user IDs) stay in clear so they can be indexed.
package store
