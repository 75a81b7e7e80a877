// Package incident holds the templates of incident rooms ("Neuer Einsatz"): the JSON format an
// admin writes (a local file or the policy key incident_templates, docs/ADMIN.md), its parser and
// validation, and the plan of one incident made from a template, a keyword, an address and the
// time: room name, topic, encryption, power levels, invitees and the alert sent as the room's
// first message. It does no I/O; the session creates the room (session/incident.go).
package incident
