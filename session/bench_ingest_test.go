package session

// BenchmarkIngestSync: decoding and storing incremental /sync responses (no network), with the
// sealed store next to the same store without encryption.
//
//	go test -tags goolm -run '^$' -bench 'IngestSync' -benchtime 2s ./session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"bosmessenger/store"
	"bosmessenger/store/seal"
)

// Shape of one generated incremental sync response.
const (
	ingestRooms         = 20
	ingestEventsPerRoom = 25
	ingestBodyLen       = 200 // bytes of message text
)

// plainCipher is a store.Cipher that stores plaintext, as a baseline for the sealing overhead.
type plainCipher struct{}

func (plainCipher) Seal(p, _ []byte) []byte { return append([]byte(nil), p...) }

func (plainCipher) Open(s, _ []byte) ([]byte, error) { return append([]byte{}, s...), nil }

// countingCipher counts the Seal and Open calls of the store it serves.
type countingCipher struct {
	store.Cipher
	seals, opens atomic.Int64
}

func (c *countingCipher) Seal(p, ad []byte) []byte {
	c.seals.Add(1)
	return c.Cipher.Seal(p, ad)
}

func (c *countingCipher) Open(s, ad []byte) ([]byte, error) {
	c.opens.Add(1)
	return c.Cipher.Open(s, ad)
}

func BenchmarkIngestSync(b *testing.B) {
	b.Run("sealed", func(b *testing.B) {
		sealer, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
		if err != nil {
			b.Fatal(err)
		}
		benchIngest(b, sealer)
	})
	b.Run("plain", func(b *testing.B) { benchIngest(b, plainCipher{}) })
}

func benchIngest(b *testing.B, cipher store.Cipher) {
	ctx := context.Background()
	c := &countingCipher{Cipher: cipher}
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bos.db"), c)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// The rooms exist already (an earlier initial sync), as for every incremental sync.
	if in, err := ingestJSON(db, ingestInitialBody()); err != nil || in.malformed != 0 {
		b.Fatalf("initial body: %v (malformed %d)", err, in.malformed)
	}
	const events = ingestRooms * ingestEventsPerRoom
	var iterations, bytesIn int
	seals0, opens0 := c.seals.Load(), c.opens.Load()
	for b.Loop() {
		b.StopTimer()
		body := ingestIncrementalBody(iterations)
		bytesIn += len(body)
		b.StartTimer()
		in, err := ingestJSON(db, body)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if in.events != events || in.malformed != 0 {
			b.Fatalf("ingested %d events (%d malformed), want %d", in.events, in.malformed, events)
		}
		iterations++
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(events*iterations)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(bytesIn)/float64(iterations)/1024, "KiB/body")
	b.ReportMetric(float64(c.seals.Load()-seals0)/float64(iterations), "seals/body")
	b.ReportMetric(float64(c.opens.Load()-opens0)/float64(iterations), "opens/body")
	// The stored messages must read back intact (the plain cipher is a real store too).
	err = db.Read(ctx, func(tx *store.Tx) error {
		tl, err := tx.Timeline(ingestRoomID(0), 1)
		if err != nil {
			return err
		}
		if len(tl) != 1 || !bytes.Contains(tl[0].Content, []byte(fmt.Sprintf("it %d ", iterations-1))) {
			return fmt.Errorf("last stored event does not read back: %+v", tl)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func ingestRoomID(r int) string { return fmt.Sprintf("!bench%02d:bench.example.org", r) }

var ingestSenders = []string{"@alice:bench.example.org", "@bob:bench.example.org",
	"@carla:bench.example.org", "@dieter:bench.example.org"}

type genEvent struct {
	Type     string          `json:"type"`
	EventID  string          `json:"event_id,omitempty"`
	Sender   string          `json:"sender,omitempty"`
	StateKey *string         `json:"state_key,omitempty"`
	TS       int64           `json:"origin_server_ts,omitempty"`
	Content  any             `json:"content"`
	Unsigned json.RawMessage `json:"unsigned,omitempty"`
}

type genRoom struct {
	Timeline  map[string]any        `json:"timeline"`
	Ephemeral map[string][]genEvent `json:"ephemeral,omitempty"`
	Unread    map[string]int        `json:"unread_notifications"`
}

// ingestInitialBody creates the rooms with their state (create, members, name, topic).
func ingestInitialBody() []byte {
	join := map[string]genRoom{}
	empty := ""
	for r := range ingestRooms {
		roomID := ingestRoomID(r)
		var tl []genEvent
		add := func(typ string, key *string, content any) {
			tl = append(tl, genEvent{Type: typ, EventID: fmt.Sprintf("$init-%d-%d", r, len(tl)),
				Sender: ingestSenders[0], StateKey: key, TS: 1_700_000_000_000 + int64(len(tl)), Content: content})
		}
		add("m.room.create", &empty, map[string]any{"creator": ingestSenders[0], "room_version": "10"})
		for _, u := range ingestSenders {
			add("m.room.member", &u, map[string]any{"membership": "join", "displayname": strings.TrimPrefix(u[:strings.Index(u, ":")], "@")})
		}
		add("m.room.name", &empty, map[string]any{"name": fmt.Sprintf("Raum %03d", r+1)})
		add("m.room.topic", &empty, map[string]any{"topic": "Lagebesprechung"})
		join[roomID] = genRoom{Timeline: map[string]any{"events": tl, "limited": false, "prev_batch": "p0"},
			Unread: map[string]int{"notification_count": 0, "highlight_count": 0}}
	}
	body, err := json.Marshal(map[string]any{"next_batch": "s0", "rooms": map[string]any{"join": join}})
	if err != nil {
		panic(err)
	}
	return body
}

// ingestIncrementalBody is incremental sync response number it: every room gets
// ingestEventsPerRoom new text messages of about ingestBodyLen bytes, a typing notification and a
// read receipt, like a busy minute in 20 active rooms.
func ingestIncrementalBody(it int) []byte {
	join := map[string]genRoom{}
	filler := strings.Repeat("Lage unverändert, Kräfte ausreichend. ", 8)
	for r := range ingestRooms {
		var tl []genEvent
		var last string
		for e := range ingestEventsPerRoom {
			last = fmt.Sprintf("$it%d-r%d-e%d-aGVsbG8gd29ybGQgYmVuY2htYXJr", it, r, e)
			text := fmt.Sprintf("Meldung it %d room %d nr %d: %s", it, r, e, filler)
			text = truncateUTF8(text, ingestBodyLen)
			tl = append(tl, genEvent{Type: "m.room.message", EventID: last, Sender: ingestSenders[(r+e)%len(ingestSenders)],
				TS:       1_700_000_100_000 + int64(it*ingestEventsPerRoom+e),
				Content:  map[string]any{"msgtype": "m.text", "body": text},
				Unsigned: json.RawMessage(`{"age":1234}`)})
		}
		eph := []genEvent{
			{Type: "m.typing", Content: map[string]any{"user_ids": []string{ingestSenders[r%len(ingestSenders)]}}},
			{Type: "m.receipt", Content: map[string]any{last: map[string]any{"m.read": map[string]any{
				ingestSenders[(r+1)%len(ingestSenders)]: map[string]any{"ts": 1_700_000_200_000 + int64(it)}}}}},
		}
		join[ingestRoomID(r)] = genRoom{
			Timeline:  map[string]any{"events": tl, "limited": false, "prev_batch": fmt.Sprintf("p%d", it)},
			Ephemeral: map[string][]genEvent{"events": eph},
			Unread:    map[string]int{"notification_count": it % 50, "highlight_count": 0},
		}
	}
	body, err := json.Marshal(map[string]any{"next_batch": fmt.Sprintf("s%d", it+1), "rooms": map[string]any{"join": join}})
	if err != nil {
		panic(err)
	}
	return body
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
