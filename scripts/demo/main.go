// Command demo sets up the local demo: two federated Dendrite homeservers on loopback (two
// organisations), demo accounts of a Leitstelle, a THW unit and a fire brigade, an encrypted
// incident room with messages, a reply, a reaction and an image, and a DM; then it opens the GUI
// signed in as the Leitstelle, in BOS mode: the two servers are on a federation list signed with
// the demo's key (DIR/bos), and a third, unvetted server (127.0.0.3) has an account whose member
// the GUI marks as unvetted and whose invite BOS mode hides and rejects. Run it through
// `make demo`. Data stays in $BOS_DEMO_DIR (default ~/.cache/bosmessenger-demo), so a second run
// starts at once.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/policy"
)

const (
	demoPassword   = "demo-passwort-2026"
	demoPassphrase = "demo-speicher-passphrase"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	root := os.Getenv("BOS_DEMO_DIR")
	if root == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return err
		}
		root = filepath.Join(home, ".cache", "bosmessenger-demo")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Println("demo: starting three homeservers (Kreis Ahrweiler on 127.0.0.1, Nachbarkreis on 127.0.0.2, unvetted on 127.0.0.3)")
	a, err := testserver.StartE(ctx, testserver.Options{IP: "127.0.0.1", Federation: true, Dir: filepath.Join(root, "server-a")})
	if err != nil {
		return err
	}
	defer a.Stop()
	b, err := testserver.StartE(ctx, testserver.Options{IP: "127.0.0.2", Federation: true, Dir: filepath.Join(root, "server-b")})
	if err != nil {
		return err
	}
	defer b.Stop()
	c, err := testserver.StartE(ctx, testserver.Options{IP: "127.0.0.3", Federation: true, Dir: filepath.Join(root, "server-c")})
	if err != nil {
		return err
	}
	defer c.Stop()

	accounts := filepath.Join(root, "accounts")
	if _, err := os.Stat(filepath.Join(root, "seeded.ok")); err != nil {
		fmt.Println("demo: creating accounts, rooms and messages (first run only)")
		if err := seed(ctx, a, b, accounts); err != nil {
			return fmt.Errorf("failed to seed the demo: %w", err)
		}
		if err := os.WriteFile(filepath.Join(root, "seeded.ok"), []byte(time.Now().Format(time.RFC3339)), 0o600); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(root, "seeded-bos.ok")); err != nil {
		fmt.Println("demo: adding the unvetted server's account (first run only)")
		if err := seedUnvetted(ctx, c, accounts); err != nil {
			return fmt.Errorf("failed to seed the unvetted account: %w", err)
		}
		if err := os.WriteFile(filepath.Join(root, "seeded-bos.ok"), []byte(time.Now().Format(time.RFC3339)), 0o600); err != nil {
			return err
		}
	}
	policyPath, err := setupBOS(filepath.Join(root, "bos"), demoVetted(a, b))
	if err != nil {
		return fmt.Errorf("failed to set up BOS mode: %w", err)
	}
	fmt.Printf("demo: BOS mode on (policy %s; federation list of %s and %s, signed with the demo key)\n", policyPath, a.ServerName, b.ServerName)

	gui, err := filepath.Abs(filepath.Join("bin", "bosmessenger"))
	if err != nil {
		return err
	}
	fmt.Printf("demo: opening BOS Messenger as the Leitstelle (accounts in %s, password %q)\n", accounts, demoPassword)
	cmd := exec.CommandContext(ctx, gui, "--data", filepath.Join(accounts, "leitstelle"))
	cmd.Env = append(os.Environ(), "BOSMESSENGER_PASSPHRASE="+demoPassphrase, policy.EnvPolicyFile+"="+policyPath)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("the GUI ended with an error: %w", err)
	}
	return nil
}

// member is a demo account and its open session while seeding.
type member struct {
	name string
	srv  *testserver.Server
	s    *session.Session
}

func seed(ctx context.Context, a, b *testserver.Server, accounts string) error {
	members := []*member{{name: "leitstelle", srv: a}, {name: "thw", srv: a}, {name: "feuerwehr", srv: b}}
	for _, m := range members {
		if _, err := m.srv.RegisterE(ctx, m.name, demoPassword); err != nil && !strings.Contains(err.Error(), "M_USER_IN_USE") {
			return err
		}
		dir := filepath.Join(accounts, m.name)
		_ = os.RemoveAll(dir)
		s, err := session.Login(ctx, session.Config{DataDir: dir, Passphrase: demoPassphrase, DeviceName: "Demo"},
			m.srv.URL, m.name, demoPassword)
		if err != nil {
			return err
		}
		m.s = s
		defer s.Close()
	}
	leitstelle, thw, feuerwehr := members[0].s, members[1].s, members[2].s
	roomID, err := leitstelle.CreateRoom(ctx, session.CreateRoomOptions{Name: "Einsatz Hochwasser Ahr",
		Topic: "Lage, Kräfte, Rückmeldungen – Leitstelle, THW, Feuerwehr", Encrypted: true,
		Invite: []id.UserID{thw.Account().UserID, feuerwehr.Account().UserID}})
	if err != nil {
		return err
	}
	for _, s := range []*session.Session{thw, feuerwehr} {
		if err := joinEventually(ctx, s, roomID); err != nil {
			return err
		}
	}
	if err := waitMembers(ctx, leitstelle, roomID, 3); err != nil {
		return err
	}
	lage, err := send(ctx, leitstelle, roomID, func() (string, error) {
		return leitstelle.Send(ctx, roomID, session.Draft{Text: "Lage: Pegel Altenahr 5,2 m, steigend. Bereitstellungsraum Sportplatz Dernau.", Plain: true})
	})
	if err != nil {
		return err
	}
	if _, err := send(ctx, feuerwehr, roomID, func() (string, error) {
		return feuerwehr.Send(ctx, roomID, session.Draft{Text: "FF Musterstadt: 2 HLF, 1 MTW unterwegs, Ankunft in 20 Minuten.", Plain: true, ReplyTo: lage})
	}); err != nil {
		return err
	}
	if _, err := send(ctx, thw, roomID, func() (string, error) {
		return thw.Send(ctx, roomID, session.Draft{Text: "THW OV Musterstadt: Pumpen und Beleuchtung einsatzbereit, komme.", Plain: true})
	}); err != nil {
		return err
	}
	if _, err := send(ctx, leitstelle, roomID, func() (string, error) { return leitstelle.SendReaction(ctx, roomID, lage, "👍") }); err != nil {
		return err
	}
	if _, err := send(ctx, thw, roomID, func() (string, error) {
		return thw.SendFile(ctx, roomID, "lagekarte.png", "image/png", demoImage())
	}); err != nil {
		return err
	}
	dm, err := thw.CreateDM(ctx, leitstelle.Account().UserID, true)
	if err != nil {
		return err
	}
	if err := joinEventually(ctx, leitstelle, dm); err != nil {
		return err
	}
	_, err = send(ctx, thw, dm, func() (string, error) {
		return thw.Send(ctx, dm, session.Draft{Text: "Rückruf wegen Stromaggregat bitte.", Plain: true})
	})
	return err
}

func send(ctx context.Context, s *session.Session, roomID id.RoomID, queue func() (string, error)) (id.EventID, error) {
	txn, err := queue()
	if err != nil {
		return "", err
	}
	return s.WaitSent(ctx, txn)
}

func joinEventually(ctx context.Context, s *session.Session, roomID id.RoomID) error {
	var err error
	for range 60 {
		if _, err = s.SyncOnce(ctx, time.Second); err != nil {
			return err
		}
		if _, err = s.Join(ctx, roomID.String()); err == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return err
}

func waitMembers(ctx context.Context, s *session.Session, roomID id.RoomID, n int) error {
	for range 60 {
		if _, err := s.SyncOnce(ctx, time.Second); err != nil {
			return err
		}
		if r, err := s.Room(ctx, roomID); err == nil && r.JoinedCount >= n {
			return nil
		}
	}
	return errors.New("the other organisations did not join in time")
}

// demoImage draws a small map-like picture (blue river, red marker).
func demoImage() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := range 200 {
		for x := range 320 {
			c := color.RGBA{230, 235, 220, 255}
			if d := y - (100 + (x-160)/4); d > -12 && d < 12 {
				c = color.RGBA{70, 120, 200, 255}
			}
			if (x-200)*(x-200)+(y-80)*(y-80) < 100 {
				c = color.RGBA{200, 30, 30, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
