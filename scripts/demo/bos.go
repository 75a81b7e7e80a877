package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/fedlist"
	"bosmessenger/session/policy"
)

// listedServer is a vetted server of the demo's federation list.
type listedServer struct {
	ServerName   string `json:"server_name"`
	Organisation string `json:"organisation"`
	Type         string `json:"type"`
}

// Names of the demo's BOS mode files in DIR/bos.
const (
	bosKeyFile    = "list-signing-key.pem" // the list's signing key (the admin's, 0600)
	bosListFile   = "federation.jws"       // the signed federation list
	bosPolicyFile = "policy.json"          // the policy the GUI runs with (BOSMESSENGER_POLICY)
)

// setupBOS writes the demo's BOS mode into dir: a signing key (kept across runs), a federation
// list of the vetted servers signed with it (a new version on every run, valid for 30 days) and
// a policy with bos_mode on that pins the key and names the list (file://). It returns the policy
// file's path.
func setupBOS(dir string, vetted []listedServer) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	key, err := signingKey(filepath.Join(dir, bosKeyFile))
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	payload, err := json.Marshal(map[string]any{"version": now.Unix(), "issued_at": now.Format(time.RFC3339),
		"expires_at": now.Add(30 * 24 * time.Hour).Format(time.RFC3339), "servers": vetted})
	if err != nil {
		return "", err
	}
	jws, err := fedlist.Sign(payload, key)
	if err != nil {
		return "", err
	}
	listPath := filepath.Join(dir, bosListFile)
	if err := os.WriteFile(listPath, []byte(jws), 0o644); err != nil {
		return "", err
	}
	pol, err := json.MarshalIndent(map[string]any{"managed": map[string]any{
		"bos_mode":                    true,
		"federation_list_url":         "file://" + listPath,
		"federation_list_public_keys": []string{policy.EncodePublicKey(key.Public().(ed25519.PublicKey))},
	}}, "", "  ")
	if err != nil {
		return "", err
	}
	polPath := filepath.Join(dir, bosPolicyFile)
	return polPath, os.WriteFile(polPath, append(pol, '\n'), 0o600)
}

// signingKey reads the demo's list signing key, or makes it on the first run.
func signingKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return fedlist.ParsePrivateKey(data)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	_, key, err := fedlist.GenerateKey()
	if err != nil {
		return nil, err
	}
	pem, err := fedlist.MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return key, os.WriteFile(path, pem, 0o600)
}

// The unvetted part of the demo: an account on a third server that is not on the list.
const (
	unvettedUser     = "sicherheitsdienst"
	beforeBOSRoom    = "Nachbarschaftshilfe (vor dem BOS-Modus)"
	unvettedRoomName = "Private Lagegruppe"
)

// demoVetted is the demo's federation list: the two servers of the organisations.
func demoVetted(a, b *testserver.Server) []listedServer {
	return []listedServer{
		{ServerName: a.ServerName, Organisation: "ILS Kreis Ahrweiler", Type: "dispatch"},
		{ServerName: b.ServerName, Organisation: "Feuerwehr Nachbarkreis", Type: "fire"},
	}
}

// seedUnvetted adds an account on the unvetted server c. Before BOS mode it joined a room of the
// Leitstelle and wrote there (the GUI marks it "nicht geprüfter Server", and BOS mode refuses to
// send into that room); afterwards it invites the Leitstelle into a room of its own, which BOS
// mode hides and rejects when the GUI syncs.
func seedUnvetted(ctx context.Context, c *testserver.Server, accounts string) error {
	if _, err := c.RegisterE(ctx, unvettedUser, demoPassword); err != nil && !strings.Contains(err.Error(), "M_USER_IN_USE") {
		return err
	}
	dir := filepath.Join(accounts, unvettedUser)
	_ = os.RemoveAll(dir)
	other, err := session.Login(ctx, session.Config{DataDir: dir, Passphrase: demoPassphrase, DeviceName: "Demo"}, c.URL, unvettedUser, demoPassword)
	if err != nil {
		return err
	}
	defer other.Close()
	leit, err := session.Open(ctx, session.Config{DataDir: filepath.Join(accounts, "leitstelle"), Passphrase: demoPassphrase})
	if err != nil {
		return err
	}
	defer leit.Close()
	leitID := leit.Account().UserID
	roomID, err := leit.CreateRoom(ctx, session.CreateRoomOptions{Name: beforeBOSRoom, Encrypted: true,
		Topic:  "Angebot eines privaten Dienstes – vor Einführung des BOS-Modus angelegt",
		Invite: []id.UserID{other.Account().UserID}})
	if err != nil {
		return err
	}
	if err := joinEventually(ctx, other, roomID); err != nil {
		return err
	}
	if err := waitMembers(ctx, leit, roomID, 2); err != nil {
		return err
	}
	offer, err := send(ctx, other, roomID, func() (string, error) {
		return other.Send(ctx, roomID, session.Draft{Text: "Sicherheitsdienst Nord: Wir könnten mit zwei Fahrzeugen unterstützen.", Plain: true})
	})
	if err != nil {
		return err
	}
	if err := waitReadable(ctx, leit, roomID, offer); err != nil {
		return err
	}
	// From here on the Leitstelle does not sync before the GUI: the invite reaches it in BOS mode.
	if err := leit.Close(); err != nil {
		return err
	}
	_, err = other.CreateRoom(ctx, session.CreateRoomOptions{Name: unvettedRoomName, Encrypted: true, Invite: []id.UserID{leitID}})
	return err
}

// waitReadable syncs s until it has decrypted the event.
func waitReadable(ctx context.Context, s *session.Session, roomID id.RoomID, eventID id.EventID) error {
	for range 60 {
		if _, err := s.SyncOnce(ctx, time.Second); err != nil {
			return err
		}
		msgs, err := s.Timeline(ctx, roomID, 20)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.EventID == eventID && m.Kind == session.KindText {
				return nil
			}
		}
	}
	return fmt.Errorf("event %s did not arrive decrypted in time", eventID)
}
