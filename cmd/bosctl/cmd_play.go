package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/voice"
)

func init() {
	commands["play"] = command{"play EVENT_ID [--json]  (plays a voice message or Ogg/Opus file through the audio output; --json: duration_ms, detected_hz)", cmdPlay}
}

// envSilentAudio, set to 1, plays into miniaudio's null backend (tests, machines without sound).
const envSilentAudio = "BOSCTL_SILENT_AUDIO"

// playResult is what play --json prints: the length and the strongest frequency of the first
// seconds (a tone sent by send-voice --tone comes back as its frequency).
type playResult struct {
	DurationMS int     `json:"duration_ms"`
	DetectedHz float64 `json:"detected_hz"`
}

func cmdPlay(ctx context.Context, a *args) error {
	pos, err := a.positional(1)
	if err != nil {
		return err
	}
	return withSession(ctx, a, func(s *session.Session) error {
		att, err := s.DownloadFile(ctx, id.EventID(pos[0]))
		if err != nil {
			return err
		}
		pcm, err := voice.Decode(att.Data)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		p := voice.NewPlayer()
		if os.Getenv(envSilentAudio) == "1" {
			p = voice.NewNullPlayer()
		}
		defer p.Close()
		done := make(chan struct{})
		if err := p.Play(pcm, func() { close(done) }); err != nil {
			return err
		}
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
		// analysed after playing: a slow machine does not delay the sound
		head := pcm[min(len(pcm), voice.SampleRate/10):min(len(pcm), 2*voice.SampleRate)]
		res := playResult{DurationMS: int(time.Duration(len(pcm)) * time.Second / voice.SampleRate / time.Millisecond),
			DetectedHz: voice.DominantHz(head, 50, 4000, 5)}
		if a.bool("json") {
			return printJSON(a.stdout, res)
		}
		_, err = fmt.Fprintf(a.stdout, "%d:%02d played\n", res.DurationMS/60000, res.DurationMS/1000%60)
		return err
	})
}
