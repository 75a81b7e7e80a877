package session

import "image"

// Video in 1:1 calls: the other side's video is received whenever it sends one (an incoming
// video call is answered with a receive-only video section, our side sends no camera), and a
// placed call offers to receive video with CallMediaOptions.ReceiveVideo. Pictures are VP8 key
// frames decoded in pure Go, about two a second (callmedia.KeyFrameInterval).

// CallVideoFrame returns the newest picture of the other side's video in a call (nil before
// the first or without media) and the number of pictures decoded so far.
func (s *Session) CallVideoFrame(callID string) (image.Image, uint64) {
	s.calls.mu.Lock()
	p := s.calls.peers[callID]
	s.calls.mu.Unlock()
	if p == nil {
		return nil, 0
	}
	return p.VideoFrame()
}
