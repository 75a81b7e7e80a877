package session_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/search"
)

// searchWord is a word of a message that the at-rest test searches for (so the search index holds
// it) and then looks for on disk, as written and normalised.
const searchWord = "Quellwasserpumpen"

// TestNothingInPlaintextOnDisk sends and receives messages, names, topics and display names with
// known markers through full sync cycles (in a plain and an end-to-end encrypted room), then
// searches every file of both data dirs (database, crypto store, WAL, SHM, logs, key file) for the
// markers and the access token. Other users' device display names and room member names count
// too: they are what someone else chose to show, and the crypto store keeps devices. A word of an
// encrypted message is searched for first, so the search index holds it (as keyed hashes only).
func TestNothingInPlaintextOnDisk(t *testing.T) {
	t.Parallel()
	srv := testserver.Shared(t)
	alice, bob := newAccount(t, srv, "alice"), newAccount(t, srv, "bob")
	sa, sb := alice.login(t), bob.login(t)
	markers := []string{"MARKER-ROOMNAME-7f3a", "MARKER-TOPIC-91c2", "MARKER-BODY-ALICE-55d0", "MARKER-BODY-BOB-c41e",
		"MARKER-DISPLAYNAME-0b9e", "MARKER-ACCOUNTDATA-e2a7", "MARKER-E2EE-ALICE-3d1f", "MARKER-E2EE-BOB-8a64",
		"MARKER-E2EE-ROOMNAME-6c0b", "MARKER-DEVICENAME-BOB-4e7d"}
	roomID := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: markers[0], Topic: markers[1]})

	// Display name and account data go through the plain API of a second client of bob's.
	raw, err := mautrix.NewClient(srv.URL, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Login(ctx(t), &mautrix.ReqLogin{Type: mautrix.AuthTypePassword, Password: testPassword,
		Identifier: mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: bob.Local}, StoreCredentials: true}); err != nil {
		t.Fatal(err)
	}
	if err := raw.SetDisplayName(ctx(t), markers[4]); err != nil {
		t.Fatal(err)
	}
	if err := raw.SetAccountData(ctx(t), "de.bos.test", map[string]string{"note": markers[5]}); err != nil {
		t.Fatal(err)
	}
	// Bob names his device before alice first fetches his device keys (for the encrypted room).
	if err := sb.RenameDevice(ctx(t), sb.Account().DeviceID, markers[9]); err != nil {
		t.Fatal(err)
	}
	mustSend(t, sa, roomID, markers[2])
	mustSend(t, sb, roomID, markers[3])
	waitForBodies(t, sa, roomID, 50, markers[2], markers[3])
	waitForBodies(t, sb, roomID, 50, markers[2], markers[3])
	encRoom := sharedRoom(t, sa, sb, session.CreateRoomOptions{Name: markers[8], Encrypted: true})
	mustSync(t, sa)
	mustSend(t, sa, encRoom, markers[6])
	mustSend(t, sb, encRoom, markers[7])
	waitForBodies(t, sa, encRoom, 50, markers[6], markers[7])
	waitForBodies(t, sb, encRoom, 50, markers[6], markers[7])
	for range 3 {
		mustSync(t, sa)
		mustSync(t, sb)
	}
	if data, _ := sb.AccountData(ctx(t), "", "de.bos.test"); !bytes.Contains(data, []byte(markers[5])) {
		t.Fatalf("account data not synced: %s", data)
	}
	members, _ := sa.Members(ctx(t), roomID)
	foundName := false
	for _, m := range members {
		foundName = foundName || m.Name == markers[4]
	}
	if !foundName {
		t.Fatalf("display name not synced: %+v", members)
	}
	// Alice sees bob's device name (the server hands it out with his keys), so it could be stored.
	devs, err := sa.Devices(ctx(t), id.UserID(bob.UserID))
	if err != nil {
		t.Fatal(err)
	}
	foundDevice := false
	for _, d := range devs {
		foundDevice = foundDevice || d.Name == markers[9]
	}
	if !foundDevice {
		t.Fatalf("bob's device name not seen by alice: %+v", devs)
	}
	mustSend(t, sa, encRoom, "after the device list")
	// A searched word: the search index must not hold it (nor its normalised form) readably.
	mustSend(t, sb, encRoom, "Zustand der "+searchWord+" prüfen")
	waitForBodies(t, sa, encRoom, 50, "Zustand der "+searchWord+" prüfen")
	if hits, err := sa.Search(ctx(t), searchWord, session.SearchOptions{}); err != nil || len(hits) != 1 {
		t.Fatalf("search %q: %+v, %v", searchWord, hits, err)
	}
	mustSync(t, sa)
	tokenA := sa.AccessTokenForTest()
	tokenB := sb.AccessTokenForTest()

	// Check while the sessions are open (WAL and SHM exist) and again after closing.
	for _, phase := range []string{"open", "closed"} {
		if phase == "closed" {
			sa.Close()
			sb.Close()
		}
		needles := append([]string{}, markers...)
		needles = append(needles, tokenA, tokenB, searchWord, search.Normalise(searchWord))
		for _, dir := range []string{alice.Dir, bob.Dir} {
			files := 0
			err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
				if err != nil || info.IsDir() {
					return err
				}
				files++
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				for _, n := range needles {
					for _, form := range [][]byte{[]byte(n), []byte(hex.EncodeToString([]byte(n))),
						[]byte(base64.StdEncoding.EncodeToString([]byte(n)))} {
						if bytes.Contains(data, form) {
							t.Errorf("%s (%s): found %q in plaintext", filepath.Base(path), phase, n)
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files < 2 {
				t.Fatalf("expected database files in %s, found %d files", dir, files)
			}
		}
	}
}
