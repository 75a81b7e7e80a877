package crypto

import (
	"encoding/base64"
	"errors"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/olm"
	"maunium.net/go/mautrix/event"
)

// Reason is a stable code for why an event could not be decrypted. It is classified from
// mautrix's typed errors where the error happens and stored with the event, so nothing
// downstream has to read the English detail text.
type Reason string

// Decryption failure reasons. The values are stored in the database and shown by `history --json`;
// never change one.
const (
	ReasonNone             Reason = ""                    // decrypted
	ReasonMissingKey       Reason = "missing_session"     // the room key has not arrived (yet)
	ReasonWithheld         Reason = "withheld"            // the sender refused to share the key
	ReasonUnverifiedDevice Reason = "unverified_device"   // withheld because this device is not verified (m.unverified)
	ReasonUnknownDevice    Reason = "unknown_device"      // withheld: the sender has no channel to this device (m.no_olm)
	ReasonTampered         Reason = "tampered"            // replayed, corrupted, bad signature, wrong room or mismatching device keys
	ReasonUnknownAlgorithm Reason = "unknown_algorithm"   // an encryption algorithm other than megolm v1
	ReasonDeviceLocked     Reason = "device_not_verified" // not decrypted: policy requires this device to be verified first
	ReasonOther            Reason = "other"               // malformed events and anything else
)

// classify turns a decryption error into its reason code and a short detail for the user.
func classify(err error) (Reason, string) {
	switch {
	case errors.Is(err, mcrypto.ErrNoSessionFound):
		return ReasonMissingKey, "the key for this message has not arrived (missing session)"
	case errors.Is(err, mcrypto.ErrDuplicateMessageIndex):
		return ReasonTampered, "replayed message (message index used before)"
	case errors.Is(err, mcrypto.ErrWrongRoom):
		return ReasonTampered, "message encrypted for another room"
	case errors.Is(err, mcrypto.ErrDeviceKeyMismatch):
		return ReasonTampered, "sender device keys do not match"
	case errors.Is(err, mcrypto.ErrCorruptedMegolmPayload):
		return ReasonTampered, "corrupted encrypted message"
	case errors.Is(err, olm.ErrBadSignature), errors.Is(err, olm.ErrBadMAC), errors.Is(err, olm.ErrBadVerification):
		return ReasonTampered, "encrypted message fails its signature check"
	case errors.Is(err, olm.ErrBadMessageFormat), errors.Is(err, olm.ErrInputToSmall), errors.Is(err, olm.ErrWrongProtocolVersion),
		errors.Is(err, olm.ErrLibolmInvalidBase64), errors.As(err, new(base64.CorruptInputError)):
		return ReasonTampered, "corrupted encrypted message"
	case errors.Is(err, mcrypto.ErrUnsupportedAlgorithm):
		return ReasonUnknownAlgorithm, "unsupported encryption algorithm"
	}
	var withheld *event.RoomKeyWithheldEventContent
	if errors.As(err, &withheld) {
		detail := "the sender withheld the key: " + string(withheld.Code)
		switch withheld.Code {
		case event.RoomKeyWithheldUnverified:
			return ReasonUnverifiedDevice, detail
		case event.RoomKeyWithheldNoOlmSession:
			return ReasonUnknownDevice, detail
		}
		return ReasonWithheld, detail
	}
	return ReasonOther, "could not decrypt: " + err.Error()
}
