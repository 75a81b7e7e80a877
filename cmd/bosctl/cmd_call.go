package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/call"
	"bosmessenger/session/callmedia"
)

func init() {
	commands["call"] = command{"call ROOM_ID [--tone HZ] [--expect-tone HZ] [--expect-video] [--duration D] [--json] | " +
		"call --answer [--tone HZ] [--expect-tone HZ] [--expect-video] [--timeout D] [--duration D] [--json]  " +
		"(1:1 voice call sending a sine tone instead of a microphone; exit 0 only when connected and the " +
		"--expect-tone was heard and, with --expect-video, a frame of the other side's video decoded; the caller hangs up after --duration (default 5s), the answerer waits " +
		"--timeout (default 60s) for a call and stays until hung up or --duration; " +
		session.CallLoopbackEnv + "=1 keeps the media on loopback, for tests)", cmdCall}
	commandBoolFlags["call"] = map[string]bool{"answer": true} // poll create/vote --answer takes a value
}

// callResult is what bosctl call --json prints.
type callResult struct {
	ConnectedMS  int64   `json:"connected_ms"` // setup time: placing (caller) or the invite's arrival (answerer) to connected; -1: never
	RTPPacketsIn uint64  `json:"rtp_packets_in"`
	DetectedHz   float64 `json:"detected_hz"` // the strongest frequency received (0: nothing heard)
	HangupReason string  `json:"hangup_reason"`

	VideoFramesIn uint64 `json:"video_frames_in"` // pictures of the other side's video decoded
	VideoSize     string `json:"video_size"`      // of the newest picture, "640x480"; "": none
}

// toneTolerance is how far the detected tone may be from --expect-tone (Hz, or 3 %).
func toneMatches(detected, want float64) bool {
	return math.Abs(detected-want) <= max(15, want*0.03)
}

func (a *args) hz(name string) (float64, error) {
	v := a.str(name)
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 20 || f > 20000 {
		return 0, usageError{fmt.Sprintf("--%s wants a frequency in Hz between 20 and 20000, not %q", name, v)}
	}
	return f, nil
}

// toneFlags reads what 1:1 and group calls share: --tone, --expect-tone and --duration (5s).
func (a *args) toneFlags() (tone, expect float64, duration time.Duration, err error) {
	if tone, err = a.hz("tone"); err != nil {
		return 0, 0, 0, err
	}
	if expect, err = a.hz("expect-tone"); err != nil {
		return 0, 0, 0, err
	}
	if duration, err = a.duration("duration", 5*time.Second); err != nil {
		return 0, 0, 0, err
	}
	return tone, expect, duration, nil
}

func cmdCall(ctx context.Context, a *args) error {
	if a.bool("group") {
		return cmdGroupCall(ctx, a) // cmd_groupcall.go
	}
	answer := a.bool("answer")
	if (answer && len(a.pos) != 0) || (!answer && len(a.pos) != 1) {
		return usageError{"usage: bosctl " + commands[a.cmd].usage}
	}
	tone, expect, duration, err := a.toneFlags()
	if err != nil {
		return err
	}
	if answer && a.str("duration") == "" {
		duration = 0 // the answerer stays until hung up
	}
	timeout, err := a.duration("timeout", 60*time.Second)
	if err != nil {
		return err
	}
	detector := callmedia.NewToneDetector()
	opts := session.CallMediaOptions{Sink: detector}
	opts.ReceiveVideo = a.bool("expect-video")
	if tone > 0 {
		opts.Source = callmedia.NewTone(tone)
	}
	return withSession(ctx, a, func(s *session.Session) error {
		if err := s.CheckCalls(); err != nil {
			return err
		}
		seq, err := s.LastSeq(ctx)
		if err != nil {
			return err
		}
		sub := s.Subscribe(seq)
		defer sub.Close()
		runCtx, stopRun := context.WithCancel(ctx)
		defer stopRun()
		go func() { _ = s.Run(runCtx, 10*time.Second, nil) }()

		var info session.CallInfo
		start := time.Now()
		if answer {
			wctx, cancel := context.WithTimeout(ctx, timeout)
			info, err = waitRinging(wctx, s, sub)
			cancel()
			if err != nil {
				return timeoutErr(wctx, fmt.Errorf("no incoming call: %w", err))
			}
			start = info.InviteAt
			if err := s.AnswerCall(ctx, info.CallID, opts); err != nil {
				return err
			}
		} else if info, err = s.PlaceCall(ctx, id.RoomID(a.pos[0]), opts); err != nil {
			return err
		}
		info, err = followCall(ctx, s, sub, info.CallID, duration)
		if err != nil {
			return err
		}
		res := callResult{ConnectedMS: -1, HangupReason: info.EndReason}
		if !info.ConnectedAt.IsZero() {
			res.ConnectedMS = info.ConnectedAt.Sub(start).Milliseconds()
		}
		if st, ok := s.CallStats(info.CallID); ok {
			res.RTPPacketsIn = st.RTPPacketsIn
			res.VideoFramesIn, res.VideoSize = st.VideoFramesIn, videoSize(st)
		}
		res.DetectedHz = math.Round(detector.DominantHz()*10) / 10
		if a.bool("json") {
			if err := printJSON(a.stdout, res); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(a.stdout, "call %s: connected after %d ms, %d RTP packets in, detected %.1f Hz, ended: %s\n",
				safe(info.CallID), res.ConnectedMS, res.RTPPacketsIn, res.DetectedHz, safe(res.HangupReason))
		}
		switch {
		case info.ConnectedAt.IsZero():
			return fmt.Errorf("call did not connect (%s)", info.EndReason)
		case expect > 0 && !toneMatches(res.DetectedHz, expect):
			return fmt.Errorf("expected a tone of %.0f Hz, detected %.1f Hz", expect, res.DetectedHz)
		}
		return checkVideo(a.bool("expect-video"), res)
	})
}

// waitRinging waits for an incoming call that rings.
func waitRinging(ctx context.Context, s *session.Session, sub *session.Subscription) (session.CallInfo, error) {
	for {
		for _, c := range s.Calls() {
			if c.State == call.StateRinging {
				return c, nil
			}
		}
		if _, err := sub.Next(ctx); err != nil {
			return session.CallInfo{}, err
		}
	}
}

// followCall waits until the call ends; once connected for duration (0: no limit) it hangs up.
// Glare hands over to the call that replaced ours.
func followCall(ctx context.Context, s *session.Session, sub *session.Subscription, callID string, duration time.Duration) (session.CallInfo, error) {
	var hangupAt <-chan time.Time
	for {
		info, err := s.Call(callID)
		if err != nil {
			return info, err
		}
		if info.State == call.StateEnded && info.ReplacedBy != "" {
			callID = info.ReplacedBy
			continue
		}
		if info.State == call.StateEnded {
			return info, nil
		}
		if info.State == call.StateConnected && hangupAt == nil && duration > 0 {
			hangupAt = time.After(duration)
		}
		ended, err := s.CallEnded(callID)
		if err != nil {
			return info, err
		}
		nctx, cancel := context.WithCancel(ctx)
		next := make(chan error, 1)
		go func() { _, err := sub.Next(nctx); next <- err }()
		consumed := false
		select {
		case <-ended:
		case err := <-next:
			consumed = true
			if err != nil && ctx.Err() == nil {
				cancel()
				return info, err
			}
		case <-hangupAt:
			_ = s.HangupCall(callID, call.ReasonUserHangup)
		case <-ctx.Done():
			_ = s.HangupCall(callID, call.ReasonUserHangup)
			cancel()
			<-next
			info, _ = s.Call(callID)
			return info, errors.Join(errors.New("interrupted"), ctx.Err())
		}
		cancel()
		if !consumed {
			<-next
		}
	}
}
