package session

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"

	"bosmessenger/session/voice"
)

// The voice message's JSON has every key Element Web sends, with the same values in the classic
// and the MSC1767 places, and reads back as voice.
func TestVoiceMessageContent(t *testing.T) {
	clip := &voice.Clip{Ogg: make([]byte, 1234), Duration: 7120 * time.Millisecond, Waveform: []int{0, 512, 1024}}
	c := &event.MessageEventContent{MsgType: event.MsgAudio, Body: VoiceFileName, URL: "mxc://hs/abc",
		Info: &event.FileInfo{MimeType: "audio/ogg", Size: 1234}}
	raw, err := json.Marshal(voiceMessage(c, clip))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"msgtype":                  `"m.audio"`,
		"body":                     `"Sprachnachricht (0:07)"`,
		"url":                      `"mxc://hs/abc"`,
		"info":                     `{"mimetype":"audio/ogg","size":1234,"duration":7120}`,
		"org.matrix.msc1767.text":  `"Sprachnachricht (0:07)"`,
		"org.matrix.msc1767.file":  `{"url":"mxc://hs/abc","name":"Sprachnachricht.ogg","mimetype":"audio/ogg","size":1234}`,
		"org.matrix.msc1767.audio": `{"duration":7120,"waveform":[0,512,1024]}`,
		"org.matrix.msc3245.voice": `{}`,
	}
	for k, v := range want {
		var a, b any
		_ = json.Unmarshal(got[k], &a)
		_ = json.Unmarshal([]byte(v), &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("keys: %s", raw)
	}
	v := voiceOf(raw)
	if v == nil || v.DurationMS != 7120 || !slices.Equal(v.Waveform, []int{0, 512, 1024}) {
		t.Fatalf("read back: %+v", v)
	}
}

func TestVoiceOf(t *testing.T) {
	for _, c := range []struct {
		content string
		want    *VoiceInfo
	}{
		{`{"msgtype":"m.audio","body":"a.ogg","info":{"duration":3000}}`, nil}, // plain audio file
		{`{"msgtype":"m.file","org.matrix.msc3245.voice":{}}`, nil},
		{`{"msgtype":"m.audio","org.matrix.msc3245.voice":{},"info":{"duration":3000}}`, &VoiceInfo{DurationMS: 3000, Waveform: []int{}}},
		{`{"msgtype":"m.audio","org.matrix.msc2516.voice":{},"org.matrix.msc1767.audio":{"duration":1500,"waveform":[-5,2000,7.6]}}`,
			&VoiceInfo{DurationMS: 1500, Waveform: []int{0, 1024, 7}}},
	} {
		got := voiceOf(json.RawMessage(c.content))
		if (got == nil) != (c.want == nil) || got != nil && (got.DurationMS != c.want.DurationMS || !slices.Equal(got.Waveform, c.want.Waveform)) {
			t.Errorf("%s: %+v, want %+v", c.content, got, c.want)
		}
	}
	if b := VoiceBody(59600 * time.Millisecond); b != "Sprachnachricht (1:00)" {
		t.Errorf("body %q", b)
	}
}
