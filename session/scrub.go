package session

import (
	"errors"
	"net/url"
	"strings"
)

// scrubbedError keeps the chain of an error (for errors.Is) but replaces its text. Request errors
// of net/http print the whole URL, and /sync URLs carry the sync token in the query: that must
// not reach logs or the screen.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// maxErrorText bounds error texts (an error page of a proxy can be long).
const maxErrorText = 400

func scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = strings.ReplaceAll(msg, ue.URL, withoutQuery(ue.URL))
	}
	msg = truncate(strings.Join(strings.Fields(msg), " "), maxErrorText)
	return &scrubbedError{msg: msg, err: err}
}

func withoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexByte(raw, '?'); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	u.RawQuery = ""
	u.User = nil
	return u.String()
}
