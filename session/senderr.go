package session

import (
	"errors"
)

// The send queue stores a failed message's error as text (for the local echo). So that WaitSent
// can still return a typed error (ErrForbidden, ErrPolicyDenied, ErrCannotEncrypt...), the error of
// each message's last failed attempt in this process is kept beside it, keyed by transaction ID.

// rememberSendError records the outcome of an attempt to send txnID (nil: sent).
func (s *Session) rememberSendError(txnID string, err error) {
	if err == nil {
		s.sendErrs.Delete(txnID)
		return
	}
	s.sendErrs.Store(txnID, err)
}

// sendFailure is the error of a message that failed for good: the typed error of its last attempt
// in this process, else (it failed in an earlier run) the stored text.
func (s *Session) sendFailure(txnID, stored string) error {
	if v, ok := s.sendErrs.Load(txnID); ok {
		if err, ok := v.(error); ok && err != nil {
			return err
		}
	}
	return errors.New("failed to send message: " + stored)
}
