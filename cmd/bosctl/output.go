package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"bosmessenger/internal/termsafe"
	"bosmessenger/session"
	"bosmessenger/session/poll"
)

// printJSON writes v as one line of JSON. encoding/json escapes C0 controls; termsafe.JSON escapes
// DEL, C1 and bidi controls too, so the output is exact (the same value) and safe on a terminal.
func printJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termsafe.JSON(buf.Bytes()))
	return err
}

// safe escapes remote text for a one-line field of human-readable output (termsafe.String).
func safe[T ~string](s T) string { return termsafe.String(string(s)) }

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
		text = "[encrypted: " + safe(orDefault(ev.DecryptionError, "not decrypted")) + "]"
	case ev.Type == "m.room.message" || ev.Type == "m.sticker":
		// The body's own line breaks stay (indented under the sender); anything else that a
		// terminal would act on is escaped.
		text = strings.ReplaceAll(termsafe.Text(ev.Body), "\n", "\n    ")
		if ev.MsgType == "m.emote" {
			text = "* " + text
		} else if ev.MsgType != "m.text" && ev.MsgType != "m.notice" && ev.MsgType != "" {
			text = "[" + safe(ev.MsgType) + "] " + text
		}
	case ev.Call != nil:
		text = "[call] " + safe(ev.Body)
	case poll.IsPollEvent(ev.Type) && ev.Body != "":
		// A poll's question and answers, an end's closing text (their MSC1767 fallback).
		text = "[" + safe(ev.Type) + "] " + strings.ReplaceAll(termsafe.Text(ev.Body), "\n", "\n    ")
	default:
		text = "[" + safe(ev.Type) + "]"
	}
	if ev.GeoURI != "" {
		text += " [" + safe(ev.GeoURI) + "]"
	}
	if ev.ThreadRoot != "" {
		text = "[thread " + safe(ev.ThreadRoot.String()) + "] " + text
	}
	_, err := fmt.Fprintf(a.stdout, "%s %s: %s\n", ts, safe(ev.Sender), text)
	return err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// vettedMark follows an organisation name: " ✓" for a vetted server.
func vettedMark(vetted bool) string {
	if vetted {
		return " ✓"
	}
	return ""
}
