package session

import (
	"encoding/json"
	"reflect"
	"testing"

	"maunium.net/go/mautrix/crypto/attachment"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// sameJSON fails unless got and want encode to the same JSON value (key order aside).
func sameJSON(t *testing.T, got, want any) {
	t.Helper()
	var g, w any
	for _, x := range []struct {
		v   any
		out *any
	}{{got, &g}, {want, &w}} {
		raw, err := json.Marshal(x.v)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, x.out); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(g, w) {
		gr, _ := json.Marshal(g)
		wr, _ := json.Marshal(w)
		t.Errorf("content changed:\n got %s\nwant %s", gr, wr)
	}
}

// TestMessageContentUnchanged: the messages built with mautrix's event types send the same JSON
// as the maps they replaced (a text message, a file in a plain and in an encrypted room).
func TestMessageContentUnchanged(t *testing.T) {
	sameJSON(t, &event.MessageEventContent{MsgType: event.MsgText, Body: "hi <b>"},
		map[string]any{"msgtype": "m.text", "body": "hi <b>"})

	uri := id.ContentURI{Homeserver: "example.org", FileID: "abc"}
	sameJSON(t, attachmentContent("photo.png", "image/png", 1234, uri, nil), map[string]any{
		"msgtype": "m.image", "body": "photo.png", "url": "mxc://example.org/abc",
		"info": map[string]any{"mimetype": "image/png", "size": 1234},
	})

	file := attachment.NewEncryptedFile()
	sameJSON(t, attachmentContent("notes.pdf", "application/pdf", 99, uri, file), map[string]any{
		"msgtype": "m.file", "body": "notes.pdf",
		"info": map[string]any{"mimetype": "application/pdf", "size": 99},
		"file": &event.EncryptedFileInfo{EncryptedFile: *file, URL: uri.CUString()},
	})
}
