package jscall

import (
	"context"
	"fmt"
)

// PlaceVideoCall starts a video call in roomID (matrix-js-sdk's placeVideoCall: Chromium's fake
// camera and microphone) and returns its call ID once the invite is sent.
func (p *Peer) PlaceVideoCall(ctx context.Context, roomID string) (string, error) {
	var callID string
	err := p.call(ctx, "placeVideoCall", map[string]any{"room_id": roomID}, &callID)
	return callID, err
}

// StartVideo adds the fake camera to the current call's peer connection, so that
// matrix-js-sdk renegotiates with m.call.negotiate (its own upgradeCall, Element's camera
// button, needs MSC3077 stream metadata from the other side, which ours does not send; and it
// answers with video only a call whose caller sends video).
func (p *Peer) StartVideo(ctx context.Context) error {
	var on bool
	if err := p.call(ctx, "startVideo", nil, &on); err != nil {
		return err
	}
	if !on {
		return fmt.Errorf("failed to start the browser's camera: no video track")
	}
	return nil
}
