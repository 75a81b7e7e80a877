package session_test

import (
	"encoding/json"
	"math"
	"testing"

	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/jspeer"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
	"bosmessenger/session/voice"
)

// A voice message of ours reaches matrix-js-sdk as Element sends one: m.audio with
// org.matrix.msc3245.voice, the MSC1767 audio block (duration, 100 waveform values 0..1024),
// text and file fallbacks, info with audio/ogg, size and duration; the encrypted file decrypts
// to Ogg/Opus whose audio is the 440 Hz tone (Goertzel).
func TestInteropVoiceMessageToJS(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newAccount(t, srv, "voiceA"), newAccount(t, srv, "voiceB")
	sa := alice.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "Sprache")
	clip, err := voice.Encode(voice.Tone(440, 2.2))
	if err != nil {
		t.Fatal(err)
	}
	eventID := sentBy(t, sa)(sa.SendVoice(ctx(t), roomID, clip))

	ev, err := js.WaitForEvent(ctx(t), roomID.String(), func(e jspeer.Event) bool { return e.EventID == eventID.String() })
	if err != nil || !ev.Encrypted {
		t.Fatalf("voice message at matrix-js-sdk: %+v %v", ev, err)
	}
	raw, _ := json.Marshal(ev.Content)
	var c struct {
		MsgType string          `json:"msgtype"`
		Body    string          `json:"body"`
		Voice   json.RawMessage `json:"org.matrix.msc3245.voice"`
		Text    string          `json:"org.matrix.msc1767.text"`
		Audio   *struct {
			Duration int   `json:"duration"`
			Waveform []int `json:"waveform"`
		} `json:"org.matrix.msc1767.audio"`
		File *struct {
			Name     string         `json:"name"`
			MimeType string         `json:"mimetype"`
			Size     int            `json:"size"`
			File     map[string]any `json:"file"`
		} `json:"org.matrix.msc1767.file"`
		Info struct {
			MimeType string `json:"mimetype"`
			Size     int    `json:"size"`
			Duration int    `json:"duration"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if c.MsgType != "m.audio" || string(c.Voice) != "{}" || c.Body != "Sprachnachricht (0:02)" || c.Text != c.Body {
		t.Fatalf("content %s", raw)
	}
	if c.Info.MimeType != "audio/ogg" || c.Info.Size != len(clip.Ogg) || c.Info.Duration != 2200 {
		t.Fatalf("info %+v", c.Info)
	}
	if c.Audio == nil || c.Audio.Duration != 2200 || len(c.Audio.Waveform) != voice.WaveformPoints {
		t.Fatalf("org.matrix.msc1767.audio: %s", raw)
	}
	for _, v := range c.Audio.Waveform[5:95] {
		if v < 800 || v > 1024 { // a steady tone: flat and loud
			t.Fatalf("waveform of a steady tone: %v", c.Audio.Waveform)
		}
	}
	if c.File == nil || c.File.Name != session.VoiceFileName || c.File.MimeType != "audio/ogg" || c.File.Size != len(clip.Ogg) || c.File.File["url"] == nil {
		t.Fatalf("org.matrix.msc1767.file: %s", raw)
	}
	data, err := js.Download(ctx(t), ev.Content)
	if err != nil {
		t.Fatalf("matrix-js-sdk download: %v", err)
	}
	pcm, err := voice.Decode(data)
	if err != nil {
		t.Fatalf("the file is no Ogg/Opus: %v", err)
	}
	if hz := voice.DominantHz(pcm[4800:], 100, 4000, 5); math.Abs(hz-440) > 10 {
		t.Fatalf("decoded audio at %.0f Hz, want 440", hz)
	}
	// Our own timeline shows it as voice too.
	hist := waitForBodies(t, sa, roomID, 10, c.Body)
	if v := findVoice(hist, eventID); v == nil || v.DurationMS != 2200 || len(v.Waveform) != voice.WaveformPoints {
		t.Fatalf("own timeline: %+v", v)
	}
}

// A voice message sent by matrix-js-sdk with Element's content shows in our timeline as voice
// (duration, waveform scaled to 0..1024) and its file decodes to the tone.
func TestInteropVoiceMessageFromJS(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	alice, bob := newAccount(t, srv, "voiceC"), newAccount(t, srv, "voiceD")
	sa := alice.login(t)
	js := jspeer.Start(t, srv.URL)
	if _, _, err := js.Login(ctx(t), bob.Local, testPassword); err != nil {
		t.Fatal(err)
	}
	roomID := jsEncryptedRoom(t, sa, js, bob.UserID, "Sprache zurück")
	clip, err := voice.Encode(voice.Tone(880, 1.0))
	if err != nil {
		t.Fatal(err)
	}
	wave := make([]float64, 44) // Element's recorder: 44 values in 0..1
	for i := range wave {
		wave[i] = float64(i) / 43
	}
	evID, err := js.SendVoice(ctx(t), roomID.String(), clip.Ogg, 1000, wave)
	if err != nil {
		t.Fatal(err)
	}
	eventID := id.EventID(evID)
	hist := waitForBodies(t, sa, roomID, 10, "Voice message")
	v := findVoice(hist, eventID)
	if v == nil || v.DurationMS != 1000 || len(v.Waveform) != 44 || v.Waveform[0] != 0 || v.Waveform[43] != 1024 {
		t.Fatalf("voice in our timeline: %+v", v)
	}
	att, err := sa.DownloadFile(ctx(t), eventID)
	if err != nil {
		t.Fatal(err)
	}
	pcm, err := voice.Decode(att.Data)
	if err != nil {
		t.Fatal(err)
	}
	if hz := voice.DominantHz(pcm[4800:], 100, 4000, 5); math.Abs(hz-880) > 10 {
		t.Fatalf("decoded audio at %.0f Hz, want 880", hz)
	}
}

func findVoice(events []session.TimelineEvent, eventID id.EventID) *session.VoiceInfo {
	for _, e := range events {
		if e.EventID == eventID {
			return e.Voice
		}
	}
	return nil
}
