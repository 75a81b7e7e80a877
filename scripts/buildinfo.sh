#!/usr/bin/env bash
# Sourced by the packaging scripts: the release build's version, commit and build time.
# PKG_VERSION comes from FyneApp.toml, PKG_COMMIT from git ("-dirty" when tracked files differ from
# HEAD), SOURCE_DATE_EPOCH is the commit time, so two builds of one commit are the same bytes.
# Each may be preset in the environment (a build from an exported tree without .git does that).
: "${PKG_VERSION:=$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)}"
if [ -z "${PKG_COMMIT:-}" ]; then
	PKG_COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
	if [ "$PKG_COMMIT" != unknown ] && ! git diff --quiet HEAD -- 2>/dev/null; then
		PKG_COMMIT="$PKG_COMMIT-dirty"
	fi
fi
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
PKG_DATE=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
export PKG_VERSION PKG_COMMIT SOURCE_DATE_EPOCH PKG_DATE

vpkg=bosmessenger/internal/version
# -s -w: no symbol table or DWARF (Debian strips too); -buildid= keeps the link ID content-derived only.
PKG_LDFLAGS="-s -w -buildid= -X $vpkg.Version=$PKG_VERSION -X $vpkg.Commit=$PKG_COMMIT -X $vpkg.Date=$PKG_DATE"
# -trimpath: no build-machine paths in the binary; -buildvcs=false: the commit comes from -X only.
PKG_GOFLAGS=(-tags goolm -trimpath -buildvcs=false)
# Linux hardening as Debian builds C code: position-independent executable, full RELRO and
# immediate binding, fortified libc calls and stack protector in the cgo parts (SQLite, GLFW).
PKG_LINUX_GOFLAGS=(-buildmode=pie)
PKG_LINUX_LDFLAGS="-extldflags=-Wl,-z,relro,-z,now"
PKG_LINUX_CGO_CFLAGS="-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong"
