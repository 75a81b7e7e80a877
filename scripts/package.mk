# Packaging, release builds and package smoke tests (included by the Makefile; docs/INSTALL.md).
# Everything lands in dist/; scripts/package.sh does the work, each part is its own target.

.PHONY: package package-linux package-windows dist-linux dist-windows sbom deb tarball msi policy-zip \
	package-ci smoke-package repro-check

package: package-linux package-windows

package-linux: deb tarball

package-windows: msi policy-zip

dist-linux:
	bash scripts/package.sh bin-linux

# Cross-build (cold: about 7 minutes on 2 cores); signed when BOS_SIGN_* is set.
dist-windows:
	bash scripts/package.sh bin-windows

sbom:
	bash scripts/package.sh sbom

deb: dist-linux sbom
	bash scripts/package.sh deb

tarball: dist-linux sbom
	bash scripts/package.sh tarball

msi: dist-windows sbom
	bash scripts/package.sh msi

policy-zip:
	bash scripts/package.sh policy-zip

# CI: make package signed with a throwaway certificate, then osslsigncode verify.
package-ci:
	bash scripts/ci-sign.sh

# Installs what make package built (.deb with dpkg, tarball, MSI under wine) and runs it.
smoke-package:
	bash scripts/smoke-package.sh

# Two builds of bosctl from one commit must be the same bytes.
repro-check:
	bash scripts/package.sh repro-check
