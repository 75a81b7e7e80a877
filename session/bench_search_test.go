package session

// BenchmarkSearch50k: the search index over 50,000 stored messages (encrypted events with their
// decrypted German text, seeded straight into the store, no server): indexing time, index size
// and search time for a rare word, a common word and two words.
//
//	go test -tags goolm -run '^$' -bench 'Search50k' -benchtime 200x ./session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bosmessenger/store"
	"bosmessenger/store/seal"
)

const (
	benchSearchMessages = 50000
	benchSearchRooms    = 20
)

// benchSearchWords: everyday words of a Feuerwehr chat; the rest of the vocabulary is made-up words
// (names, places), so a message has common and rare words like real text.
var benchSearchWords = strings.Fields(`Einsatz Brand Brände Übung Fahrzeug Fahrzeuge Löschzug Wache
	Gerätehaus Atemschutz Schlauch Drehleiter Alarm Straße Hauptstraße Kreuzung Verkehrsunfall Person
	verletzt Rettungsdienst Polizei Lage Meldung Kommando Gruppenführer Zugführer heute morgen Abend
	Samstag Dienst Treffpunkt bitte danke kommen komme später früher alle wir ihr der die das und oder
	nicht auch noch schon ist sind war haben hat wird wurde mit ohne für bei nach vor im am zum zur
	Wasser Pumpe Schaum Funk Kanal Bereitschaft Ausbildung Lehrgang Termin verschoben abgesagt gemeldet`)

func benchSearchText(r *rand.Rand) string {
	n := 6 + r.IntN(12)
	words := make([]string, n)
	for i := range words {
		if r.IntN(4) == 0 {
			words[i] = fmt.Sprintf("Ort%d", r.IntN(20000)) // rare words
		} else {
			words[i] = benchSearchWords[int(float64(len(benchSearchWords))*r.Float64()*r.Float64())] // skewed
		}
	}
	return strings.Join(words, " ")
}

// seedSearchStore stores benchSearchMessages decrypted messages and returns the database path.
func seedSearchStore(b *testing.B, sealer *seal.Sealer) string {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bos.db")
	db, err := store.Open(ctx, path, sealer)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(1, 2))
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for start := 0; start < benchSearchMessages; start += 1000 {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := start; i < start+1000; i++ {
				body := benchSearchText(r)
				if i == benchSearchMessages/2 {
					body += " Quellwasserpumpe"
				}
				dec, _ := json.Marshal(map[string]string{"msgtype": "m.text", "body": body})
				e := &store.Event{RoomID: fmt.Sprintf("!room%d:bench.example", i%benchSearchRooms),
					EventID: fmt.Sprintf("$ev%d", i), Sender: "@peer:bench.example", Type: "m.room.encrypted",
					TS: ts + int64(i)*1000, Content: json.RawMessage(`{"algorithm":"m.megolm.v1.aes-sha2","ciphertext":"x"}`),
					DecryptedType: "m.room.message", Decrypted: dec, MegolmSessionID: "s"}
				if _, _, err := tx.PutEvent(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return path
}

func fileSize(path string) int64 {
	var n int64
	for _, suffix := range store.SQLiteSuffixes {
		if fi, err := os.Stat(path + suffix); err == nil {
			n += fi.Size()
		}
	}
	return n
}

func BenchmarkSearch50k(b *testing.B) {
	ctx := context.Background()
	sealer, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	path := seedSearchStore(b, sealer)
	before := fileSize(path)
	key := sealer.DeriveKey(searchKeyPurpose, 32)
	db, err := store.Open(ctx, path, sealer)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := indexSearchPending(ctx, db, key, 0)
	if err != nil || n < benchSearchMessages {
		b.Fatalf("indexed %d: %v", n, err)
	}
	indexTime := time.Since(start)
	var postings int
	_ = db.Read(ctx, func(tx *store.Tx) (err error) { postings, err = tx.SearchIndexSize(); return err })
	db.Close()
	after := fileSize(path)
	db, err = store.Open(ctx, path, sealer)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.Logf("50k messages: store %d bytes without index, %d with; %d postings; indexed in %v",
		before, after, postings, indexTime)

	for _, q := range []struct{ name, text string }{
		{"rare", "Quellwasserpumpe"},
		{"common", "Einsatz"},
		{"two-words", "Brand Hauptstraße"},
		{"none", "Waldbrandgefahr"},
	} {
		b.Run(q.name, func(b *testing.B) {
			var hits int
			for b.Loop() {
				h, err := searchStore(ctx, db, key, q.text, "", 50)
				if err != nil {
					b.Fatal(err)
				}
				hits = len(h)
			}
			b.ReportMetric(float64(hits), "hits")
			b.ReportMetric(float64(after-before)/benchSearchMessages, "index-B/msg")
			b.ReportMetric(float64(postings)/benchSearchMessages, "words/msg")
			b.ReportMetric(indexTime.Seconds()*1e6/benchSearchMessages, "index-µs/msg")
		})
	}
}
