// Package pkgsmoke holds the smoke test of installed packages (scripts/smoke-package.sh): it runs
// an installed bosctl (from the .deb, or from the MSI under wine) against a real Dendrite started by
// internal/testserver. The test is behind the build tag pkgsmoke, so `go test ./...` does not build
// it; the smoke script runs it with BOS_SMOKE_BOSCTL set to the installed program.
package pkgsmoke
