package session

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"maunium.net/go/mautrix"
)

// softLogout reports whether err is the server's M_UNKNOWN_TOKEN with soft_logout true: the
// token expired but the device still exists, so the user signs in again and keeps the data.
func softLogout(err error) bool {
	var httpErr mautrix.HTTPError
	if !errors.As(err, &httpErr) || httpErr.RespError == nil || httpErr.RespError.ErrCode != mautrix.MUnknownToken.ErrCode {
		return false
	}
	soft, _ := httpErr.RespError.ExtraData["soft_logout"].(bool)
	return soft
}

// errSoftLogout marks a terminated session whose server answered with soft_logout: never wiped.
var errSoftLogout = errors.New("soft logout, sign in again (local data kept)")

// terminated handles a sync failure that ended the session on the server (classified matches
// ErrSessionTerminated, see classify). Without soft logout and with
// Config.RemoteWipe, the device is gone for good: the session closes, the account's local data
// is deleted and the result is ErrRemoteWiped. Any other error comes back unchanged.
func (s *Session) terminated(classified error) error {
	if !errors.Is(classified, ErrSessionTerminated) || errors.Is(classified, errSoftLogout) || !s.cfg.RemoteWipe {
		return classified
	}
	s.log.Warn().Str("device_id", s.account.DeviceID.String()).Msg("Signed out remotely: deleting the local data")
	opts := s.cfg.keyOptions()
	var err error
	wiped := false
	s.closeOne.Do(func() {
		wiped = true
		s.bus.closeWith(&Change{Kind: ChangeRemoteWiped})
		thumbCaches.Delete(s)
		err = errors.Join(s.closeCrypto(), s.db.Close(), wipeDataDir(s.dir, opts))
		_ = s.lock.Unlock()
		_ = os.Remove(filepath.Join(s.dir, lockFileName))
	})
	if !wiped {
		return classified // closed meanwhile: nothing is deleted behind the back of a new session
	}
	if err != nil {
		return fmt.Errorf("%w: signed out remotely, but deleting the local data failed: %v", ErrSessionTerminated, err)
	}
	return fmt.Errorf("%w: %s", ErrRemoteWiped, strings.TrimPrefix(classified.Error(), ErrSessionTerminated.Error()+": "))
}
