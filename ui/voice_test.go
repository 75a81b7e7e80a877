package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/voice"
)

// The recording bar: the microphone button starts a recording from the (tone) source and shows
// the elapsed time; "Senden" hands the encoded tone over, "Verwerfen" throws it away, and the
// maximum length sends by itself.
func TestVoiceRecorderBar(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	v := newVoiceRecorder()
	v.NewSource = func() voice.Source { return voice.NewToneSource(440) }
	var got []*voice.Clip
	v.OnSend = func(c *voice.Clip) { got = append(got, c) }
	v.OnError = func(err error) { t.Errorf("recorder error: %v", err) }

	test.Tap(v.Mic)
	if !v.Recording() || !v.bar.Visible() || v.Elapsed() != "● Aufnahme 0:00" {
		t.Fatalf("after the microphone button: recording %v, bar %v, %q", v.Recording(), v.bar.Visible(), v.Elapsed())
	}
	q.until(t, "a second recorded", func() bool { return v.current().Elapsed() >= time.Second })
	q.until(t, "the bar shows it", func() bool { return v.Elapsed() != "● Aufnahme 0:00" })
	if !strings.HasPrefix(v.Elapsed(), "● Aufnahme 0:0") {
		t.Fatalf("bar %q", v.Elapsed())
	}
	test.Tap(v.send)
	q.until(t, "the recording handed over", func() bool { return len(got) == 1 })
	if v.Recording() || v.bar.Visible() {
		t.Fatal("still recording after Senden")
	}
	pcm, err := voice.Decode(got[0].Ogg)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Duration < time.Second || len(got[0].Waveform) != voice.WaveformPoints {
		t.Fatalf("clip of %v with %d waveform values", got[0].Duration, len(got[0].Waveform))
	}
	if hz := voice.DominantHz(pcm[2400:], 100, 4000, 5); math.Abs(hz-440) > 10 {
		t.Fatalf("recorded %.0f Hz, want 440", hz)
	}

	test.Tap(v.Mic)
	q.until(t, "recording again", func() bool { return v.Recording() })
	test.Tap(v.cancel)
	if v.Recording() || v.bar.Visible() {
		t.Fatal("still recording after Verwerfen")
	}

	v.Max = 400 * time.Millisecond
	test.Tap(v.Mic)
	q.until(t, "sent at the maximum length", func() bool { return len(got) == 2 })
	if got[1].DurationMS() != 400 || v.Recording() {
		t.Fatalf("at the maximum: %d ms, recording %v", got[1].DurationMS(), v.Recording())
	}
}

// TestFlowVoiceMessage: alice records with the composer's microphone (a tone source) and sends;
// bob's engine gets it as voice and its file is the tone. Bob's voice message shows in alice's
// timeline with its length and waveform, plays on the null audio backend and ends by itself.
func TestFlowVoiceMessage(t *testing.T) {
	q := useTestUIQueue(t)
	test.NewTempApp(t)
	SetLang("de")
	old := newVoicePlayer
	newVoicePlayer = voice.NewNullPlayer
	t.Cleanup(func() { newVoicePlayer = old })
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newFlowUser(t, srv, "alice"), newFlowUser(t, srv, "bob")
	bs := bob.login(t)
	ctx := testCtx(t)
	room, err := bs.CreateRoom(ctx, session.CreateRoomOptions{Name: "Funkkreis", Encrypted: true, Invite: []id.UserID{id.UserID(alice.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	as := alice.login(t)
	if _, err := as.Join(ctx, string(room)); err != nil {
		t.Fatal(err)
	}
	as.Close()
	_, a := openShell(t, q, alice, ShellConfig{Room: room, SyncTimeout: time.Second})
	q.until(t, "room open", func() bool {
		return a.Current() == room && !a.Composer().Entry.Disabled() && len(a.Timeline().Messages()) > 0
	})

	rec := a.VoiceRecorder()
	rec.NewSource = func() voice.Source { return voice.NewToneSource(440) }
	test.Tap(rec.Mic)
	q.until(t, "a second recorded", func() bool { return rec.current().Elapsed() >= time.Second })
	test.Tap(rec.send)
	var sent id.EventID
	q.until(t, "own voice message sent and shown", func() bool {
		for _, m := range a.Timeline().Messages() {
			if m.Voice != nil && m.EventID != "" && m.Sender == id.UserID(alice.ID) {
				sent = m.EventID
				return true
			}
		}
		return false
	})
	syncUntil(t, bs, "bob has the voice message", func() bool {
		hist, err := bs.History(ctx, room, 20)
		for _, e := range hist {
			if err == nil && e.EventID == sent && e.Voice != nil && e.Voice.DurationMS >= 1000 {
				return true
			}
		}
		return false
	})
	att, err := bs.DownloadFile(ctx, sent)
	if err != nil {
		t.Fatal(err)
	}
	pcm, err := voice.Decode(att.Data)
	if err != nil {
		t.Fatal(err)
	}
	if hz := voice.DominantHz(pcm[2400:], 100, 4000, 5); math.Abs(hz-440) > 10 {
		t.Fatalf("bob hears %.0f Hz, want 440", hz)
	}

	clip, err := voice.Encode(voice.Tone(660, 1.2))
	if err != nil {
		t.Fatal(err)
	}
	txn, err := bs.SendVoice(ctx, room, clip)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := bs.WaitSent(ctx, txn)
	if err != nil {
		t.Fatal(err)
	}
	var card *voiceCard
	q.until(t, "bob's voice message shown", func() bool { card = a.Timeline().voiceCardOf(theirs); return card != nil })
	if card.dur.Text != "0:01" || card.Playing() || card.play.Disabled() {
		t.Fatalf("card: %q, playing %v, disabled %v", card.dur.Text, card.Playing(), card.play.Disabled())
	}
	if card.wave.values[20] < 800 { // a steady tone: loud all along
		t.Fatalf("waveform %v", card.wave.values)
	}
	test.Tap(card.play)
	q.until(t, "playing", func() bool {
		card = a.Timeline().voiceCardOf(theirs)
		return a.VoicePlaying() == theirs && card != nil && card.Playing()
	})
	test.Tap(card.play) // pause
	q.until(t, "paused", func() bool { card = a.Timeline().voiceCardOf(theirs); return card != nil && !card.Playing() })
	test.Tap(card.play) // resume, then it ends by itself
	q.until(t, "played to the end", func() bool {
		card = a.Timeline().voiceCardOf(theirs)
		return a.VoicePlaying() == "" && card != nil && !card.Playing()
	})
}
