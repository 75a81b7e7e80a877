package crypto_test

import (
	"context"
	"encoding/json"
	"testing"

	"maunium.net/go/mautrix/id"

	"bosmessenger/crypto"
)

// TestProcessSyncIgnoresMalformedInput hands ProcessSync to-device events a server would not send
// (no type, content not an object, no content) and malformed device lists and key counts. They must
// be skipped without a panic, and the machine must keep decrypting.
func TestProcessSyncIgnoresMalformedInput(t *testing.T) {
	const roomID = id.RoomID("!bad:stub.local")
	ctx := context.Background()
	sender, receiver := megolmPair(t, roomID)
	receiver.ProcessSync(ctx, crypto.SyncInput{
		Since: "s1",
		ToDevice: []json.RawMessage{
			json.RawMessage(`{"sender":"@x:stub.local","content":{"algorithm":"m.olm.v1.curve25519-aes-sha2"}}`),
			json.RawMessage(`{"type":"m.room.encrypted","sender":"@x:stub.local","content":"string"}`),
			json.RawMessage(`{"type":"m.room.encrypted","sender":"@x:stub.local"}`),
			json.RawMessage(`{"type":"m.room.encrypted","sender":"@x:stub.local","content":{"algorithm":"m.olm.v1.curve25519-aes-sha2","ciphertext":"x"}}`),
			json.RawMessage(`{"type":"m.room.encrypted","sender":"@x:stub.local","content":{"algorithm":"m.olm.v1.curve25519-aes-sha2","sender_key":"abc","ciphertext":{"abc":{"type":0,"body":"!!"}}}}`),
			json.RawMessage(`{"type":"m.room_key","sender":"@x:stub.local","content":{"algorithm":"m.megolm.v1.aes-sha2","room_id":"!bad:stub.local","session_id":"x","session_key":"y"}}`),
			json.RawMessage(`"string"`),
			json.RawMessage(`null`),
			json.RawMessage(`[]`),
		},
		DeviceLists: json.RawMessage(`{"changed":"not a list"}`),
		OTKCounts:   json.RawMessage(`[1]`),
	})
	enc, err := sender.Encrypt(ctx, roomID, "m.room.message", json.RawMessage(`{"msgtype":"m.text","body":"noch da"}`), noMembers)
	if err != nil {
		t.Fatal(err)
	}
	d := receiver.Decrypt(ctx, roomID, timelineEvent(enc, "@sender:stub.local", 1))
	if d.Error != "" {
		t.Fatalf("decrypting after malformed sync input: %s", d.Error)
	}
	var c struct{ Body string }
	if err := json.Unmarshal(d.Content, &c); err != nil || c.Body != "noch da" {
		t.Fatalf("decrypted %s", d.Content)
	}
}
