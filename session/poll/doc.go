// Package poll reads and writes polls as Element sends them (MSC3381, unstable names
// org.matrix.msc3381.poll.start/response/end with org.matrix.msc1767.text fallbacks) and folds
// the responses of a poll into its results. It is pure: no I/O, no store, no clock.
package poll
