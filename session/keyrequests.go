package session

import (
	"context"
	"sync"

	"maunium.net/go/mautrix/id"
)

// missingKey is a megolm session some stored events are waiting for.
type missingKey struct {
	roomID    id.RoomID
	senderKey id.SenderKey
}

// keyRequests remembers the sessions this device asked its other devices for.
type keyRequests struct {
	mu      sync.Mutex
	pending map[id.SessionID]missingKey
}

// requestMissingKeys asks our other devices for the sessions of events that could not be
// decrypted for lack of a key, once per session (again after this device is verified).
func (s *Session) requestMissingKeys(ctx context.Context, dec decryptions) {
	s.keyReqs.mu.Lock()
	if s.keyReqs.pending == nil {
		s.keyReqs.pending = map[id.SessionID]missingKey{}
	}
	var ask []id.SessionID
	for _, d := range dec {
		if !d.MissingKey() || d.SessionID == "" {
			continue
		}
		if _, asked := s.keyReqs.pending[d.SessionID]; !asked {
			s.keyReqs.pending[d.SessionID] = missingKey{roomID: d.RoomID, senderKey: d.SenderKey}
			ask = append(ask, d.SessionID)
		}
	}
	s.keyReqs.mu.Unlock()
	s.sendKeyRequests(ctx, ask)
}

// rerequestKeys asks again for every session still missing (after this device was verified,
// our other devices are willing to answer).
func (s *Session) rerequestKeys(ctx context.Context) {
	s.keyReqs.mu.Lock()
	ask := make([]id.SessionID, 0, len(s.keyReqs.pending))
	for sessionID := range s.keyReqs.pending {
		ask = append(ask, sessionID)
	}
	s.keyReqs.mu.Unlock()
	s.sendKeyRequests(ctx, ask)
}

func (s *Session) sendKeyRequests(ctx context.Context, sessions []id.SessionID) {
	for _, sessionID := range sessions {
		s.keyReqs.mu.Lock()
		k := s.keyReqs.pending[sessionID]
		s.keyReqs.mu.Unlock()
		if err := s.e2ee.RequestRoomKey(ctx, k.roomID, k.senderKey, sessionID); err != nil {
			s.log.Warn().Err(err).Str("session_id", sessionID.String()).Msg("Key request failed")
		}
	}
}

// arrivedKeys returns (and forgets) the requested sessions that are known now, e.g. because one
// of our devices forwarded them.
func (s *Session) arrivedKeys(ctx context.Context) map[id.SessionID]id.RoomID {
	s.keyReqs.mu.Lock()
	defer s.keyReqs.mu.Unlock()
	out := map[id.SessionID]id.RoomID{}
	for sessionID, k := range s.keyReqs.pending {
		if s.e2ee.HasSession(ctx, k.roomID, sessionID) {
			out[sessionID] = k.roomID
			delete(s.keyReqs.pending, sessionID)
		}
	}
	return out
}
