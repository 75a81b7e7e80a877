package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"bosmessenger/store"
)

// roomListPreviews lists the rooms and returns their previews' bodies and sender names by room.
func roomListPreviews(t *testing.T, s *Session) (bodies, senders map[string]string) {
	t.Helper()
	list, err := s.Rooms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bodies, senders = map[string]string{}, map[string]string{}
	for _, r := range list {
		if r.LastMessage != nil {
			bodies[r.ID.String()], senders[r.ID.String()] = r.LastMessage.Body, r.LastMessage.SenderName
		}
	}
	return bodies, senders
}

// A room list refresh after a sync reads the previews of the rooms the sync changed only, and
// shows what changed: a new message, a renamed sender, a redaction; a gap in the change log (or a
// change without a room) makes it read every room again.
func TestRoomListCacheRefreshesChangedRooms(t *testing.T) {
	db := testStore(t)
	seedRoomList(t, db, 3)
	s := offlineSession(db, "@bench:x")
	bodies, _ := roomListPreviews(t, s)
	if len(bodies) != 3 || bodies[roomListRoomID(1)] != "[002/50] Lage unverändert, Kräfte vor Ort ausreichend." {
		t.Fatalf("first list: %v", bodies)
	}
	cached := func(room string) *LastMessage { return s.roomList.previews[room].lm }
	before0, before1 := cached(roomListRoomID(0)), cached(roomListRoomID(1))

	// A new message in room 1: its preview is read again, room 0's is kept.
	if _, err := ingestJSON(db, syncWith(roomListRoomID(1), 900, []string{ev("m.room.message", "$neu", "@peer:x",
		1_800_000_000_000, `{"msgtype":"m.text","body":"neue Lage"}`)})); err != nil {
		t.Fatal(err)
	}
	bodies, senders := roomListPreviews(t, s)
	if bodies[roomListRoomID(1)] != "neue Lage" || senders[roomListRoomID(1)] != "Peer" {
		t.Fatalf("after a new message: %v %v", bodies, senders)
	}
	if cached(roomListRoomID(0)) != before0 || cached(roomListRoomID(1)) == before1 {
		t.Fatal("the refresh did not read exactly the changed room's preview again")
	}

	// The sender renames himself: the preview's sender name follows.
	if _, err := ingestJSON(db, syncWith(roomListRoomID(1), 901, []string{stateEv("m.room.member", "@peer:x", "$rename",
		"@peer:x", 1_800_000_000_001, `{"membership":"join","displayname":"Einsatzleiter"}`, "")})); err != nil {
		t.Fatal(err)
	}
	if _, senders = roomListPreviews(t, s); senders[roomListRoomID(1)] != "Einsatzleiter" {
		t.Fatalf("after a rename: %v", senders)
	}

	// A redaction of the newest message.
	if _, err := ingestJSON(db, syncWith(roomListRoomID(1), 902, []string{ev("m.room.redaction", "$red", "@peer:x",
		1_800_000_000_002, `{"redacts":"$neu"}`)})); err != nil {
		t.Fatal(err)
	}
	list, err := s.Rooms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.ID.String() == roomListRoomID(1) && (r.LastMessage == nil || r.LastMessage.Kind != PreviewRedacted) {
			t.Fatalf("after a redaction: %+v", r.LastMessage)
		}
	}

	// The log pruned past the cache's position: every preview is read again, and stays right.
	before0 = cached(roomListRoomID(0))
	for i := range 3 {
		if _, err := ingestJSON(db, syncWith(roomListRoomID(2), 903+i, []string{ev("m.room.message", fmt.Sprintf("$p%d", i), "@peer:x",
			1_800_000_000_010+i, fmt.Sprintf(`{"msgtype":"m.text","body":"Meldung %d"}`, i))})); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Tx(context.Background(), func(tx *store.Tx) error { return tx.PruneChanges(1) }); err != nil {
		t.Fatal(err)
	}
	if bodies, _ = roomListPreviews(t, s); bodies[roomListRoomID(2)] != "Meldung 2" {
		t.Fatalf("after a pruned log: %v", bodies)
	}
	if cached(roomListRoomID(0)) == before0 {
		t.Fatal("a gap in the change log did not make the list read every preview again")
	}
}

// A space and its child: IsSpace from the create event (read once), Spaces from m.space.child.
func TestRoomListCacheSpaces(t *testing.T) {
	db := testStore(t)
	seedRoomList(t, db, 2)
	space := "!space:x"
	body := syncWith(space, 950, []string{
		stateEv("m.room.create", "", "$sc", "@bench:x", 1_800_000_000_000, `{"creator":"@bench:x","type":"m.space"}`, ""),
		stateEv("m.room.member", "@bench:x", "$sm", "@bench:x", 1_800_000_000_001, `{"membership":"join"}`, ""),
		stateEv("m.space.child", roomListRoomID(1), "$child", "@bench:x", 1_800_000_000_002, `{"via":["x"]}`, ""),
	})
	if _, err := ingestJSON(db, body); err != nil {
		t.Fatal(err)
	}
	s := offlineSession(db, "@bench:x")
	for range 2 { // the second list from the cache
		list, err := s.Rooms(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range list {
			got[r.ID.String()] = fmt.Sprint(r.IsSpace, r.Spaces)
		}
		want := map[string]string{space: "true []", roomListRoomID(0): "false []", roomListRoomID(1): "false [" + space + "]"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("spaces %v, want %v", got, want)
		}
	}
}

const roomListMessages = 50

func roomListRoomID(r int) string { return fmt.Sprintf("!raum%04d:x", r) }

// seedRoomList stores rooms rooms, each with its state (create, two members, name, topic) and
// roomListMessages text messages, through the ingest path, 100 rooms a sync body.
func seedRoomList(tb testing.TB, db *store.DB, rooms int) {
	const chunk = 100
	for first := 0; first < rooms; first += chunk {
		var join []string
		for r := first; r < min(first+chunk, rooms); r++ {
			id := func(n int) string { return fmt.Sprintf("$r%d-e%d", r, n) }
			ts := 1_700_000_000_000 + r*1000
			evs := []string{
				stateEv("m.room.create", "", id(0), "@bench:x", ts, `{"creator":"@bench:x","room_version":"10"}`, "{}"),
				stateEv("m.room.member", "@bench:x", id(1), "@bench:x", ts+1, `{"membership":"join","displayname":"bench"}`, "{}"),
				stateEv("m.room.member", "@peer:x", id(2), "@peer:x", ts+2, `{"membership":"join","displayname":"Peer"}`, "{}"),
				stateEv("m.room.name", "", id(3), "@bench:x", ts+3, fmt.Sprintf(`{"name":"Raum %03d"}`, r+1), "{}"),
				stateEv("m.room.topic", "", id(4), "@bench:x", ts+4, fmt.Sprintf(`{"topic":"Lagebesprechung Abschnitt %03d"}`, r+1), "{}"),
			}
			for m := range roomListMessages {
				sender := []string{"@bench:x", "@peer:x"}[m%2]
				evs = append(evs, ev("m.room.message", id(10+m), sender, ts+10+m,
					fmt.Sprintf(`{"msgtype":"m.text","body":"[%03d/%02d] Lage unverändert, Kräfte vor Ort ausreichend."}`, r+1, m+1)))
			}
			join = append(join, fmt.Sprintf(`%q:{"timeline":{"limited":false,"events":[%s]},"unread_notifications":{"notification_count":0,"highlight_count":0}}`,
				roomListRoomID(r), strings.Join(evs, ",")))
		}
		body := fmt.Appendf(nil, `{"next_batch":"s%d","rooms":{"join":{%s}}}`, first, strings.Join(join, ","))
		if in, err := ingestJSON(db, body); err != nil || in.malformed != 0 {
			tb.Fatalf("seed: %v", err)
		}
	}
}
