package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"bosmessenger/session"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printEvent writes one event: a JSON object on one line, or a readable line.
func printEvent(a *args, ev session.TimelineEvent, asJSON bool) error {
	if asJSON {
		return printJSON(a.stdout, ev)
	}
	ts := time.UnixMilli(ev.TS).Local().Format("2006-01-02 15:04:05")
	var text string
	switch {
	case ev.Damaged:
		text = "[damaged: this event could not be read from the local store]"
	case ev.Redacted:
		text = "[deleted]"
	case ev.Encrypted && !ev.Decrypted:
		text = "[encrypted: " + orDefault(ev.DecryptionError, "not decrypted") + "]"
	case ev.Type == "m.room.message" || ev.Type == "m.sticker":
		text = strings.ReplaceAll(ev.Body, "\n", "\n    ")
		if ev.MsgType == "m.emote" {
			text = "* " + text
		} else if ev.MsgType != "m.text" && ev.MsgType != "m.notice" && ev.MsgType != "" {
			text = "[" + ev.MsgType + "] " + text
		}
	default:
		text = "[" + ev.Type + "]"
	}
	_, err := fmt.Fprintf(a.stdout, "%s %s: %s\n", ts, ev.Sender, text)
	return err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
