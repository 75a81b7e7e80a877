package crypto

import (
	"encoding/base64"
	"errors"
	"fmt"
	"testing"

	mcrypto "maunium.net/go/mautrix/crypto"
	"maunium.net/go/mautrix/crypto/olm"
	"maunium.net/go/mautrix/event"
)

// Each typed mautrix decryption error gets its reason code, also when wrapped.
func TestClassifyDecryptionErrors(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("failed to decrypt megolm event: %w", err) }
	cases := []struct {
		err  error
		want Reason
	}{
		{wrap(mcrypto.ErrNoSessionFound), ReasonMissingKey},
		{wrap(mcrypto.ErrDuplicateMessageIndex), ReasonTampered},
		{wrap(mcrypto.ErrWrongRoom), ReasonTampered},
		{wrap(mcrypto.ErrDeviceKeyMismatch), ReasonTampered},
		{wrap(mcrypto.ErrCorruptedMegolmPayload), ReasonTampered},
		{wrap(mcrypto.ErrUnsupportedAlgorithm), ReasonUnknownAlgorithm},
		{wrap(fmt.Errorf("decrypt: %w", olm.ErrBadSignature)), ReasonTampered},
		{wrap(fmt.Errorf("decrypt: %w", olm.ErrBadMessageFormat)), ReasonTampered},
		{wrap(base64.CorruptInputError(136)), ReasonTampered},
		{wrap(&event.RoomKeyWithheldEventContent{Code: event.RoomKeyWithheldUnverified}), ReasonUnverifiedDevice},
		{wrap(&event.RoomKeyWithheldEventContent{Code: event.RoomKeyWithheldNoOlmSession}), ReasonUnknownDevice},
		{wrap(&event.RoomKeyWithheldEventContent{Code: event.RoomKeyWithheldBlacklisted}), ReasonWithheld},
		{errors.New("missing session"), ReasonOther}, // text is never read
	}
	for _, c := range cases {
		got, detail := classify(c.err)
		if got != c.want || detail == "" {
			t.Errorf("classify(%v) = %q %q, want %q", c.err, got, detail, c.want)
		}
	}
	d := Decrypted{Reason: ReasonMissingKey}
	if !d.MissingKey() || (Decrypted{Reason: ReasonTampered}).MissingKey() {
		t.Error("MissingKey must follow the reason code")
	}
}
