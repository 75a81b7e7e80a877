package callmedia

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A renegotiation offer that only sends (the other side puts us on hold, as matrix-js-sdk's
// setRemoteOnHold does) gets a recvonly answer, not pion's sendrecv, which Chromium refuses;
// taking the hold off gets sendrecv again and the audio flows.
func TestAnswerToHoldOffer(t *testing.T) {
	pr := connectPair(t, Config{Source: NewTone(440)}, Config{Source: NewTone(880)})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	offer, err := pr.a.Renegotiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hold := strings.ReplaceAll(offer, "a=sendrecv", "a=sendonly")
	answer, err := pr.b.HandleOffer(ctx, hold)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "a=recvonly") || strings.Contains(answer, "a=sendrecv") {
		t.Fatalf("answer to a sendonly offer:\n%s\nwant recvonly", answer)
	}
	if err := pr.a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	offer, err = pr.a.Renegotiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if answer, err = pr.b.HandleOffer(ctx, offer); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "a=sendrecv") {
		t.Fatalf("answer to a sendrecv offer:\n%s\nwant sendrecv", answer)
	}
	if err := pr.a.SetAnswer(answer); err != nil {
		t.Fatal(err)
	}
	waitTone(t, pr.detB, 440)
	waitTone(t, pr.detA, 880)
}

func TestFitDirection(t *testing.T) {
	for _, c := range []struct{ ours, offered, want string }{
		{dirSendrecv, dirSendrecv, dirSendrecv},
		{dirSendrecv, dirSendonly, dirRecvonly},
		{dirSendrecv, dirRecvonly, dirSendonly},
		{dirSendrecv, dirInactive, dirInactive},
		{dirRecvonly, dirRecvonly, dirInactive},
		{dirRecvonly, dirSendrecv, dirRecvonly},
		{dirSendonly, dirSendonly, dirInactive},
	} {
		if got := fitDirection(c.ours, c.offered); got != c.want {
			t.Errorf("ours %s, offered %s: %s, want %s", c.ours, c.offered, got, c.want)
		}
	}
}
