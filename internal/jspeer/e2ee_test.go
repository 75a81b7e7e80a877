package jspeer_test

import (
	"bytes"
	"testing"
	"time"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
)

// Two js peers on one Dendrite exchange encrypted text, a reply and an edit
// both ways and decrypt all of it, and a (plaintext) reaction.
func TestEncryptedRoomBothWays(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	peers := loggedInAll(t, srv, "alice", "bob")
	alice, bob := peers[0], peers[1]
	ctx := ctxT(t, 60*time.Second)

	roomID, err := alice.CreateRoom(ctx, "secret", true, []string{bob.UserID()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitForInvite(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Join(ctx, roomID); err != nil {
		t.Fatal(err)
	}

	hello, err := alice.SendText(ctx, roomID, "hello bob")
	if err != nil {
		t.Fatal(err)
	}
	if ev := expectText(t, bob, roomID, alice.UserID(), "hello bob"); ev.EventID != hello {
		t.Fatalf("event ID %s, want %s", ev.EventID, hello)
	}

	reply, err := bob.SendReply(ctx, roomID, hello, "hi alice")
	if err != nil {
		t.Fatal(err)
	}
	if ev := expectText(t, alice, roomID, bob.UserID(), "hi alice"); ev.InReplyTo() != hello {
		t.Fatalf("reply relates to %q, want %s (content %v)", ev.InReplyTo(), hello, ev.Content)
	}

	edit, err := bob.SendEdit(ctx, roomID, reply, "hi alice!")
	if err != nil {
		t.Fatal(err)
	}
	ev := expectText(t, alice, roomID, bob.UserID(), "* hi alice!")
	if rel, id := ev.Relation(); rel != "m.replace" || id != reply || ev.EventID != edit {
		t.Fatalf("edit relation %s %s, want m.replace %s", rel, id, reply)
	}
	if nc, _ := ev.Content["m.new_content"].(map[string]any); nc["body"] != "hi alice!" {
		t.Fatalf("edit m.new_content %v", ev.Content["m.new_content"])
	}

	reaction, err := alice.SendReaction(ctx, roomID, reply, "👍")
	if err != nil {
		t.Fatal(err)
	}
	got, err := bob.WaitForEvent(ctx, roomID, func(e jspeer.Event) bool { return e.EventID == reaction })
	if err != nil {
		t.Fatal(err)
	}
	if rel, id := got.Relation(); got.Type != "m.reaction" || rel != "m.annotation" || id != reply || got.Content["m.relates_to"].(map[string]any)["key"] != "👍" {
		t.Fatalf("reaction %s %v", got.Type, got.Content)
	}
	// matrix-js-sdk never encrypts m.reaction (its relation is in the clear
	// anyway), so clients must accept plaintext reactions in encrypted rooms.
	if got.Encrypted {
		t.Fatalf("reaction arrived encrypted: the SDK's behaviour changed")
	}

	// An encrypted image: the peer encrypts it (AES-CTR), the other decrypts it.
	img := bytes.Repeat([]byte("\x89PNG not really "), 4096)
	imgID, err := bob.SendFile(ctx, roomID, "m.image", "pic.png", "image/png", img)
	if err != nil {
		t.Fatal(err)
	}
	got, err = alice.WaitForEvent(ctx, roomID, func(e jspeer.Event) bool { return e.EventID == imgID })
	if err != nil {
		t.Fatal(err)
	}
	if got.Content["msgtype"] != "m.image" || got.Content["file"] == nil || got.Content["url"] != nil {
		t.Fatalf("image content %v, want an encrypted file", got.Content)
	}
	data, err := alice.Download(ctx, got.Content)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, img) {
		t.Fatalf("downloaded %d bytes, differ from the %d sent", len(data), len(img))
	}
}
