// Package audiodev is the one place that sets up miniaudio (malgo) devices for voice messages
// (session/voice), the alarm tone (internal/alarmsound) and calls (session/callmedia): a context
// on the given backends, a mono device on it that is started at once (and uninitialised again
// when starting fails), and the null backend that headless tests play into. It needs cgo; builds
// without cgo get only this comment and must not call it.
package audiodev
