package crypto_test

import (
	"context"
	"encoding/json"
	"testing"

	"maunium.net/go/mautrix/id"
)

// FuzzDecrypt feeds arbitrary bytes as a timeline event to Machine.Decrypt. The seeds are real
// megolm events (encrypted by one machine, the session known to the decrypting one) and broken
// variants of them. Decrypt must never panic and must return either plaintext or an error, never
// both and never neither.
//
//	go test -tags goolm -run '^$' -fuzz FuzzDecrypt -fuzztime 60s ./crypto
func FuzzDecrypt(f *testing.F) {
	const roomID = id.RoomID("!fuzz:stub.local")
	ctx := context.Background()
	sender, receiver := megolmPair(f, roomID)
	for i, body := range []string{`{"msgtype":"m.text","body":"hallo"}`, `{"msgtype":"m.text","body":"zwei","m.relates_to":{"rel_type":"m.thread","event_id":"$x"}}`} {
		enc, err := sender.Encrypt(ctx, roomID, "m.room.message", json.RawMessage(body), noMembers)
		if err != nil {
			f.Fatal(err)
		}
		raw := timelineEvent(enc, "@sender:stub.local", i)
		if d := receiver.Decrypt(ctx, roomID, raw); d.Error != "" {
			f.Fatalf("seed %d does not decrypt: %s", i, d.Error)
		}
		f.Add([]byte(raw))
		var c map[string]any
		_ = json.Unmarshal(enc, &c)
		c["algorithm"] = "m.megolm.v2.unknown"
		bad, _ := json.Marshal(c)
		f.Add([]byte(timelineEvent(bad, "@sender:stub.local", 100+i)))
		delete(c, "session_id")
		bad, _ = json.Marshal(c)
		f.Add([]byte(timelineEvent(bad, "@sender:stub.local", 200+i)))
	}
	f.Add([]byte(`{"type":"m.room.encrypted","content":"string"}`))
	f.Add([]byte(`{"type":"m.room.encrypted","content":[1,2]}`))
	f.Add([]byte(`{"type":"m.room.encrypted","content":{"algorithm":"m.megolm.v1.aes-sha2","ciphertext":7}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d := receiver.Decrypt(ctx, roomID, raw)
		if (d.Error == "") == (d.Content == nil) {
			t.Fatalf("Decrypt returned content %q together with error %q", d.Content, d.Error)
		}
		if d.Error != "" && (d.Type != "" || d.Trust != 0) {
			t.Fatalf("failed decryption carries plaintext metadata: %+v", d)
		}
	})
}
