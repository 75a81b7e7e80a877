package store

import (
	"context"
	"fmt"
	"testing"
)

// seedRooms stores rooms rooms (the last one left) with perRoom messages each and a state event
// after every fifth message.
func seedRooms(t testing.TB, db *DB, rooms, perRoom int) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *Tx) error {
		for r := 0; r < rooms; r++ {
			roomID := fmt.Sprintf("!r%03d:x", r)
			membership := "join"
			if r == rooms-1 {
				membership = "leave"
			}
			if err := tx.SaveRoom(&Room{ID: roomID, Membership: membership}); err != nil {
				return err
			}
			for i := 0; i < perRoom; i++ {
				e := &Event{RoomID: roomID, EventID: fmt.Sprintf("$%s-%d", roomID, i), Sender: "@a:x", Type: "m.room.message",
					TS: int64(i), Content: []byte(fmt.Sprintf(`{"msgtype":"m.text","body":"m%d"}`, i))}
				if i%5 == 4 {
					key := ""
					e.Type, e.StateKey, e.Content = "m.room.topic", &key, []byte(`{"topic":"t"}`)
				}
				row, _, err := tx.PutEvent(e)
				if err != nil {
					return err
				}
				if err := tx.AppendTimeline(roomID, row); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// LatestMessages gives each joined room's newest non-state events, newest first, in one query.
func TestLatestMessages(t *testing.T) {
	db := openTest(t)
	seedRooms(t, db, 3, 10)
	var got map[string][]*Event
	if err := db.Read(context.Background(), func(tx *Tx) (err error) { got, err = tx.LatestMessages(3); return err }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["!r002:x"] != nil {
		t.Fatalf("rooms %d (the left room must not count): %v", len(got), got)
	}
	for _, room := range []string{"!r000:x", "!r001:x"} {
		var ids []string
		for _, e := range got[room] {
			ids = append(ids, e.EventID)
		}
		// Events 9 and 4 are state events.
		want := fmt.Sprintf("[$%s-8 $%s-7 $%s-6]", room, room, room)
		if fmt.Sprint(ids) != want {
			t.Fatalf("%s: %v, want %s", room, ids, want)
		}
	}
}

// BenchmarkLatestMessages: the room list's preview query over 200 rooms with 50 events each (5 per room, as Rooms reads them).
func BenchmarkLatestMessages(b *testing.B) {
	db := openTest(b)
	seedRooms(b, db, 201, 50)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := db.Read(context.Background(), func(tx *Tx) error {
			got, err := tx.LatestMessages(5)
			if err == nil && len(got) != 200 {
				err = fmt.Errorf("%d rooms", len(got))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
