package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"
)

// ErrWrongPassword is returned when the server refuses the account password given to confirm an
// action (user-interactive authentication).
var ErrWrongPassword = errors.New("wrong password")

// ErrCurrentDevice is returned when an action meant for other devices is asked for this one.
var ErrCurrentDevice = errors.New("this is the current device")

// RenameDevice sets the display name of one of our devices.
func (s *Session) RenameDevice(ctx context.Context, deviceID id.DeviceID, name string) error {
	if err := s.cli.SetDeviceInfo(ctx, deviceID, &mautrix.ReqDeviceInfo{DisplayName: name}); err != nil {
		return s.classify("rename device "+deviceID.String(), err)
	}
	return nil
}

// DeleteDevice signs one of our other devices out and deletes it on the server, confirmed with
// the account password (user-interactive authentication, m.login.password). A wrong password
// gives an error matching ErrWrongPassword. The current device cannot be deleted this way (use
// Logout, which also wipes the local data).
func (s *Session) DeleteDevice(ctx context.Context, deviceID id.DeviceID, password string) error {
	if deviceID == s.account.DeviceID {
		return fmt.Errorf("%w: %s cannot be deleted from here; sign out (Logout) instead", ErrCurrentDevice, deviceID)
	}
	url := s.cli.BuildClientURL("v3", "devices", deviceID)
	del := func(body any) ([]byte, error) {
		return s.cli.MakeFullRequest(ctx, mautrix.FullRequest{Method: http.MethodDelete, URL: url, RequestJSON: body, MaxAttempts: 1})
	}
	answer, err := del(map[string]any{})
	if err == nil {
		return nil // the server asked for no authentication
	}
	uia, ok := userInteractive(answer, err)
	if !ok {
		return s.classify("delete device "+deviceID.String(), err)
	}
	answer, err = del(map[string]any{"auth": map[string]any{
		"type":       mautrix.AuthTypePassword,
		"session":    uia.Session,
		"identifier": mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: s.account.UserID.String()},
		"user":       s.account.UserID.String(),
		"password":   password,
	}})
	if err == nil {
		s.log.Info().Str("device_id", deviceID.String()).Msg("Deleted device")
		return nil
	}
	if _, again := userInteractive(answer, err); again || errors.Is(err, mautrix.MForbidden) {
		return fmt.Errorf("failed to delete device %s: %w", deviceID, ErrWrongPassword)
	}
	return s.classify("delete device "+deviceID.String(), err)
}

// userInteractive returns the user-interactive authentication challenge of a 401 answer (body).
func userInteractive(body []byte, err error) (*mautrix.RespUserInteractive, bool) {
	var httpErr mautrix.HTTPError
	if !errors.As(err, &httpErr) || httpErr.Response == nil || httpErr.Response.StatusCode != http.StatusUnauthorized {
		return nil, false
	}
	var uia mautrix.RespUserInteractive
	if json.Unmarshal(body, &uia) != nil || (uia.Session == "" && len(uia.Flows) == 0) {
		return nil, false
	}
	return &uia, true
}
