package session

// Timeline aggregation on a store filled through the ingest path (no server), and the
// BenchmarkTimeline window over a large room:
//
//	go test -tags goolm -run '^$' -bench 'BenchmarkTimeline' -benchtime 2s ./session

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// offlineSession is a session on a store alone, as Timeline needs it.
func offlineSession(db *store.DB, me string) *Session {
	return &Session{db: db, account: Account{UserID: id.UserID(me)}, log: zerolog.Nop(), bus: newBus(), cfg: Config{Policy: AllowAll{}}}
}

// syncWith wraps timeline events (and ephemeral events) of one room into a /sync body.
func syncWith(roomID string, batch int, events []string, ephemeral ...string) []byte {
	return fmt.Appendf(nil, `{"next_batch":"s%d","rooms":{"join":{%q:{"timeline":{"limited":false,"events":[%s]},
		"ephemeral":{"events":[%s]},"unread_notifications":{"notification_count":3,"highlight_count":1}}}}}`,
		batch, roomID, strings.Join(events, ","), strings.Join(ephemeral, ","))
}

func ev(evType, eventID, sender string, ts int, content string) string {
	return fmt.Sprintf(`{"type":%q,"event_id":%q,"sender":%q,"origin_server_ts":%d,"content":%s}`, evType, eventID, sender, ts, content)
}

func stateEv(evType, stateKey, eventID, sender string, ts int, content string, unsigned string) string {
	if unsigned == "" {
		unsigned = "{}"
	}
	return fmt.Sprintf(`{"type":%q,"state_key":%q,"event_id":%q,"sender":%q,"origin_server_ts":%d,"content":%s,"unsigned":%s}`,
		evType, stateKey, eventID, sender, ts, content, unsigned)
}

func TestTimelineAggregatesFromStore(t *testing.T) {
	db := testStore(t)
	const room = "!r:x"
	events := []string{
		stateEv("m.room.create", "", "$create", "@a:x", 1, `{"creator":"@a:x"}`, ""),
		stateEv("m.room.member", "@a:x", "$ja", "@a:x", 2, `{"membership":"join","displayname":"Anna"}`, ""),
		stateEv("m.room.member", "@me:x", "$inv", "@a:x", 3, `{"membership":"invite"}`, ""),
		stateEv("m.room.member", "@me:x", "$jme", "@me:x", 4, `{"membership":"join","displayname":"Ich Selbst"}`, `{"prev_content":{"membership":"invite"}}`),
		stateEv("m.room.name", "", "$name", "@a:x", 5, `{"name":"Lage Nord"}`, ""),
		stateEv("m.room.encryption", "", "$enc", "@a:x", 6, `{"algorithm":"m.megolm.v1.aes-sha2"}`, ""),
		ev("m.room.message", "$m1", "@a:x", 10, `{"msgtype":"m.text","body":"Erste Meldung"}`),
		ev("m.room.message", "$m2", "@me:x", 11, `{"msgtype":"m.text","body":"> <@a:x> Erste Meldung\n\nVerstanden","format":"org.matrix.custom.html","formatted_body":"<mx-reply><blockquote>x</blockquote></mx-reply><b>Verstanden</b>","m.relates_to":{"m.in_reply_to":{"event_id":"$m1"}}}`),
		ev("m.room.message", "$e1", "@a:x", 12, `{"msgtype":"m.text","body":"* Erste Meldung (korr.)","m.new_content":{"msgtype":"m.text","body":"Erste Meldung (korr.)"},"m.relates_to":{"rel_type":"m.replace","event_id":"$m1"}}`),
		ev("m.room.message", "$e2", "@me:x", 13, `{"msgtype":"m.text","body":"* gefälscht","m.new_content":{"msgtype":"m.text","body":"gefälscht"},"m.relates_to":{"rel_type":"m.replace","event_id":"$m1"}}`),
		ev("m.reaction", "$r1", "@a:x", 14, `{"m.relates_to":{"rel_type":"m.annotation","event_id":"$m2","key":"👍"}}`),
		ev("m.reaction", "$r2", "@me:x", 15, `{"m.relates_to":{"rel_type":"m.annotation","event_id":"$m2","key":"👍"}}`),
		ev("m.reaction", "$r3", "@a:x", 16, `{"m.relates_to":{"rel_type":"m.annotation","event_id":"$m2","key":"✅"}}`),
		ev("m.reaction", "$r4", "@a:x", 17, `{"m.relates_to":{"rel_type":"m.annotation","event_id":"$m2","key":"❌"}}`),
		`{"type":"m.room.redaction","event_id":"$x1","sender":"@a:x","origin_server_ts":18,"redacts":"$r4","content":{}}`,
		ev("m.room.message", "$m3", "@a:x", 19, `{"msgtype":"m.image","body":"lage.png","url":"mxc://x/abc","info":{"mimetype":"image/png","size":2048,"w":640,"h":480}}`),
		ev("m.room.message", "$m4", "@a:x", 20, `{"msgtype":"m.text","body":"wird gelöscht"}`),
		`{"type":"m.room.redaction","event_id":"$x2","sender":"@a:x","origin_server_ts":21,"redacts":"$m4","content":{}}`,
		ev("m.room.message", "$m5", "@a:x", 22, `{"msgtype":"m.notice","body":"Achtung ich selbst, bitte melden"}`),
		ev("m.room.message", "$m6", "@a:x", 23, `{"msgtype":"m.text","body":"an dich","m.mentions":{"user_ids":["@me:x"]}}`),
		stateEv("m.room.member", "@b:x", "$kick", "@a:x", 24, `{"membership":"leave"}`, `{"prev_content":{"membership":"join","displayname":"Bert"}}`),
		stateEv("m.room.topic", "", "$topic", "@a:x", 25, `{"topic":"Hochwasser"}`, ""),
		ev("m.room.message", "$m7", "@a:x", 26, `{"msgtype":"m.text","body":"Antwort nach drüben","m.relates_to":{"m.in_reply_to":{"event_id":"$o1"}}}`),
	}
	receipt := `{"type":"m.receipt","content":{"$m3":{"m.read":{"@a:x":{"ts":30},"@me:x":{"ts":31}}}}}`
	if in, err := ingestJSON(db, syncWith(room, 1, events, receipt)); err != nil || in.malformed != 0 {
		t.Fatalf("ingest: %v (malformed %d)", err, in.malformed)
	}
	// Another room must not leak into this one: neither its reactions nor its messages as quotes.
	other := []string{
		ev("m.room.message", "$o1", "@a:x", 27, `{"msgtype":"m.text","body":"geheim im anderen Raum"}`),
		ev("m.reaction", "$o2", "@c:x", 28, `{"m.relates_to":{"rel_type":"m.annotation","event_id":"$m2","key":"👍"}}`),
		ev("m.room.message", "$o3", "@a:x", 29, `{"msgtype":"m.text","body":"* übernommen","m.new_content":{"msgtype":"m.text","body":"übernommen"},"m.relates_to":{"rel_type":"m.replace","event_id":"$m6"}}`),
	}
	if _, err := ingestJSON(db, syncWith("!other:x", 2, other)); err != nil {
		t.Fatal(err)
	}
	s := offlineSession(db, "@me:x")
	ctx := context.Background()
	// A queued message (local echo) and a queued reaction of ours.
	err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Enqueue(&store.Outgoing{RoomID: room, TxnID: "t1", Type: "m.room.message",
			Content: json.RawMessage(`{"msgtype":"m.text","body":"noch unterwegs"}`)}); err != nil {
			return err
		}
		return tx.Enqueue(&store.Outgoing{RoomID: room, TxnID: "t2", Type: "m.reaction",
			Content: json.RawMessage(`{"m.relates_to":{"rel_type":"m.annotation","event_id":"$m3","key":"👀"}}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Timeline(ctx, room, 100)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ ID, Kind, Body, StateKind, StateArg string }
	var got []row
	byID := map[string]Message{}
	for _, m := range msgs {
		id := m.EventID.String()
		if id == "" {
			id = m.TxnID
		}
		got = append(got, row{id, m.Kind, m.Body, m.StateKind, m.StateArg})
		byID[id] = m
	}
	want := []row{
		{"$create", KindState, "create", StateCreate, ""},
		{"$ja", KindState, "joined Anna", StateJoined, "Anna"},
		{"$inv", KindState, "invited Ich Selbst", StateInvited, "Ich Selbst"},
		{"$jme", KindState, "joined Ich Selbst", StateJoined, "Ich Selbst"},
		{"$name", KindState, "name Lage Nord", StateName, "Lage Nord"},
		{"$enc", KindState, "encryption", StateEncryption, ""},
		{"$m1", KindText, "Erste Meldung (korr.)", "", ""},
		{"$m2", KindText, "Verstanden", "", ""},
		{"$m3", KindImage, "lage.png", "", ""},
		{"$m4", KindRedacted, "", "", ""},
		{"$m5", KindNotice, "Achtung ich selbst, bitte melden", "", ""},
		{"$m6", KindText, "an dich", "", ""},
		{"$kick", KindState, "kicked Bert", StateKicked, "Bert"},
		{"$topic", KindState, "topic Hochwasser", StateTopic, "Hochwasser"},
		{"$m7", KindText, "Antwort nach drüben", "", ""},
		{"t1", KindText, "noch unterwegs", "", ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("timeline:\n got %v\nwant %v", got, want)
	}
	m1, m2, m3 := byID["$m1"], byID["$m2"], byID["$m3"]
	if !m1.Edited || m1.SenderName != "Anna" || m1.Reply != nil || m1.Mentioned {
		t.Errorf("edited message: %+v", m1)
	}
	if m2.FormattedBody != "<b>Verstanden</b>" || m2.Reply == nil ||
		*m2.Reply != (Quote{EventID: "$m1", Sender: "@a:x", SenderName: "Anna", Body: "Erste Meldung (korr.)"}) {
		t.Errorf("reply: %+v quote %+v", m2, m2.Reply)
	}
	wantReactions := []Reaction{{Key: "👍", Count: 2, Mine: true, Senders: []id.UserID{"@a:x", "@me:x"}},
		{Key: "✅", Count: 1, Senders: []id.UserID{"@a:x"}}}
	if !reflect.DeepEqual(m2.Reactions, wantReactions) {
		t.Errorf("reactions: %+v", m2.Reactions)
	}
	if !reflect.DeepEqual(m3.Reactions, []Reaction{{Key: "👀", Count: 1, Mine: true, Senders: []id.UserID{"@me:x"}}}) {
		t.Errorf("queued reaction not shown: %+v", m3.Reactions)
	}
	if !reflect.DeepEqual(m3.ReadBy, []id.UserID{"@a:x"}) {
		t.Errorf("read by: %v", m3.ReadBy)
	}
	if m3.File == nil || *m3.File != (MessageFile{Name: "lage.png", MimeType: "image/png", Size: 2048, Width: 640, Height: 480, MXC: "mxc://x/abc"}) {
		t.Errorf("file: %+v", m3.File)
	}
	if !byID["$m4"].Redacted || !byID["$m5"].Mentioned || !byID["$m6"].Mentioned {
		t.Errorf("redacted %+v, mentioned by name %+v, by m.mentions %+v", byID["$m4"], byID["$m5"], byID["$m6"])
	}
	if q := byID["$m7"].Reply; q == nil || *q != (Quote{EventID: "$o1"}) {
		t.Errorf("quote from another room: %+v", q)
	}
	if m6 := byID["$m6"]; m6.Edited || m6.Body != "an dich" {
		t.Errorf("edit from another room applied: %+v", m6)
	}
	if echo := byID["t1"]; echo.SendState != SendStateQueued || echo.Sender != "@me:x" || echo.SenderName != "Ich Selbst" {
		t.Errorf("local echo: %+v", echo)
	}

	// A window of 3 holds the newest three messages; edits and reactions don't take its places.
	msgs, err = s.Timeline(ctx, room, 3)
	if err != nil || len(msgs) != 4 || msgs[0].EventID != "$kick" || msgs[3].TxnID != "t1" {
		t.Fatalf("window of 3: %+v %v", msgs, err)
	}
}

// Replies lose the spec's reply fallback (mautrix's trimming), but a reply without one whose own
// text starts with a quote keeps it.
func TestReplyFallbackStripping(t *testing.T) {
	db := testStore(t)
	const room = "!r:x"
	reply := `"m.relates_to":{"m.in_reply_to":{"event_id":"$q"}}`
	events := []string{
		ev("m.room.message", "$q", "@a:x", 1, `{"msgtype":"m.text","body":"Lage?"}`),
		ev("m.room.message", "$fb", "@b:x", 2, `{"msgtype":"m.text","body":"> <@a:x> Lage?\n\nAntwort\n> kein Zitat",
			"format":"org.matrix.custom.html","formatted_body":"<mx-reply><blockquote><a>x</a></blockquote></mx-reply>Antwort",`+reply+`}`),
		ev("m.room.message", "$own", "@b:x", 3, `{"msgtype":"m.text","body":"> Funkspruch 14:02\n\nbitte bestätigen",`+reply+`}`),
		ev("m.room.message", "$nosp", "@b:x", 4, `{"msgtype":"m.text","body":">no space\n\nbleibt",`+reply+`}`),
		ev("m.room.message", "$html", "@b:x", 5, `{"msgtype":"m.text","body":"kein","format":"org.matrix.custom.html","formatted_body":"<b>kein</b> Zitat",`+reply+`}`),
		ev("m.room.message", "$re", "@a:x", 6, `{"msgtype":"m.text","body":"ok","m.relates_to":{"m.in_reply_to":{"event_id":"$fb"}}}`),
	}
	if in, err := ingestJSON(db, syncWith(room, 1, events)); err != nil || in.malformed != 0 {
		t.Fatalf("ingest: %v (malformed %d)", err, in.malformed)
	}
	msgs, err := offlineSession(db, "@me:x").Timeline(context.Background(), room, 100)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[id.EventID]Message{}
	for _, m := range msgs {
		byID[m.EventID] = m
	}
	for eventID, want := range map[id.EventID][2]string{
		"$fb":   {"Antwort\n> kein Zitat", "Antwort"},
		"$own":  {"> Funkspruch 14:02\n\nbitte bestätigen", ""},
		"$nosp": {">no space\n\nbleibt", ""},
		"$html": {"kein", "<b>kein</b> Zitat"},
	} {
		if m := byID[eventID]; m.Body != want[0] || m.FormattedBody != want[1] {
			t.Errorf("%s: body %q html %q, want %q %q", eventID, m.Body, m.FormattedBody, want[0], want[1])
		}
	}
	if q := byID["$re"].Reply; q == nil || q.Body != "Antwort\n> kein Zitat" {
		t.Errorf("quote of a reply: %+v", q)
	}
}

func TestDecryptionReasonOfStoredEvent(t *testing.T) {
	if got := decryptionReason(&store.Event{DecryptionReason: ReasonTampered}); got != ReasonTampered {
		t.Errorf("stored code: %q", got)
	}
	if got := decryptionReason(&store.Event{DecryptionError: "missing session"}); got != ReasonOther {
		t.Errorf("no stored code must not be guessed from the text: %q", got)
	}
}

func TestRenderMarkdown(t *testing.T) {
	cases := []struct {
		in, body, html string
		mentions       []id.UserID
	}{
		{"Lage ruhig", "Lage ruhig", "", nil},
		{"a < b & \"c\"", "a < b & \"c\"", "", nil},
		{"Zeile 1\nZeile 2\n\nAbsatz", "Zeile 1\nZeile 2\n\nAbsatz", "", nil},
		{"**dringend**", "**dringend**", "<strong>dringend</strong>", nil},
		{"an @bob:example.org:8448, nicht `@code:x`.", "an @bob:example.org:8448, nicht `@code:x`.",
			`an <a href="https://matrix.to/#/@bob:example.org:8448">Bob</a>, nicht <code>@code:x</code>.`,
			[]id.UserID{"@bob:example.org:8448"}},
	}
	names := func(u id.UserID) string {
		if u == "@bob:example.org:8448" {
			return "Bob"
		}
		return ""
	}
	for _, c := range cases {
		r := renderMarkdown(c.in, names)
		if r.Body != c.body || r.FormattedBody != c.html || !reflect.DeepEqual(r.Mentions, c.mentions) {
			t.Errorf("renderMarkdown(%q) = %+v, want body %q html %q mentions %v", c.in, r, c.body, c.html, c.mentions)
		}
	}
	if c := renderMarkdown("Lage ruhig", nil).content(); c.Format != "" || c.FormattedBody != "" {
		t.Errorf("plain text got a formatted body: %v", c)
	}
}

// BenchmarkTimeline: a window of 100 messages at the end of a room with 10,000 messages, a
// third of them edited and each with reactions, all ingested through the sync path.
func BenchmarkTimeline(b *testing.B) {
	db := testStore(b)
	const room = "!bench:x"
	const total = 10000
	var events []string
	batch := 0
	flush := func() {
		batch++
		if in, err := ingestJSON(db, syncWith(room, batch, events)); err != nil || in.malformed != 0 {
			b.Fatalf("ingest: %v", err)
		}
		events = events[:0]
	}
	stored := 0
	for i := range total {
		msgID := fmt.Sprintf("$m%d", i)
		sender := fmt.Sprintf("@u%d:x", i%7)
		events = append(events, ev("m.room.message", msgID, sender, i*10, fmt.Sprintf(`{"msgtype":"m.text","body":"Meldung %d mit etwas Text, wie er in Lagemeldungen steht"}`, i)))
		if i%3 == 0 {
			events = append(events, ev("m.room.message", msgID+"e", sender, i*10+1,
				fmt.Sprintf(`{"msgtype":"m.text","body":"* neu %d","m.new_content":{"msgtype":"m.text","body":"neu %d"},"m.relates_to":{"rel_type":"m.replace","event_id":%q}}`, i, i, msgID)))
		}
		for r := range 2 {
			events = append(events, ev("m.reaction", fmt.Sprintf("%sr%d", msgID, r), fmt.Sprintf("@u%d:x", r), i*10+2+r,
				fmt.Sprintf(`{"m.relates_to":{"rel_type":"m.annotation","event_id":%q,"key":"👍"}}`, msgID)))
		}
		if len(events) >= 1000 {
			stored += len(events)
			flush()
		}
	}
	stored += len(events)
	flush()
	s := offlineSession(db, "@me:x")
	ctx := context.Background()
	b.ReportMetric(float64(stored), "events_in_room")
	for b.Loop() {
		msgs, err := s.Timeline(ctx, room, 100)
		if err != nil || len(msgs) != 100 || !msgs[99].Edited || len(msgs[99].Reactions) != 1 || msgs[99].Reactions[0].Count != 2 {
			b.Fatalf("timeline: %d messages, last %+v, %v", len(msgs), msgs[len(msgs)-1], err)
		}
	}
}
