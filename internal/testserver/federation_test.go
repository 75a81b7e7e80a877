package testserver

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"bosmessenger/internal/eventually"
)

func TestFederation(t *testing.T) {
	t.Parallel()
	a, b := StartFederated(t)
	if a.IP != "127.0.0.1" || b.IP != "127.0.0.2" || a.ServerName == b.ServerName {
		t.Fatalf("unexpected servers %s and %s", a, b)
	}
	alice := a.Register(t, "alice", "alice-password")
	bob := b.Register(t, "bob", "bob-password")
	aliceTok := login(t, a, "alice", "alice-password")
	bobTok := login(t, b, "bob", "bob-password")

	var room struct {
		RoomID string `json:"room_id"`
	}
	create := map[string]any{"preset": "private_chat", "invite": []string{bob}, "name": "fed"}
	if code := call(t, http.MethodPost, a.URL+"/_matrix/client/v3/createRoom", aliceTok, create, &room); code != http.StatusOK {
		t.Fatalf("createRoom: HTTP %d", code)
	}
	roomPath := url.PathEscape(room.RoomID)

	joinURL := b.URL + "/_matrix/client/v3/join/" + roomPath + "?server_name=" + url.QueryEscape(a.ServerName)
	eventually.True(t, 20*time.Second, "bob to join over federation", func() bool {
		return call(t, http.MethodPost, joinURL, bobTok, map[string]any{}, nil) == http.StatusOK
	})

	body := fmt.Sprintf("hello from %s", b.ServerName)
	msg := map[string]string{"msgtype": "m.text", "body": body}
	if code := call(t, http.MethodPut, b.URL+"/_matrix/client/v3/rooms/"+roomPath+"/send/m.room.message/txn1", bobTok, msg, nil); code != http.StatusOK {
		t.Fatalf("send: HTTP %d", code)
	}

	since := ""
	eventually.True(t, 20*time.Second, alice+" to see the message of "+bob, func() bool {
		var sync struct {
			NextBatch string `json:"next_batch"`
			Rooms     struct {
				Join map[string]struct {
					Timeline struct {
						Events []struct {
							Type     string         `json:"type"`
							Sender   string         `json:"sender"`
							Content  map[string]any `json:"content"`
							Unsigned map[string]any `json:"unsigned"`
						} `json:"events"`
					} `json:"timeline"`
				} `json:"join"`
			} `json:"rooms"`
		}
		u := a.URL + "/_matrix/client/v3/sync?timeout=3000"
		if since != "" {
			u += "&since=" + url.QueryEscape(since)
		}
		if code := call(t, http.MethodGet, u, aliceTok, nil, &sync); code != http.StatusOK {
			t.Fatalf("sync: HTTP %d", code)
		}
		since = sync.NextBatch
		for _, ev := range sync.Rooms.Join[room.RoomID].Timeline.Events {
			if ev.Type == "m.room.message" && ev.Sender == bob && ev.Content["body"] == body {
				return true // alice on A sees bob's message sent on B
			}
		}
		return false
	})
}
