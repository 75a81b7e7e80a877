// Package session is the BOS Messenger engine: login and homeserver discovery, the sync loop,
// rooms, timeline and history, the persistent send queue and the policy hook. It stores
// everything in the encrypted account store (package store) and tells subscribers what changed
// through typed, sequence-numbered change events. It never imports the GUI.
package session
