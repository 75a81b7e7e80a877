package session

import (
	"testing"

	"bosmessenger/store"
)

// An event that could not be decrypted previews as a typed kind without text; state events and
// reactions do not preview.
func TestPreviewOfKinds(t *testing.T) {
	enc := &store.Event{EventID: "$e", Sender: "@a:x", Type: "m.room.encrypted", Content: []byte(`{"algorithm":"m.megolm.v1.aes-sha2"}`)}
	if lm, ok := previewOf(enc); !ok || lm.Kind != PreviewUndecryptable || lm.Body != "" {
		t.Fatalf("undecryptable: %+v %v", lm, ok)
	}
	other := &store.Event{EventID: "$o", Sender: "@a:x", Type: "m.call.invite", Content: []byte(`{}`)}
	if lm, ok := previewOf(other); ok {
		t.Fatalf("call invite previewed: %+v", lm)
	}
	img := &store.Event{EventID: "$i", Sender: "@a:x", Type: "m.room.message", Content: []byte(`{"msgtype":"m.image","body":"foto.jpg"}`)}
	if lm, ok := previewOf(img); !ok || lm.Body != "📎 foto.jpg" {
		t.Fatalf("image: %+v %v", lm, ok)
	}
}
