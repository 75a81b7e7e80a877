package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"bosmessenger/internal/jscall"
	"bosmessenger/internal/netns"
	"bosmessenger/internal/testserver"
	"bosmessenger/session"
)

// videoJSON is the video part of bosctl call --json.
type videoJSON struct {
	VideoFramesIn *uint64 `json:"video_frames_in"`
	VideoSize     *string `json:"video_size"`
}

// Video calls between bosctl call and matrix-js-sdk in headless Chromium (fake camera and
// microphone), on one Dendrite inside a network namespace with only lo: the browser places a
// video call that ours answers, and ours places a call offering to receive video that the
// browser answers and then turns its camera on (m.call.negotiate; matrix-js-sdk does not answer
// with video a call whose caller sends none). Ours must decode pictures of the browser's video
// (--expect-video, video_frames_in, video_size) and still hear its tone; the browser must
// hear ours.
func TestCallBrowserVideo(t *testing.T) {
	jscall.Install(t)
	testserver.BinDir(t)
	if !netns.Enter(t) {
		return
	}
	t.Setenv(session.CallLoopbackEnv, "1")
	srv := testserver.Start(t, testserver.Options{})
	ours := loggedIn(t, srv, "disp")
	srv.Register(t, "web", testPassword)
	web := jscall.Start(t, jscall.Options{Homeserver: srv.URL, User: "web", Password: testPassword, ToneHz: webHz, NoCrypto: true})
	roomID := ours.createRoom("--name", "video call", "--plain", "--invite", web.UserID)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := web.WaitInvite(ctx, roomID); err != nil {
		t.Fatal(err)
	}
	if err := web.Join(ctx, roomID, ""); err != nil {
		t.Fatal(err)
	}
	if err := web.WaitRoom(ctx, roomID, false, ours.id, web.UserID); err != nil {
		t.Fatal(err)
	}
	waitMember(t, ours, roomID, web.UserID)

	t.Run("browser-video-calls-ours", func(t *testing.T) { browserVideoCallsOurs(t, ours.in(t), web, roomID) })
	t.Run("ours-calls-browser-video", func(t *testing.T) { oursCallsBrowserVideo(t, ours.in(t), web, roomID) })
}

func browserVideoCallsOurs(t *testing.T, ours *user, web *jscall.Peer, roomID string) {
	logPushes(t, web)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bg := ours.start("call", "--answer", "--tone", itoa(oursHz), "--expect-tone", itoa(webHz), "--expect-video", "--timeout", "90s", "--json")
	callID, err := web.PlaceVideoCall(ctx, roomID)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.WaitState(ctx, callID, jscall.StateConnected); err != nil {
		t.Fatalf("browser: %v", err)
	}
	s, err := web.WaitStats(ctx, "our tone and sent video", func(s jscall.Stats) bool {
		return toneHeard(oursHz)(s) && s.VideoFramesSent > 0
	})
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	// Give ours time to decode key frames and detect the tone before the browser hangs up.
	time.Sleep(5 * time.Second)
	if err := web.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	r := bg.wait(time.Minute)
	got := okCall(t, r)
	checkOurs(t, got)
	v := checkVideoJSON(t, r)
	t.Logf("browser video call to ours: ours decoded %d pictures of %s; browser sent %d video frames, heard %.1f Hz",
		*v.VideoFramesIn, *v.VideoSize, s.VideoFramesSent, s.DominantHz)
}

// oursCallsBrowserVideo: the browser upgrades the answered call to video, as Element's camera
// button does.
func oursCallsBrowserVideo(t *testing.T, ours *user, web *jscall.Peer, roomID string) {
	logPushes(t, web)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		callID, err := web.WaitIncomingAndAnswer(ctx)
		if err == nil {
			err = web.WaitState(ctx, callID, jscall.StateConnected)
		}
		if err == nil {
			err = web.StartVideo(ctx)
		}
		if err == nil {
			_, err = web.WaitStats(ctx, "our tone and sent video", func(s jscall.Stats) bool {
				return toneHeard(oursHz)(s) && s.VideoFramesSent > 0
			})
		}
		done <- err
	}()
	r := ours.start("call", roomID, "--tone", itoa(oursHz), "--expect-tone", itoa(webHz), "--expect-video", "--duration", "12s", "--json").wait(2 * time.Minute)
	if err := <-done; err != nil {
		t.Fatalf("browser: %v", err)
	}
	got := okCall(t, r)
	checkOurs(t, got)
	v := checkVideoJSON(t, r)
	t.Logf("ours calls browser, answered with video: ours decoded %d pictures of %s in 12 s", *v.VideoFramesIn, *v.VideoSize)
}

// checkVideoJSON requires pictures and their size in bosctl call --json.
func checkVideoJSON(t *testing.T, r result) videoJSON {
	t.Helper()
	var v videoJSON
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v.VideoFramesIn == nil || v.VideoSize == nil {
		t.Fatalf("call --json output %q: %v (video_frames_in and video_size wanted)", r.stdout, err)
	}
	if *v.VideoFramesIn == 0 || *v.VideoSize == "" {
		t.Fatalf("no video decoded: %s", r.stdout)
	}
	return v
}
