package callmedia

import (
	"fmt"

	"github.com/pion/sdp/v3"
)

// Media directions of SDP (RFC 8866 6.7).
const (
	dirSendrecv = "sendrecv"
	dirSendonly = "sendonly"
	dirRecvonly = "recvonly"
	dirInactive = "inactive"
)

// answerDirections makes the direction of each media section of an answer fit the offer (JSEP:
// the answer may send only what the offer receives, and receive only what it sends). pion keeps
// a sendrecv transceiver sendrecv when a renegotiation offers sendonly, as matrix-js-sdk does when
// it puts the other side on hold (setRemoteOnHold); Chromium refuses such an answer ("Incompatible
// receive direction") and the hold fails. pion itself has no way to narrow a direction (it
// takes only the answer it made), so the other side gets this answer and pion keeps its own.
// Sections without a match in the offer stay as they are.
func answerDirections(offerSDP, answerSDP string) (string, error) {
	var offer, answer sdp.SessionDescription
	if err := offer.UnmarshalString(offerSDP); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	if err := answer.UnmarshalString(answerSDP); err != nil {
		return "", fmt.Errorf("failed to parse our answer: %w", err)
	}
	offered := map[string]string{}
	for _, m := range offer.MediaDescriptions {
		if mid, ok := m.Attribute("mid"); ok {
			offered[mid] = direction(m, &offer)
		}
	}
	changed := false
	for _, m := range answer.MediaDescriptions {
		mid, _ := m.Attribute("mid")
		theirs, ok := offered[mid]
		if !ok {
			continue
		}
		ours := direction(m, &answer)
		fit := fitDirection(ours, theirs)
		if fit == ours {
			continue
		}
		changed = true
		kept := m.Attributes[:0]
		for _, a := range m.Attributes {
			if !isDirection(a.Key) {
				kept = append(kept, a)
			}
		}
		m.Attributes = append(kept, sdp.NewPropertyAttribute(fit))
	}
	if !changed {
		return answerSDP, nil
	}
	out, err := answer.Marshal()
	if err != nil {
		return "", fmt.Errorf("failed to write our answer: %w", err)
	}
	return string(out), nil
}

// direction is a media section's direction (its own attribute, else the session's, else sendrecv).
func direction(m *sdp.MediaDescription, s *sdp.SessionDescription) string {
	for _, a := range m.Attributes {
		if isDirection(a.Key) {
			return a.Key
		}
	}
	for _, a := range s.Attributes {
		if isDirection(a.Key) {
			return a.Key
		}
	}
	return dirSendrecv
}

func isDirection(key string) bool {
	switch key {
	case dirSendrecv, dirSendonly, dirRecvonly, dirInactive:
		return true
	}
	return false
}

// fitDirection narrows our direction to what the offer's direction allows.
func fitDirection(ours, offered string) string {
	send := (ours == dirSendrecv || ours == dirSendonly) && (offered == dirSendrecv || offered == dirRecvonly)
	recv := (ours == dirSendrecv || ours == dirRecvonly) && (offered == dirSendrecv || offered == dirSendonly)
	switch {
	case send && recv:
		return dirSendrecv
	case send:
		return dirSendonly
	case recv:
		return dirRecvonly
	}
	return dirInactive
}
