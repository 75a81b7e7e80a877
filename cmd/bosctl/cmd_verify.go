package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
)

func cmdDevices(ctx context.Context, a *args) error {
	if len(a.pos) > 1 {
		return usageError{"usage: bosctl " + commands[a.cmd].usage}
	}
	var userID id.UserID
	if len(a.pos) == 1 {
		userID = id.UserID(a.pos[0])
	}
	return withSession(ctx, a, func(s *session.Session) error {
		devs, err := s.Devices(ctx, userID)
		if err != nil {
			return err
		}
		if a.bool("json") {
			type jsonDevice struct {
				DeviceID    string `json:"device_id"`
				Name        string `json:"name"`
				Verified    bool   `json:"verified"`
				CrossSigned bool   `json:"cross_signed"`
				Trust       string `json:"trust"`
				Own         bool   `json:"own,omitempty"`
			}
			out := make([]jsonDevice, len(devs))
			for i, d := range devs {
				out[i] = jsonDevice{d.DeviceID.String(), d.Name, d.Verified, d.CrossSigned, d.Trust, d.DeviceID == s.Account().DeviceID}
			}
			return printJSON(a.stdout, out)
		}
		for _, d := range devs {
			state := "unverified"
			if d.Verified {
				state = "verified"
			}
			fmt.Fprintf(a.stdout, "%s\t%s\t%s\n", safe(d.DeviceID), state, safe(d.Name))
		}
		return nil
	})
}

func cmdVerify(ctx context.Context, a *args) error {
	var userID id.UserID
	incoming := a.bool("incoming")
	switch {
	case len(a.pos) == 1 && !incoming:
		userID = id.UserID(a.pos[0])
	case len(a.pos) == 0 && incoming:
	default:
		return usageError{"usage: bosctl " + commands[a.cmd].usage}
	}
	timeout, err := a.duration("timeout", 2*time.Minute)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return withSession(ctx, a, func(s *session.Session) error {
		runCtx, stopRun := context.WithCancel(ctx)
		defer stopRun()
		seq, err := s.LastSeq(ctx)
		if err != nil {
			return err
		}
		sub := s.Subscribe(seq)
		defer sub.Close()
		go func() { _ = s.Run(runCtx, 10*time.Second, nil) }()
		var v *session.Verification
		if incoming {
			if v, err = acceptIncoming(ctx, s, sub); err != nil {
				return timeoutErr(ctx, err)
			}
		} else if v, err = s.StartVerification(ctx, userID, id.DeviceID(a.str("device"))); err != nil {
			return err
		}
		return runSAS(ctx, a, v)
	})
}

// acceptIncoming waits for a verification request and accepts it.
func acceptIncoming(ctx context.Context, s *session.Session, sub *session.Subscription) (*session.Verification, error) {
	for {
		if p := s.PendingVerifications(); len(p) > 0 {
			return s.AcceptVerification(ctx, p[0].ID)
		}
		if _, err := sub.Next(ctx); err != nil {
			return nil, err
		}
	}
}

// runSAS shows the emojis, gets them confirmed and waits for the end of the verification.
func runSAS(ctx context.Context, a *args, v *session.Verification) error {
	emojis, err := v.WaitEmojis(ctx)
	if err != nil {
		return timeoutErr(ctx, err)
	}
	info := v.Info()
	fmt.Fprintf(a.stdout, "Verifying %s %s. Compare the emojis with the other device:\n", safe(info.UserID), safe(info.DeviceID))
	for _, e := range emojis {
		fmt.Fprintf(a.stdout, "%s %s\n", safe(e.Symbol), safe(e.Name))
	}
	if !a.bool("yes") {
		fmt.Fprint(a.stdout, "Match? [y/N] ")
		line, _ := bufio.NewReader(a.stdin).ReadString('\n')
		if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = v.Cancel(cctx, true)
			return errors.New("the emojis do not match: verification cancelled")
		}
	}
	if err := v.ConfirmSAS(ctx); err != nil {
		return err
	}
	if err := v.Wait(ctx); err != nil {
		return timeoutErr(ctx, err)
	}
	fmt.Fprintf(a.stdout, "Verified %s %s\n", safe(info.UserID), safe(v.Info().DeviceID))
	return nil
}

func timeoutErr(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timeout: %w", err)
	}
	return err
}
