package main

import (
	"fmt"

	"bosmessenger/session/callmedia"
)

// bosctl call --expect-video: the call must show the other side's video (a placed call offers
// to receive video); --json reports video_frames_in and video_size.

func init() { boolFlags["expect-video"] = true }

// videoSize is the size of the newest received picture ("640x480"), "" before the first.
func videoSize(st callmedia.Stats) string {
	if st.VideoWidth == 0 || st.VideoHeight == 0 {
		return ""
	}
	return fmt.Sprintf("%dx%d", st.VideoWidth, st.VideoHeight)
}

// checkVideo fails when --expect-video was asked and no picture was decoded.
func checkVideo(expect bool, res callResult) error {
	if expect && res.VideoFramesIn == 0 {
		return fmt.Errorf("expected video, decoded no video frame")
	}
	return nil
}
