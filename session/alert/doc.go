// Package alert holds the BOS alerting event formats (docs/PROTOCOL.md): alerts
// ("de.bos.alert" in an m.text message), responses ("de.bos.alert.response", Rückmeldung), the
// receipt event "de.bos.alert.ack" and unit status ("de.bos.status", FMS). It has pure types,
// content builders and parsers, the response board and the ack jitter; the session engine
// sends, stores and acknowledges them. It does no I/O.
package alert
