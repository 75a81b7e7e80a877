package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/callmedia"
	"bosmessenger/session/rtc"
)

// This file's init runs after cmd_call.go's (files initialise in name order): it extends the
// call command by --group.
func init() {
	c := commands["call"]
	c.usage += " | call ROOM_ID --group [--tone HZ] [--expect-tone HZ] [--duration D] [--well-known URL] [--no-e2ee] [--json]  " +
		"(joins the room's MatrixRTC group call, starting it when there is none; exit 0 only when connected " +
		"and the --expect-tone was heard from one of the others; --well-known: where the LiveKit focus is " +
		"announced, default the server name; media is end-to-end encrypted in encrypted rooms unless --no-e2ee)"
	commands["call"] = c
	if commandBoolFlags["call"] == nil {
		commandBoolFlags["call"] = map[string]bool{}
	}
	commandBoolFlags["call"]["group"] = true
	commandBoolFlags["call"]["no-e2ee"] = true
}

// groupCallResult is what bosctl call --group --json prints: callResult's fields for the
// whole call (packets from all others, the tone of the one that matched --expect-tone, else
// the first) and one entry per other participant.
type groupCallResult struct {
	callResult
	Participants []groupParticipant `json:"participants"`
	Encrypted    bool               `json:"encrypted"` // media end-to-end encrypted (per-participant keys)
}

type groupParticipant struct {
	UserID       id.UserID   `json:"user_id,omitempty"`
	DeviceID     id.DeviceID `json:"device_id,omitempty"`
	Identity     string      `json:"identity"`
	RTPPacketsIn uint64      `json:"rtp_packets_in"`
	DetectedHz   float64     `json:"detected_hz"`
}

func cmdGroupCall(ctx context.Context, a *args) error {
	if len(a.pos) != 1 || a.bool("answer") {
		return usageError{"usage: bosctl " + commands[a.cmd].usage}
	}
	tone, expect, duration, err := a.toneFlags()
	if err != nil {
		return err
	}
	roomID := id.RoomID(a.pos[0])
	opts := session.GroupCallOptions{WellKnownURL: a.str("well-known")}
	if a.bool("no-e2ee") {
		opts.E2EE = session.GroupCallE2EEOff
	}
	if tone > 0 {
		opts.Source = callmedia.NewTone(tone)
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if err := s.CheckCalls(); err != nil {
			return err
		}
		runCtx, stopRun := context.WithCancel(ctx)
		defer stopRun()
		go func() { _ = s.Run(runCtx, 10*time.Second, nil) }() // media keys come as to-device messages
		start := time.Now()
		info, err := s.JoinGroupCall(ctx, roomID, opts)
		if err != nil {
			return err
		}
		reason := "user_hangup"
		// Stay for duration. The result lists everyone who was there, also those who left
		// before this device did, with what was last received from them.
		seen := map[string]rtc.ParticipantStats{}
		remember := func(cur session.GroupCallInfo) {
			for _, p := range cur.Participants {
				seen[p.Identity] = p
			}
		}
		remember(info)
		deadline := time.NewTimer(duration)
		defer deadline.Stop()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
	wait:
		for {
			select {
			case <-ctx.Done():
				reason = "interrupted"
				break wait
			case <-deadline.C:
				break wait
			case <-tick.C:
				cur, err := s.GroupCall(roomID)
				if err != nil {
					continue
				}
				remember(cur)
				if cur.Lost {
					reason = "ice_failed"
					break wait
				}
			}
		}
		if cur, err := s.GroupCall(roomID); err == nil {
			info = cur
			remember(cur)
		}
		info.Participants = info.Participants[:0]
		for _, p := range seen {
			info.Participants = append(info.Participants, p)
		}
		sort.Slice(info.Participants, func(i, j int) bool { return info.Participants[i].Identity < info.Participants[j].Identity })
		lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		leaveErr := s.LeaveGroupCall(lctx, roomID)
		cancel()
		res := groupResult(info, start, expect, reason)
		if a.bool("json") {
			if err := printJSON(a.stdout, res); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(a.stdout, "group call %s: connected after %d ms, %d participants, %d RTP packets in, detected %.1f Hz, ended: %s\n",
				safe(string(roomID)), res.ConnectedMS, len(res.Participants), res.RTPPacketsIn, res.DetectedHz, res.HangupReason)
			for _, p := range res.Participants {
				fmt.Fprintf(a.stdout, "  %s: %d RTP packets in, detected %.1f Hz\n", safe(p.Identity), p.RTPPacketsIn, p.DetectedHz)
			}
		}
		switch {
		case info.ConnectedAt.IsZero():
			return fmt.Errorf("group call did not connect (%s)", reason)
		case expect > 0 && !toneMatches(res.DetectedHz, expect):
			return fmt.Errorf("expected a tone of %.0f Hz from a participant, detected %.1f Hz", expect, res.DetectedHz)
		}
		if leaveErr != nil {
			return fmt.Errorf("failed to leave the group call: %w", leaveErr)
		}
		return nil
	})
}

// groupResult sums up a group call for output.
func groupResult(info session.GroupCallInfo, start time.Time, expect float64, reason string) groupCallResult {
	res := groupCallResult{callResult: callResult{ConnectedMS: -1, HangupReason: reason}, Participants: []groupParticipant{},
		Encrypted: info.Encrypted}
	if !info.ConnectedAt.IsZero() {
		res.ConnectedMS = info.ConnectedAt.Sub(start).Milliseconds()
	}
	for i, p := range info.Participants {
		hz := math.Round(p.DetectedHz*10) / 10
		gp := groupParticipant{Identity: p.Identity, RTPPacketsIn: p.RTPPacketsIn, DetectedHz: hz}
		gp.UserID, gp.DeviceID = splitIdentity(p.Identity)
		res.Participants = append(res.Participants, gp)
		res.RTPPacketsIn += p.RTPPacketsIn
		if i == 0 || (expect > 0 && toneMatches(hz, expect) && !toneMatches(res.DetectedHz, expect)) {
			res.DetectedHz = hz
		}
	}
	return res
}

// splitIdentity splits a LiveKit identity "@user:server:DEVICE" (rtc.Identity).
func splitIdentity(identity string) (id.UserID, id.DeviceID) {
	for i := len(identity) - 1; i > 0; i-- {
		if identity[i] == ':' {
			user, device := id.UserID(identity[:i]), id.DeviceID(identity[i+1:])
			if rtc.Identity(user, device) == identity && user.Homeserver() != "" {
				return user, device
			}
			return "", ""
		}
	}
	return "", ""
}
