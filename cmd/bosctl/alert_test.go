package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type boardJSON struct {
	Alert struct {
		Keyword  string   `json:"keyword"`
		Units    []string `json:"units"`
		Priority string   `json:"priority"`
		Deadline int64    `json:"deadline_ts"`
		Body     string   `json:"body"`
	} `json:"alert"`
	Responses []struct {
		UserID  string `json:"user_id"`
		Status  string `json:"status"`
		ETA     int    `json:"eta_minutes"`
		Comment string `json:"comment"`
		TS      int64  `json:"ts"`
	} `json:"responses"`
	Counts   map[string]int `json:"counts"`
	Required int            `json:"required"`
}

func TestAlertCommands(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "alarmgeber"), loggedIn(t, srv, "alarmiert")
	roomID := sharedRoom(t, a, b, "Alarm Room")

	watch := b.start("alert", "watch", "--json")
	time.Sleep(2 * time.Second) // the watch's first sync
	alertID := oneID(t, a.ok("alert", "send", roomID, "--keyword", "B3 Brand Gebäude", "--text", "Dachstuhl",
		"--address", "Hauptstr. 1", "--unit", "HLF 20-1", "--unit", "DLK 23", "--deadline", "10m", "--required", "2"), eventIDRe)
	var seen struct {
		EventID  string   `json:"event_id"`
		Keyword  string   `json:"keyword"`
		Units    []string `json:"units"`
		Priority string   `json:"priority"`
		Sender   string   `json:"sender"`
	}
	line := watch.nextLine(60 * time.Second)
	if err := json.Unmarshal([]byte(line), &seen); err != nil || seen.EventID != alertID || seen.Keyword != "B3 Brand Gebäude" ||
		len(seen.Units) != 2 || seen.Priority != "alarm" || seen.Sender != a.id {
		t.Fatalf("watch line %q: %+v %v", line, seen, err)
	}
	_ = watch.cmd.Process.Signal(os.Interrupt)
	if r := watch.wait(30 * time.Second); r.code != 0 {
		t.Fatalf("watch: %v", r)
	}

	oneID(t, b.ok("alert", "respond", roomID, alertID, "--status", "coming", "--eta", "8", "--comment", "mit PKW"), eventIDRe)
	var board boardJSON
	if err := json.Unmarshal([]byte(a.ok("alert", "board", roomID, alertID, "--json").stdout), &board); err != nil {
		t.Fatal(err)
	}
	if board.Alert.Keyword != "B3 Brand Gebäude" || board.Required != 2 || board.Counts["coming"] != 1 || board.Counts["none"] != 0 ||
		len(board.Responses) != 1 || board.Responses[0].UserID != b.id || board.Responses[0].ETA != 8 || board.Responses[0].Comment != "mit PKW" {
		t.Fatalf("board: %+v", board)
	}
	oneID(t, b.ok("alert", "respond", roomID, alertID, "--status", "not_coming"), eventIDRe)
	plain := a.ok("alert", "board", roomID, alertID)
	if !strings.HasPrefix(plain.stdout, "ALARM B3 Brand Gebäude – Hauptstr. 1 – Rückmeldung bis ") ||
		!strings.Contains(plain.stdout, "coming 0 of 2 required, not coming 1") || !strings.Contains(plain.stdout, b.id+" not_coming") {
		t.Fatalf("plain board: %v", plain)
	}

	// Wrong input.
	mustFail(t, a.run("alert", "send", roomID, "--text", "ohne Stichwort"), 2, "needs --keyword")
	mustFail(t, a.run("alert", "respond", roomID, alertID, "--status", "vielleicht"), 2, "status must be")
	mustFail(t, a.run("alert", "board", roomID, "$unknown"), 1, "unknown alert")
	mustFail(t, a.run("alert", "send", roomID, "--keyword", "x", "--status", "coming"), 2, "unknown flag --status")
	mustFail(t, a.run("alert", "bogus"), 2, "unknown alert command")
	info := oneID(t, a.ok("alert", "send", roomID, "--keyword", "Übung", "--info"), eventIDRe)
	if err := json.Unmarshal([]byte(a.ok("alert", "board", roomID, info, "--json").stdout), &board); err != nil || board.Alert.Priority != "info" {
		t.Fatalf("info alert: %+v %v", board, err)
	}

	// Unit status: the latest per unit.
	b.ok("status", "set", roomID, "3", "--unit", "HLF 20-1")
	b.ok("status", "set", roomID, "4", "--unit", "HLF 20-1")
	a.ok("status", "set", roomID, "2", "--unit", "DLK 23")
	mustFail(t, a.run("status", "set", roomID, "10"), 2, "FMS status must be 0 to 9")
	var reports []struct {
		Unit    string `json:"unit"`
		FMS     int    `json:"fms"`
		Meaning string `json:"meaning"`
	}
	if err := json.Unmarshal([]byte(a.ok("status", roomID, "--json").stdout), &reports); err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].Unit != "DLK 23" || reports[0].FMS != 2 || reports[1].Unit != "HLF 20-1" || reports[1].FMS != 4 ||
		reports[1].Meaning != "Am Einsatzort" {
		t.Fatalf("status: %+v", reports)
	}
	if out := a.ok("status", roomID).stdout; !strings.Contains(out, "HLF 20-1  4 Am Einsatzort") {
		t.Fatalf("plain status: %q", out)
	}
}

func TestGatewayCommand(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a := loggedIn(t, srv, "gateway")
	roomID := a.createRoom("--name", "Gateway Room")
	tokenFile := filepath.Join(t.TempDir(), "token")
	const token = "a-dispatch-token-0123456789"
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustFail(t, a.run("gateway", "--listen", "0.0.0.0:0", "--token-file", tokenFile), 2, "not a loopback address")
	mustFail(t, a.run("gateway", "--listen", "127.0.0.1:0"), 2, "needs --token-file")
	short := filepath.Join(t.TempDir(), "short")
	_ = os.WriteFile(short, []byte("abc"), 0o600)
	mustFail(t, a.run("gateway", "--listen", "127.0.0.1:0", "--token-file", short), 1, "at least 16 characters")

	gw := a.start("gateway", "--listen", "127.0.0.1:0", "--token-file", tokenFile)
	line := gw.nextLine(60 * time.Second)
	base, ok := strings.CutPrefix(line, "gateway listening on ")
	if !ok {
		t.Fatalf("gateway printed %q", line)
	}
	req, _ := http.NewRequest("POST", base+"/v1/alerts", strings.NewReader(fmt.Sprintf(`{"room":%q,"keyword":"B3"}`, roomID)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		EventID string `json:"event_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(out.EventID, "$") {
		t.Fatalf("post: %d %+v", resp.StatusCode, out)
	}
	resp, err = http.Get(base + "/v1/alerts/" + out.EventID + "?room=" + roomID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("board without token: %d", resp.StatusCode)
	}
	_ = gw.cmd.Process.Signal(os.Interrupt)
	if r := gw.wait(30 * time.Second); r.code != 0 {
		t.Fatalf("gateway: %v", r)
	}
}
