#!/usr/bin/env bash
# Release builds and packages into dist/ (make package and its parts call this):
#   bin-linux | bin-windows | sbom | deb | tarball | msi | policy-zip | repro-check
# Binaries are built once per part with -trimpath and the version from scripts/buildinfo.sh; the Go
# build cache makes a repeated call a relink. Signing (Windows): BOS_SIGN_PFX (+ BOS_SIGN_PASSWORD)
# or BOS_SIGN_CERT + BOS_SIGN_KEY (PEM, + BOS_SIGN_PASSWORD if the key is encrypted); optional
# BOS_SIGN_TIMESTAMP_URL. Without them the .exe files and the MSI stay unsigned (said on stderr).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin:$PATH"
# shellcheck source=buildinfo.sh
. scripts/buildinfo.sh

DIST=${DIST:-dist}
APPID=de.bos-messenger.client
WINENV=(GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc)
# Debian's Maintainer field: set BOS_MAINTAINER for real releases (the default is a placeholder).
PKG_MAINTAINER=${BOS_MAINTAINER:-BOS Messenger maintainers <maintainers@bos-messenger.invalid>}

log() { echo "package: $*" >&2; }

bin_linux() {
	mkdir -p "$DIST/linux"
	for c in bosctl bosmessenger; do
		CGO_CFLAGS="$PKG_LINUX_CGO_CFLAGS" go build "${PKG_GOFLAGS[@]}" "${PKG_LINUX_GOFLAGS[@]}" \
			-ldflags "$PKG_LDFLAGS $PKG_LINUX_LDFLAGS" -o "$DIST/linux/$c" "./cmd/$c"
		# The C compiler's version notes (lintian: binary-has-unneeded-section).
		objcopy --remove-section .comment "$DIST/linux/$c"
	done
	log "linux binaries: $("$DIST/linux/bosctl" --version)"
}

# win_resources writes cmd/NAME/rsrc_windows_amd64.syso (icon, version info; git-ignored).
win_resources() {
	local tmp; tmp=$(mktemp -d)
	convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 "$DIST/windows/bosmessenger.ico"
	local IFS=. v; read -r -a v <<<"${PKG_VERSION%%[-+]*}"
	local vernum="${v[0]:-0},${v[1]:-0},${v[2]:-0},0"
	for c in bosctl bosmessenger; do
		local desc="BOS Messenger"; [ "$c" = bosctl ] && desc="BOS Messenger command-line client"
		sed -e "s|@ICO@|$PWD/$DIST/windows/bosmessenger.ico|" -e "s|@VERNUM@|$vernum|" -e "s|@VERSION@|$PKG_VERSION|" \
			-e "s|@COMMIT@|${PKG_COMMIT:0:12}|" -e "s|@NAME@|$c|" -e "s|@DESC@|$desc|" \
			packaging/windows/resource.rc.in >"$tmp/$c.rc"
		x86_64-w64-mingw32-windres -i "$tmp/$c.rc" -O coff -o "cmd/$c/rsrc_windows_amd64.syso"
	done
	rm -rf "$tmp"
}

# sign IN: Authenticode-signs IN in place when a certificate is configured.
sign() {
	local in=$1
	if [ -z "${BOS_SIGN_PFX:-}" ] && [ -z "${BOS_SIGN_CERT:-}" ]; then
		log "not signed (no BOS_SIGN_PFX or BOS_SIGN_CERT): $in"
		return 0
	fi
	local tmp; tmp=$(mktemp -d)
	local args=(sign -h sha256 -n "BOS Messenger")
	if [ -n "${BOS_SIGN_PFX:-}" ]; then args+=(-pkcs12 "$BOS_SIGN_PFX"); else args+=(-certs "$BOS_SIGN_CERT" -key "$BOS_SIGN_KEY"); fi
	if [ -n "${BOS_SIGN_PASSWORD:-}" ]; then
		(umask 077; printf '%s' "$BOS_SIGN_PASSWORD" >"$tmp/pass")
		args+=(-readpass "$tmp/pass")
	fi
	if [ -n "${BOS_SIGN_TIMESTAMP_URL:-}" ]; then args+=(-ts "$BOS_SIGN_TIMESTAMP_URL"); fi
	osslsigncode "${args[@]}" -in "$in" -out "$tmp/signed" >/dev/null
	mv "$tmp/signed" "$in"
	rm -rf "$tmp"
	log "signed: $in"
}

bin_windows() {
	mkdir -p "$DIST/windows"
	win_resources
	env "${WINENV[@]}" go build "${PKG_GOFLAGS[@]}" -ldflags "$PKG_LDFLAGS" -o "$DIST/windows/bosctl.exe" ./cmd/bosctl
	env "${WINENV[@]}" go build "${PKG_GOFLAGS[@]}" -ldflags "$PKG_LDFLAGS -H=windowsgui" -o "$DIST/windows/bosmessenger.exe" ./cmd/bosmessenger
	sign "$DIST/windows/bosctl.exe"
	sign "$DIST/windows/bosmessenger.exe"
}

gobin="$(go env GOPATH)/bin"

# sbom_one OS OUT: the product SBOM (both programs) for one target OS.
sbom_one() {
	local goos=$1 out=$2 tmp; tmp=$(mktemp -d)
	# cyclonedx-gomod takes the main module's version from git (go-git, which cannot open a git
	# worktree): run it on an export of the tree in a throwaway repository, and let sbommerge put the
	# release version in.
	mkdir "$tmp/src"
	git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$tmp/src"
	(cd "$tmp/src" && git init -q && git add -A &&
		GIT_AUTHOR_DATE="@$SOURCE_DATE_EPOCH" GIT_COMMITTER_DATE="@$SOURCE_DATE_EPOCH" \
			git -c user.name=build -c user.email=build@localhost commit -qm export)
	for c in bosctl bosmessenger; do
		(cd "$tmp/src" && env GOOS="$goos" GOARCH=amd64 CGO_ENABLED=1 GOFLAGS="-tags=goolm -buildvcs=false" \
			"$gobin/cyclonedx-gomod" app -json -licenses -noserial -notimestamp -main "cmd/$c" -output "$tmp/$c.json" . 2>/dev/null)
	done
	go run ./internal/tools/sbommerge -version "$PKG_VERSION" -commit "$PKG_COMMIT" -epoch "$SOURCE_DATE_EPOCH" \
		-o "$out" "$tmp/bosctl.json" "$tmp/bosmessenger.json"
	rm -rf "$tmp"
}

sbom() {
	mkdir -p "$DIST/linux" "$DIST/windows"
	sbom_one linux "$DIST/linux/sbom.cdx.json"
	sbom_one windows "$DIST/windows/sbom.cdx.json"
	cp "$DIST/linux/sbom.cdx.json" "$DIST/sbom.cdx.json"
	cp "$DIST/windows/sbom.cdx.json" "$DIST/sbom-windows.cdx.json"
	log "SBOMs: $DIST/sbom.cdx.json (Linux), $DIST/sbom-windows.cdx.json (Windows)"
}

need() { for f in "$@"; do [ -e "$f" ] || { echo "package: $f missing (run its make target first)" >&2; exit 1; }; done; }

# stage_linux DIR: the installed-file tree below DIR (prefix usr or usr/local), as the .deb and the
# tarball ship it.
stage_linux() {
	local root=$1
	need "$DIST/linux/bosctl" "$DIST/linux/bosmessenger" "$DIST/linux/sbom.cdx.json"
	install -Dm755 "$DIST/linux/bosctl" "$root/bin/bosctl"
	install -Dm755 "$DIST/linux/bosmessenger" "$root/bin/bosmessenger"
	install -Dm644 packaging/linux/$APPID.desktop "$root/share/applications/$APPID.desktop"
	install -Dm644 assets/icon.png "$root/share/icons/hicolor/256x256/apps/$APPID.png"
	mkdir -p "$root/share/metainfo" "$root/share/man/man1" "$root/share/doc/bosmessenger"
	sed -e "s/@VERSION@/$PKG_VERSION/" -e "s/@DATE@/${PKG_DATE%%T*}/" packaging/linux/$APPID.metainfo.xml \
		>"$root/share/metainfo/$APPID.metainfo.xml"
	for m in bosctl bosmessenger; do
		gzip -9n <"packaging/linux/$m.1" >"$root/share/man/man1/$m.1.gz"
	done
	install -m644 "$DIST/linux/sbom.cdx.json" "$root/share/doc/bosmessenger/sbom.cdx.json"
	chmod 0644 "$root"/share/man/man1/*.gz "$root/share/metainfo/$APPID.metainfo.xml"
}

# linux_depends: the Depends line for the shared libraries the binaries link (dpkg-shlibdeps).
linux_depends() {
	local tmp; tmp=$(mktemp -d)
	mkdir "$tmp/debian"
	printf 'Source: bosmessenger\n\nPackage: bosmessenger\nArchitecture: amd64\n' >"$tmp/debian/control"
	local bins=("$PWD/$DIST/linux/bosctl" "$PWD/$DIST/linux/bosmessenger")
	(cd "$tmp" && dpkg-shlibdeps -O "${bins[@]}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
	rm -rf "$tmp"
}

deb() {
	local tmp; tmp=$(mktemp -d)
	stage_linux "$tmp/usr"
	local depends; depends=$(linux_depends)
	[ -n "$depends" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
	# GLFW (Fyne's window layer) loads these X11 libraries with dlopen, invisible to dpkg-shlibdeps.
	depends="$depends, libx11-xcb1, libxcursor1, libxi6, libxinerama1, libxrandr2, libxrender1, libxxf86vm1"
	mkdir -p "$tmp/doc"
	cp packaging/linux/copyright "$tmp/doc/copyright"
	printf 'bosmessenger (%s) unstable; urgency=medium\n\n  * Release %s (commit %s).\n\n -- %s  %s\n' \
		"$PKG_VERSION" "$PKG_VERSION" "${PKG_COMMIT:0:12}" "$PKG_MAINTAINER" \
		"$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" '+%a, %d %b %Y %H:%M:%S +0000')" | gzip -9n >"$tmp/doc/changelog.gz"
	{
		echo "name: bosmessenger"
		echo "arch: amd64"
		echo "platform: linux"
		echo "version: $PKG_VERSION"
		echo "section: net"
		echo "priority: optional"
		echo "maintainer: $PKG_MAINTAINER"
		echo "description: |-"
		echo "  encrypted Matrix messenger for public safety organisations"
		echo "  BOS Messenger is a Matrix client for authorities and organisations with"
		echo "  security tasks (fire brigades, rescue services, police, disaster relief):"
		echo "  end-to-end encrypted rooms across organisations, each on its own homeserver."
		echo "  ."
		echo "  This package contains the desktop app (bosmessenger) and the command-line"
		echo "  client for scripts and dispatch systems (bosctl)."
		echo "depends:"
		tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/^/  - "/; s/$/"/'
		echo "mtime: $PKG_DATE"
		echo "contents:"
		(cd "$tmp" && find usr -type f | LC_ALL=C sort) | while read -r f; do
			local mode=0644; case $f in usr/bin/*) mode=0755 ;; esac
			printf '  - src: %s\n    dst: /%s\n    file_info: {mode: %s, owner: root, group: root}\n' "$tmp/$f" "$f" "$mode"
		done
		printf '  - src: %s\n    dst: /usr/share/doc/bosmessenger/copyright\n    file_info: {mode: 0644}\n' "$tmp/doc/copyright"
		printf '  - src: %s\n    dst: /usr/share/doc/bosmessenger/changelog.gz\n    file_info: {mode: 0644}\n' "$tmp/doc/changelog.gz"
	} >"$tmp/nfpm.yaml"
	local out="$DIST/bosmessenger_${PKG_VERSION}_amd64.deb"
	rm -f "$out"
	"$gobin/nfpm" package --config "$tmp/nfpm.yaml" --packager deb --target "$out" >/dev/null
	rm -rf "$tmp"
	log "deb: $out (Depends: $depends)"
}

# tarball: `fyne package --os linux` (fyne.io/tools, pinned in scripts/deps.sh) packages the
# release binary built by bin-linux (--executable: it skips its own build, so the -trimpath
# reproducible build stays what ships): the desktop file from FyneApp.toml's [LinuxAndBSD], the icon
# and its Makefile (install, uninstall, user-install, user-uninstall). The rest of the .deb's files
# (bosctl, hicolor icon, AppStream metadata, man pages, SBOM) go beside them, with
# packaging/linux/tarball-extra.mk appended to the Makefile to install them. fyne runs on a copy of
# FyneApp.toml (it increments Build after each package) and its archive is repacked with sorted
# names, the commit time and root ownership, so the tarball is reproducible too.
tarball() {
	local tmp; tmp=$(mktemp -d)
	local name="BOSMessenger-$PKG_VERSION-linux-amd64"
	need "$DIST/linux/bosctl" "$DIST/linux/bosmessenger" "$DIST/linux/sbom.cdx.json"
	[ -x "$gobin/fyne" ] || { echo "package: $gobin/fyne missing (make deps)" >&2; exit 1; }
	mkdir -p "$tmp/src/assets" "$tmp/out"
	cp FyneApp.toml "$tmp/src/"
	cp assets/icon.png "$tmp/src/assets/"
	cp cmd/bosmessenger/main.go "$tmp/src/" # fyne wants Go code in --src; it builds nothing here
	local exe; exe=$(realpath "$DIST/linux/bosmessenger")
	# fyne's own archive is only unpacked again: XZ_OPT=-0 keeps its xz run short.
	if ! (cd "$tmp/out" && XZ_OPT=-0 "$gobin/fyne" package --target linux --src "$tmp/src" --executable "$exe") >"$tmp/fyne.log" 2>&1; then
		sed 's/^/fyne: /' "$tmp/fyne.log" >&2
		echo "package: fyne package failed" >&2
		exit 1
	fi
	local fyne_tar="$tmp/out/BOS Messenger.tar.xz"
	[ -f "$fyne_tar" ] || { echo "package: fyne package made no $fyne_tar" >&2; exit 1; }
	mkdir "$tmp/x"
	tar -xJf "$fyne_tar" -C "$tmp/x"
	mv "$tmp/x/bosmessenger" "$tmp/x/$name"
	local dir="$tmp/x/$name" local=usr/local
	[ -d "$dir/usr/local" ] || local=usr # fyne uses usr/ when the build machine has no /usr/local
	cmp -s "$DIST/linux/bosmessenger" "$dir/$local/bin/bosmessenger" || { echo "package: fyne changed the binary" >&2; exit 1; }
	stage_linux "$tmp/stage"
	for f in bin/bosctl share/icons/hicolor/256x256/apps/$APPID.png share/metainfo/$APPID.metainfo.xml \
		share/man/man1/bosctl.1.gz share/man/man1/bosmessenger.1.gz share/doc/bosmessenger/sbom.cdx.json; do
		install -D -m "$(stat -c %a "$tmp/stage/$f")" "$tmp/stage/$f" "$dir/$local/$f"
	done
	sed "s|@LOCAL@|$local|g" packaging/linux/tarball-extra.mk >>"$dir/Makefile"
	chmod -R u+rwX,go+rX,go-w "$dir"
	local out="$DIST/$name.tar.xz"
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
		-C "$tmp/x" -cJf "$out" "$name"
	rm -rf "$tmp"
	log "tarball: $out (fyne package)"
}

msi() {
	need "$DIST/windows/bosctl.exe" "$DIST/windows/bosmessenger.exe" "$DIST/windows/bosmessenger.ico" "$DIST/windows/sbom.cdx.json"
	local v=${MSI_VERSION:-${PKG_VERSION%%[-+]*}}
	local out="$DIST/BOSMessenger-$v-x64.msi"
	rm -f "$out"
	wixl -a x64 -D Version="$v" -D SourceDir="$DIST/windows" -o "$out" packaging/windows/bosmessenger.wxs
	sign "$out"
	log "msi: $out"
}

# policy_zip: the ADMX/ADML templates (deploy/windows/policy) in the central-store layout.
policy_zip() {
	local src=deploy/windows/policy
	shopt -s nullglob
	local admx=("$src"/*.admx) adml=("$src"/*/*.adml)
	shopt -u nullglob
	if [ "${#admx[@]}" -eq 0 ]; then
		log "no ADMX templates in $src: policy zip skipped"
		return 0
	fi
	local tmp; tmp=$(mktemp -d)
	mkdir -p "$tmp/PolicyDefinitions"
	for f in "${admx[@]}"; do cp "$f" "$tmp/PolicyDefinitions/"; done
	for f in "${adml[@]}"; do
		mkdir -p "$tmp/PolicyDefinitions/$(basename "$(dirname "$f")")"
		cp "$f" "$tmp/PolicyDefinitions/$(basename "$(dirname "$f")")/"
	done
	local out="$PWD/$DIST/BOSMessenger-$PKG_VERSION-admx.zip"
	rm -f "$out"
	find "$tmp" -exec touch -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$tmp" && find PolicyDefinitions -type f | LC_ALL=C sort | zip -qX "$out" -@)
	rm -rf "$tmp"
	log "policy templates: $out"
}

# repro_check: builds bosctl twice, from two exports of HEAD at different paths and times, and
# compares the hashes (the shared build cache keeps it cheap: both are links of cached objects).
repro_check() {
	# Two builds of HEAD (Linux and Windows binaries) from two source trees; the second with an
	# empty build cache, so that it compiles every package (cgo included) again instead of reusing
	# the first build's objects.
	local tmp; tmp=$(mktemp -d)
	for i in 1 2; do
		mkdir -p "$tmp/src$i/tree-$i"
		git archive HEAD | tar -x -C "$tmp/src$i/tree-$i"
		local cache; cache=$(go env GOCACHE)
		[ "$i" = 2 ] && cache="$tmp/gocache"
		for c in bosctl bosmessenger; do
			(cd "$tmp/src$i/tree-$i" && env GOCACHE="$cache" PKG_VERSION="$PKG_VERSION" PKG_COMMIT="$PKG_COMMIT" SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" \
				bash -c '. scripts/buildinfo.sh && CGO_CFLAGS="$PKG_LINUX_CGO_CFLAGS" go build "${PKG_GOFLAGS[@]}" "${PKG_LINUX_GOFLAGS[@]}" -ldflags "$PKG_LDFLAGS $PKG_LINUX_LDFLAGS" -o "'"$tmp"'/'"$c"'-'"$i"'" ./cmd/'"$c")
		done
		# The Windows binaries as bin-windows builds them (icon resources included), unsigned.
		(cd "$tmp/src$i/tree-$i" && env -u BOS_SIGN_PFX -u BOS_SIGN_CERT GOCACHE="$cache" DIST=dist \
			PKG_VERSION="$PKG_VERSION" PKG_COMMIT="$PKG_COMMIT" SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" \
			bash scripts/package.sh bin-windows >/dev/null)
		for c in bosctl bosmessenger; do
			cp "$tmp/src$i/tree-$i/dist/windows/$c.exe" "$tmp/$c.exe-$i"
		done
	done
	local c a b
	for c in bosctl bosmessenger bosctl.exe bosmessenger.exe; do
		a=$(sha256sum <"$tmp/$c-1" | cut -d' ' -f1); b=$(sha256sum <"$tmp/$c-2" | cut -d' ' -f1)
		if [ "$a" != "$b" ]; then
			rm -rf "$tmp"
			echo "repro-check: two builds of $c differ: $a $b" >&2
			exit 1
		fi
		log "repro-check: two builds of $c are identical (sha256 $a; the second from an empty build cache)"
	done
	chmod -R u+w "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
}

case "${1:-}" in
bin-linux) bin_linux ;;
bin-windows) bin_windows ;;
sbom) sbom ;;
deb) deb ;;
tarball) tarball ;;
msi) msi ;;
policy-zip) policy_zip ;;
repro-check) repro_check ;;
*) echo "usage: $0 bin-linux|bin-windows|sbom|deb|tarball|msi|policy-zip|repro-check" >&2; exit 2 ;;
esac
