package main

import (
	"context"
	"fmt"
	"strconv"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/voice"
)

func init() {
	commands["send-voice"] = command{"send-voice ROOM_ID FILE.ogg | send-voice ROOM_ID --tone HZ --seconds N  [--timeout DURATION]  (an Ogg/Opus file, or a generated sine tone, sent as a voice message like Element's)", cmdSendVoice}
}

// maxToneSeconds bounds --seconds to the longest voice message.
var maxToneSeconds = voice.MaxDuration.Seconds()

func cmdSendVoice(ctx context.Context, a *args) error {
	usage := usageError{"usage: bosctl " + commands["send-voice"].usage}
	tone, seconds := a.str("tone"), a.str("seconds")
	var clip *voice.Clip
	switch {
	case tone == "" && seconds == "" && len(a.pos) == 2:
		f, err := session.OpenAttachment(a.pos[1])
		if err != nil {
			return err
		}
		data, err := f.ReadAll()
		f.Close()
		if err != nil {
			return fmt.Errorf("failed to read %s: %w", a.pos[1], err)
		}
		if clip, err = voice.Parse(data); err != nil {
			return fmt.Errorf("%s: %w", a.pos[1], err)
		}
	case tone != "" && seconds != "" && len(a.pos) == 1:
		hz, err := strconv.ParseFloat(tone, 64)
		if err != nil || hz < 20 || hz > 20000 {
			return usageError{fmt.Sprintf("--tone wants a frequency in Hz (20 to 20000), not %q", tone)}
		}
		secs, err := strconv.ParseFloat(seconds, 64)
		if err != nil || secs <= 0 || secs > maxToneSeconds {
			return usageError{fmt.Sprintf("--seconds wants a length in seconds (up to %.0f), not %q", maxToneSeconds, seconds)}
		}
		if clip, err = voice.Encode(voice.Tone(hz, secs)); err != nil {
			return err
		}
	default:
		return usage
	}
	roomID := id.RoomID(a.pos[0])
	return sendAndPrint(ctx, a, roomID, func(s *session.Session) (string, error) {
		return s.SendVoice(ctx, roomID, clip)
	})
}
