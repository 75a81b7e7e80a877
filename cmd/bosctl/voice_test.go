package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bosmessenger/session/voice"
)

// send-voice sends a generated tone and an Ogg/Opus file as voice messages; the receiver's
// history --json shows voice {duration_ms, waveform}, and the downloaded file decodes to the
// tone. What is not Ogg/Opus, and wrong arguments, are refused before anything is sent.
func TestSendVoice(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	a, b := loggedIn(t, srv, "voicesender"), loggedIn(t, srv, "voicereceiver")
	roomID := a.createRoom("--name", "Funk", "--invite", b.id) // encrypted by default
	b.ok("join", roomID)

	toneID := oneID(t, a.ok("send-voice", roomID, "--tone", "523", "--seconds", "1.5"), eventIDRe)
	clip, err := voice.Encode(voice.Tone(330, 3.4))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "funkspruch.ogg")
	if err := os.WriteFile(path, clip.Ogg, 0o600); err != nil {
		t.Fatal(err)
	}
	fileID := oneID(t, a.ok("send-voice", roomID, path), eventIDRe)

	type voiceLine struct {
		EventID string `json:"event_id"`
		MsgType string `json:"msgtype"`
		Body    string `json:"body"`
		Voice   *struct {
			DurationMS int   `json:"duration_ms"`
			Waveform   []int `json:"waveform"`
		} `json:"voice"`
	}
	got := map[string]voiceLine{}
	out := b.ok("history", roomID, "--json", "--limit", "20").stdout
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v voiceLine
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("history line %q: %v", line, err)
		}
		got[v.EventID] = v
	}
	tone, file := got[toneID], got[fileID]
	if tone.MsgType != "m.audio" || tone.Body != "Sprachnachricht (0:02)" || tone.Voice == nil ||
		tone.Voice.DurationMS != 1500 || len(tone.Voice.Waveform) != voice.WaveformPoints {
		t.Fatalf("tone message in history: %+v", tone)
	}
	if file.Voice == nil || file.Body != "Sprachnachricht (0:03)" || file.Voice.DurationMS < 3400 || file.Voice.DurationMS > 3430 {
		t.Fatalf("file message in history: %+v", file)
	}

	dl := filepath.Join(t.TempDir(), "got.ogg")
	b.ok("download", toneID, "--out", dl)
	data, err := os.ReadFile(dl)
	if err != nil {
		t.Fatal(err)
	}
	pcm, err := voice.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if hz := voice.DominantHz(pcm[4800:], 100, 4000, 5); math.Abs(hz-523) > 10 {
		t.Fatalf("downloaded voice message at %.0f Hz, want 523", hz)
	}

	// play: the tone comes back as its frequency (null audio backend; played in real time).
	r := mustOK(t, bosctl(t, runOpts{env: []string{"BOSCTL_SILENT_AUDIO=1"}}, "--data", b.dir, "play", toneID, "--json"))
	var played struct {
		DurationMS int     `json:"duration_ms"`
		DetectedHz float64 `json:"detected_hz"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &played); err != nil {
		t.Fatalf("play: %v %v", r, err)
	}
	if played.DurationMS < 1500 || played.DurationMS > 1530 || math.Abs(played.DetectedHz-523) > 10 {
		t.Fatalf("play: %+v", played)
	}

	notOgg := filepath.Join(t.TempDir(), "notiz.ogg")
	if err := os.WriteFile(notOgg, []byte("kein Ton"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustFail(t, a.run("send-voice", roomID, notOgg), 1, "not an Ogg/Opus")
	mustFail(t, a.run("send-voice", roomID), 2, "usage")
	mustFail(t, a.run("send-voice", roomID, "--tone", "440"), 2, "usage")
	mustFail(t, a.run("send-voice", roomID, "--tone", "x", "--seconds", "1"), 2, "--tone")
	mustFail(t, a.run("send-voice", roomID, "--tone", "440", "--seconds", "9999"), 2, "--seconds")
}
