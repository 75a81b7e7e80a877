package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// TestSeedDemo runs the demo's seeding against two real federated servers and checks what the
// Leitstelle sees when the GUI opens: the encrypted incident room with all messages decrypted, the
// reply, the reaction and the image, and the THW's direct message.
func TestSeedDemo(t *testing.T) {
	a, b := testserver.StartFederated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	accounts := t.TempDir()
	if err := seed(ctx, a, b, accounts); err != nil {
		t.Fatalf("seed: %v", err)
	}

	s, err := session.Open(ctx, session.Config{DataDir: filepath.Join(accounts, "leitstelle"), Passphrase: demoPassphrase})
	if err != nil {
		t.Fatalf("open the Leitstelle account as the GUI does: %v", err)
	}
	defer s.Close()
	if _, err := s.SyncOnce(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	rooms, err := s.Rooms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var incident, dm *session.RoomSummary
	for i := range rooms {
		switch {
		case rooms[i].Name == "Einsatz Hochwasser Ahr":
			incident = &rooms[i]
		case rooms[i].IsDirect:
			dm = &rooms[i]
		}
	}
	if incident == nil || dm == nil || !incident.Encrypted || !dm.Encrypted || incident.JoinedCount != 3 {
		t.Fatalf("rooms: %+v", rooms)
	}
	msgs, err := s.Timeline(ctx, incident.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	var reply, reaction, image bool
	for _, m := range msgs {
		if m.Kind == session.KindUndecryptable {
			t.Errorf("undecryptable demo message from %s: %s", m.Sender, m.DecryptionError)
		}
		if m.Kind == session.KindText {
			texts = append(texts, m.Body)
			reply = reply || (m.Reply != nil && strings.HasPrefix(m.Reply.Body, "Lage:"))
			for _, r := range m.Reactions {
				reaction = reaction || (r.Key == "👍" && r.Count == 1)
			}
		}
		image = image || (m.Kind == session.KindImage && m.File != nil && m.File.Name == "lagekarte.png")
	}
	if len(texts) != 3 || !reply || !reaction || !image {
		t.Fatalf("incident room: texts %q reply %v reaction %v image %v", texts, reply, reaction, image)
	}
	thumb, err := s.Thumbnail(ctx, msgsImage(msgs).EventID, 64)
	if err != nil || thumb.Bounds().Dx() != 64 {
		t.Fatalf("image preview: %v", err)
	}
	dmMsgs, err := s.Timeline(ctx, dm.ID, 20)
	if err != nil {
		t.Fatal(err)
	}
	if last := dmMsgs[len(dmMsgs)-1]; last.Body != "Rückruf wegen Stromaggregat bitte." {
		t.Fatalf("DM ends with %+v", last)
	}
}

func msgsImage(msgs []session.Message) (ev session.Message) {
	for _, m := range msgs {
		if m.Kind == session.KindImage {
			return m
		}
	}
	return ev
}
