package jspeer

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
)

// SendFile uploads data and sends it as a message of msgtype (m.file,
// m.image, ...). In an encrypted room the file is AES-CTR encrypted
// (WebCrypto) and sent in content.file; otherwise in content.url.
func (p *Peer) SendFile(ctx context.Context, roomID, msgtype, name, mimeType string, data []byte) (eventID string, err error) {
	var res struct {
		EventID string `json:"event_id"`
	}
	args := map[string]any{
		"room_id": roomID, "msgtype": msgtype, "name": name, "mimetype": mimeType,
		"data": base64.StdEncoding.EncodeToString(data),
	}
	if err := p.call(ctx, "send_file", args, &res); err != nil {
		return "", fmt.Errorf("failed to send file %s into %s: %w", name, roomID, err)
	}
	return res.EventID, nil
}

// Download fetches the attachment of a message content (content.url, or the
// encrypted content.file, whose SHA-256 is checked before decryption).
func (p *Peer) Download(ctx context.Context, content map[string]any) ([]byte, error) {
	var res struct {
		Data string `json:"data"`
	}
	if err := p.call(ctx, "download", map[string]any{"content": content}, &res); err != nil {
		return nil, fmt.Errorf("failed to download an attachment: %w", err)
	}
	data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(res.Data, "="))
	if err != nil {
		return nil, fmt.Errorf("failed to decode the attachment: %w", err)
	}
	return data, nil
}

// SendVoice sends an Ogg/Opus file as a voice message with the content Element Web builds
// for one (m.audio with the MSC1767 text, file and audio blocks and the MSC3245 marker);
// waveform holds amplitudes 0..1 as Element's recorder gives them.
func (p *Peer) SendVoice(ctx context.Context, roomID string, ogg []byte, durationMS int, waveform []float64) (eventID string, err error) {
	var res struct {
		EventID string `json:"event_id"`
	}
	args := map[string]any{"room_id": roomID, "duration": durationMS, "waveform": waveform,
		"data": base64.StdEncoding.EncodeToString(ogg)}
	if err := p.call(ctx, "send_voice", args, &res); err != nil {
		return "", fmt.Errorf("failed to send a voice message into %s: %w", roomID, err)
	}
	return res.EventID, nil
}
