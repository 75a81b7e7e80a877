package jscall

import "context"

// SetRemoteOnHold puts the other side of the current call on hold (MatrixCall.setRemoteOnHold:
// every transceiver inactive) or takes it off again; matrix-js-sdk renegotiates each time with
// m.call.negotiate. The answer comes back asynchronously: watch SDP's remote description.
func (p *Peer) SetRemoteOnHold(ctx context.Context, on bool) error {
	return p.call(ctx, "hold", map[string]any{"on": on}, nil)
}
