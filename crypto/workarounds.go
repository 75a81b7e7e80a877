package crypto

// MautrixReviewed is the mautrix-go version the workarounds of this package were checked
// against. Each workaround for an upstream defect or limitation is listed, with where its code is
// and what upstream does wrong, in docs/MAUTRIX.md; each has a canary test
// (workarounds_canary_test.go, TestMautrixCanary*) that drives upstream mautrix directly and
// fails when that behaviour changes. TestMautrixCanaryVersion fails on any upgrade until the
// table was reviewed again and this constant raised.
const MautrixReviewed = "v0.32.0"
