#!/usr/bin/env bash
# Installs what building and testing BOS Messenger needs on Debian 12: cgo and Fyne headers, Xvfb
# tools for GUI smoke tests, gnome-keyring's Secret Service for the OS keyring test, the mingw
# cross-compiler for the Windows build, the packaging tools (wixl, osslsigncode, lintian, wine, nfpm,
# cyclonedx-gomod, the fyne CLI), staticcheck and the test homeserver (Dendrite). Idempotent and quick when
# everything is there already.
# Run as root, or as a user with sudo.
set -euo pipefail

export PATH="/usr/local/go/bin:${GOPATH:-$HOME/go}/bin:$PATH"
cd "$(dirname "$0")/.."

staticcheck_version=v0.8.2
nfpm_version=v2.48.0           # .deb packager (make deb)
cyclonedx_gomod_version=v1.10.0 # SBOM (make sbom)
fyne_tools_version=v1.7.4     # fyne package: the Linux tarball (make tarball)

apt_pkgs=(
	# cgo and Fyne (GL, X11)
	gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
	libxi-dev libxxf86vm-dev
	# headless GUI smoke tests
	xvfb x11-utils xdotool imagemagick
	# Windows cross-build
	gcc-mingw-w64-x86-64
	# xmllint: the ADMX/ADML and mobile policy schemas are checked with it
	libxml2-utils
	# pdftotext: the incident export's PDF is read back in tests (session/exportdoc)
	poppler-utils
	# exiftool: the media metadata test checks that no GPS/EXIF/XMP tag is left (session/media/strip)
	libimage-exiftool-perl
	# dbus-daemon: the alarm notification test runs a private session bus (cmd/bosmessenger)
	dbus-daemon
	# wine: the Windows registry policy test (internal/winetest)
	wine wine64
	# the real OS keyring test (internal/secretservice): a private session bus with gnome-keyring's
	# Secret Service, checked from outside with secret-tool
	dbus-daemon gnome-keyring libsecret-tools
	# packaging (make package): MSI, Authenticode, .deb checks, zip; smoke tests of the MSI under wine
	wixl osslsigncode lintian dpkg-dev zip xz-utils openssl
	# opusenc/opusdec (libopus): the Opus quality test of call media against gopus (session/callmedia)
	opus-tools
	# call interop tests (internal/jscall, internal/netns): matrix-js-sdk's MatrixCall in headless
	# Chromium, run inside a network namespace with only lo (unshare from util-linux, ip)
	chromium iproute2 util-linux
)
# Node only where there is none: never replace an installed one.
if ! command -v node >/dev/null 2>&1; then
	apt_pkgs+=(nodejs npm)
fi

missing=()
for p in "${apt_pkgs[@]}"; do
	if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != installed ]; then
		missing+=("$p")
	fi
done
if [ "${#missing[@]}" -gt 0 ]; then
	sudo=()
	if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
	echo "deps: apt-get install ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "deps: apt packages present"
fi

if ! command -v go >/dev/null 2>&1; then
	echo "deps: go not found (expected at /usr/local/go/bin)" >&2
	exit 1
fi

gobin="$(go env GOPATH)/bin"
if [ -x "$gobin/staticcheck" ] && "$gobin/staticcheck" -version 2>/dev/null | grep -q "${staticcheck_version#v}"; then
	echo "deps: staticcheck ${staticcheck_version} present"
else
	echo "deps: go install honnef.co/go/tools/cmd/staticcheck@${staticcheck_version}"
	GOFLAGS= go install "honnef.co/go/tools/cmd/staticcheck@${staticcheck_version}"
fi

# go_tool NAME MODULE VERSION: go install MODULE@VERSION unless GOBIN/NAME was built from VERSION.
go_tool() {
	if [ -x "$gobin/$1" ] && go version -m "$gobin/$1" 2>/dev/null | grep -qE "^\s+mod\s+\S+\s+$3\s"; then
		echo "deps: $1 $3 present"
	else
		echo "deps: go install $2@$3"
		GOFLAGS= go install "$2@$3"
	fi
}
go_tool nfpm github.com/goreleaser/nfpm/v2/cmd/nfpm "$nfpm_version"
go_tool cyclonedx-gomod github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod "$cyclonedx_gomod_version"
go_tool fyne fyne.io/tools/cmd/fyne "$fyne_tools_version"

bash scripts/install-dendrite.sh

# The LiveKit SFU of the group call tests (internal/livekittest), into the test cache where the
# tests look for it; later versions carry replace directives and do not go install.
livekit_version=v1.13.5
livekit_dir="${BOS_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bosmessenger-test}/livekit-server-$livekit_version"
if [ -x "$livekit_dir/server" ]; then
	echo "deps: livekit-server $livekit_version present"
else
	echo "deps: go install github.com/livekit/livekit-server/cmd/server@$livekit_version"
	GOFLAGS= GOBIN="$livekit_dir" go install "github.com/livekit/livekit-server/cmd/server@$livekit_version"
fi

# The foreign E2EE client for interop tests: matrix-js-sdk from npm, pinned by
# internal/jspeer/js/package-lock.json, installed into the test cache (fast when present).
echo "deps: matrix-js-sdk peer (npm ci into the test cache)"
go test -tags goolm -count=1 -run '^TestInstall$' ./internal/jspeer
# The browser call peer: puppeteer-core, esbuild and matrix-js-sdk pinned by
# internal/jscall/js/package-lock.json, and the page bundle, into the test cache.
echo "deps: browser call peer (npm ci and esbuild into the test cache)"
go test -tags goolm -count=1 -run '^TestInstall$' ./internal/jscall
echo "deps: done"
