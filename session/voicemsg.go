package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/voice"
)

// VoiceFileName is the name a voice message's file carries (Element: "Voice message.ogg").
const VoiceFileName = "Sprachnachricht.ogg"

// VoiceInfo is what the timeline shows of a voice message (MSC3245): its length and waveform
// (MSC1767 audio, values 0..1024; empty when the sender sent none).
type VoiceInfo struct {
	DurationMS int   `json:"duration_ms"`
	Waveform   []int `json:"waveform"`
}

// VoiceBody is the text fallback of a voice message: "Sprachnachricht (0:07)".
func VoiceBody(d time.Duration) string {
	s := int((d + time.Second/2) / time.Second)
	return fmt.Sprintf("Sprachnachricht (%d:%02d)", s/60, s%60)
}

// msc1767File is the MSC1767 file block Element puts beside the classic url/file keys.
type msc1767File struct {
	URL      id.ContentURIString      `json:"url,omitempty"`
	File     *event.EncryptedFileInfo `json:"file,omitempty"`
	Name     string                   `json:"name"`
	MimeType string                   `json:"mimetype"`
	Size     int                      `json:"size"`
}

// voiceContent is an m.audio message as Element sends a voice message: the classic content
// plus the MSC1767 text and file blocks (the audio block and the MSC3245 marker are typed in
// mautrix).
type voiceContent struct {
	*event.MessageEventContent
	Text string       `json:"org.matrix.msc1767.text"`
	File *msc1767File `json:"org.matrix.msc1767.file"`
}

// SendVoice sends an Ogg/Opus clip as a voice message (m.audio with org.matrix.msc3245.voice,
// the MSC1767 audio block with duration and waveform, and the MSC1767 text and file fallbacks,
// as Element Web does), through the same path as attachments: encrypted upload in an encrypted
// room, then the persistent send queue.
func (s *Session) SendVoice(ctx context.Context, roomID id.RoomID, clip *voice.Clip) (string, error) {
	if clip == nil || len(clip.Ogg) == 0 {
		return "", fmt.Errorf("%w: empty clip", voice.ErrNotOpus)
	}
	o, err := s.prepareOutgoing(bytes.NewReader(clip.Ogg), int64(len(clip.Ogg)), VoiceFileName, voice.MimeType)
	if err != nil {
		return "", err
	}
	o.content = func(c *event.MessageEventContent) any { return voiceMessage(c, clip) }
	return s.sendStream(ctx, roomID, o)
}

// voiceMessage completes the message of an uploaded clip (c: url or file, info with mimetype
// and size) to a voice message.
func voiceMessage(c *event.MessageEventContent, clip *voice.Clip) *voiceContent {
	body := VoiceBody(clip.Duration)
	waveform := clip.Waveform
	if waveform == nil {
		waveform = []int{}
	}
	c.MsgType, c.Body = event.MsgAudio, body
	if c.Info == nil {
		c.Info = &event.FileInfo{MimeType: voice.MimeType, Size: len(clip.Ogg)}
	}
	c.Info.Duration = clip.DurationMS()
	c.MSC1767Audio = &event.MSC1767Audio{Duration: clip.DurationMS(), Waveform: waveform}
	c.MSC3245Voice = &event.MSC3245Voice{}
	file := &msc1767File{Name: VoiceFileName, MimeType: c.Info.MimeType, Size: c.Info.Size}
	if c.File != nil {
		file.File = c.File
	} else {
		file.URL = c.URL
	}
	return &voiceContent{MessageEventContent: c, Text: body, File: file}
}

// voiceOf reads the voice message parts of a message content: nil unless it is m.audio marked
// as a voice message (MSC3245, or the older MSC2516 key Element sent first).
func voiceOf(content json.RawMessage) *VoiceInfo {
	var c struct {
		MsgType string           `json:"msgtype"`
		Voice   *json.RawMessage `json:"org.matrix.msc3245.voice"`
		Old     *json.RawMessage `json:"org.matrix.msc2516.voice"`
		Audio   *struct {
			Duration float64   `json:"duration"`
			Waveform []float64 `json:"waveform"`
		} `json:"org.matrix.msc1767.audio"`
		Info struct {
			Duration float64 `json:"duration"`
		} `json:"info"`
	}
	if json.Unmarshal(content, &c) != nil || c.MsgType != string(event.MsgAudio) || (c.Voice == nil && c.Old == nil) {
		return nil
	}
	v := &VoiceInfo{DurationMS: int(c.Info.Duration), Waveform: []int{}}
	if c.Audio != nil {
		if c.Audio.Duration > 0 {
			v.DurationMS = int(c.Audio.Duration)
		}
		for _, w := range c.Audio.Waveform {
			v.Waveform = append(v.Waveform, max(0, min(int(w), voice.WaveformMax)))
		}
	}
	return v
}
