package main

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/policy"
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
	s.Close()
	checkDemoBOS(ctx, t, a, b, accounts, incident.ID)
}

// checkDemoBOS adds the demo's unvetted server and BOS mode, and checks what the Leitstelle sees
// in the GUI's config (the policy file from BOSMESSENGER_POLICY): the two servers vetted with
// their organisations, the unvetted member marked and sending next to it refused, the unvetted
// account's invite hidden and rejected (its room shows the Leitstelle gone), the incident room
// usable.
func checkDemoBOS(ctx context.Context, t *testing.T, a, b *testserver.Server, accounts string, incident id.RoomID) {
	c, err := testserver.StartE(ctx, testserver.Options{IP: "127.0.0.3", Federation: true, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	if err := seedUnvetted(ctx, c, accounts); err != nil {
		t.Fatalf("seed the unvetted account: %v", err)
	}
	bosDir := t.TempDir()
	policyPath, err := setupBOS(bosDir, demoVetted(a, b))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setupBOS(bosDir, demoVetted(a, b)); err != nil { // a second run: same key, newer list
		t.Fatalf("second run: %v", err)
	}
	t.Setenv(policy.EnvPolicyFile, policyPath)
	cfg, pol, err := session.LoadPolicyConfig(session.Config{DataDir: filepath.Join(accounts, "leitstelle"), Passphrase: demoPassphrase})
	if err != nil || !pol.BOSMode() || len(pol.Warnings) > 0 {
		t.Fatalf("demo policy: %v (warnings %q)", err, pol.Warnings)
	}
	s, err := session.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.BlockedReason(); err != nil {
		t.Fatalf("BOS mode blocked: %v", err)
	}

	other, err := session.Open(ctx, session.Config{DataDir: filepath.Join(accounts, unvettedUser), Passphrase: demoPassphrase})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var unvettedRoom id.RoomID
	rejected := false
	for i := 0; i < 60 && !rejected; i++ {
		if _, err := s.SyncOnce(ctx, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := other.SyncOnce(ctx, time.Second); err != nil {
			t.Fatal(err)
		}
		rooms, _ := other.Rooms(ctx)
		for _, r := range rooms {
			if r.Name == unvettedRoomName {
				unvettedRoom = r.ID
			}
		}
		if unvettedRoom != "" {
			members, err := other.MemberList(ctx, unvettedRoom)
			if err != nil {
				t.Fatal(err)
			}
			rejected = !slices.ContainsFunc(members, func(m session.MemberInfo) bool { return m.UserID == s.Account().UserID })
		}
	}
	if !rejected {
		t.Fatalf("the unvetted account's invite was not rejected (room %q)", unvettedRoom)
	}
	rooms, err := s.Rooms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var before id.RoomID
	for _, r := range rooms {
		if r.Membership == "invite" || r.ID == unvettedRoom {
			t.Errorf("the Leitstelle shows the unvetted invite: %+v", r)
		}
		if r.Name == beforeBOSRoom {
			before = r.ID
		}
	}
	if before == "" {
		t.Fatalf("no room %q: %+v", beforeBOSRoom, rooms)
	}

	orgs := map[string]string{}
	for _, room := range []id.RoomID{before, incident} {
		members, err := s.MemberList(ctx, room)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			switch {
			case m.Unvetted:
				orgs[m.UserID.Localpart()] = "unvetted"
			case m.Vetted:
				orgs[m.UserID.Localpart()] = m.Organisation
			}
		}
	}
	want := map[string]string{"leitstelle": "ILS Kreis Ahrweiler", "thw": "ILS Kreis Ahrweiler", "feuerwehr": "Feuerwehr Nachbarkreis", unvettedUser: "unvetted"}
	if !maps.Equal(orgs, want) {
		t.Errorf("members: %v, want %v", orgs, want)
	}
	msgs, err := s.Timeline(ctx, before, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(msgs, func(m session.Message) bool { return m.SenderUnvetted && m.Kind == session.KindText }) {
		t.Errorf("no readable message marked as from an unvetted server: %+v", msgs)
	}
	if _, err := s.Send(ctx, before, session.Draft{Text: "Antwort", Plain: true}); !errors.Is(err, session.ErrPolicyDenied) || !strings.Contains(err.Error(), unvettedUser) {
		t.Errorf("send next to the unvetted member: %v", err)
	}
	txn, err := s.Send(ctx, incident, session.Draft{Text: "BOS-Modus aktiv", Plain: true})
	if err == nil {
		_, err = s.WaitSent(ctx, txn)
	}
	if err != nil {
		t.Errorf("send into the incident room in BOS mode: %v", err)
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
