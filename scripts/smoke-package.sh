#!/usr/bin/env bash
# Smoke tests of what users install (after make package): the .deb with dpkg, the tarball with its
# Makefile, the MSI under wine and Xvfb. Each installed bosctl runs --version and a real session
# (login, create-room, send, history) against Dendrite on loopback (internal/pkgsmoke); the
# installed bosmessenger (.deb, MSI) must show a window that is not blank under Xvfb; the files
# must be gone after uninstalling. Parts: SMOKE_PARTS="deb tarball msi" (default all). Needs root
# for dpkg (CI runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."
USER=${USER:-$(id -un)}
export PATH="/usr/local/go/bin:$(go env GOPATH)/bin:$PATH"
# shellcheck source=buildinfo.sh
. scripts/buildinfo.sh
parts=${SMOKE_PARTS:-deb tarball msi}
tmp=$(mktemp -d)
cleanup() {
	[ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
	[ -n "${WINEPREFIX:-}" ] && wineserver -k 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
sudo=()
if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi

step() { echo "-- smoke: $* ($(date -u +%H:%M:%S))"; }
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

# session BIN [RUNNER]: the Go smoke test against Dendrite with an installed bosctl.
session() {
	local status=0
	BOS_SMOKE_BOSCTL=$1 BOS_SMOKE_RUNNER=${2:-} BOS_SMOKE_VERSION=$PKG_VERSION \
		go test -tags goolm,pkgsmoke -count=1 -v -run '^TestInstalledBosctl$' ./internal/pkgsmoke >"$tmp/session.log" 2>&1 || status=$?
	if [ "$status" != 0 ]; then
		cat "$tmp/session.log"
		fail "session with $1"
	fi
	grep -E '^(=== RUN|--- |PASS|ok|\s+installed_test)' "$tmp/session.log" || true
}

# gui_linux BIN NAME: starts the installed desktop app BIN under Xvfb with a fresh data dir, waits
# for its window and checks that a screenshot of the window (dist/smoke/NAME-bosmessenger.png) is
# not blank.
gui_linux() {
	local bin=$1 name=$2 disp="" wid=""
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/xvfb-display" >/dev/null 2>&1 &
	xvfb_pid=$!
	for _ in $(seq 1 100); do
		disp=$(cat "$tmp/xvfb-display" 2>/dev/null) || true
		[ -z "$disp" ] || break
		sleep 0.1
	done
	[ -n "$disp" ] || fail "Xvfb did not start"
	mkdir -p "$tmp/gui-$name" dist/smoke
	DISPLAY=:$disp BOSMESSENGER_PASSPHRASE="smoke test store passphrase" "$bin" --data "$tmp/gui-$name" >"$tmp/gui-$name.log" 2>&1 &
	local gui_pid=$!
	for _ in $(seq 1 120); do
		sleep 1
		wid=$(DISPLAY=:$disp xdotool search --onlyvisible --name "BOS Messenger" 2>/dev/null | head -n 1) || true
		[ -z "$wid" ] || break
		kill -0 "$gui_pid" 2>/dev/null || { cat "$tmp/gui-$name.log"; fail "$bin exited before showing a window"; }
	done
	[ -n "$wid" ] || fail "$bin: no window within 120 s"
	sleep 3 # the first frames
	local png="dist/smoke/$name-bosmessenger.png"
	DISPLAY=:$disp import -window "$wid" "$png"
	local sd; sd=$(convert "$png" -colorspace gray -format '%[fx:standard_deviation]' info:)
	echo "smoke: screenshot of the window: $png (gray standard deviation $sd, blank is 0)"
	awk -v s="$sd" 'BEGIN { exit !(s > 0.03) }' || fail "screenshot of $bin is blank"
	kill "$gui_pid" 2>/dev/null || true
	wait "$gui_pid" 2>/dev/null || true
	kill "$xvfb_pid" 2>/dev/null || true
	wait "$xvfb_pid" 2>/dev/null || true
	xvfb_pid=""
}

smoke_deb() {
	local deb="dist/bosmessenger_${PKG_VERSION}_amd64.deb"
	[ -f "$deb" ] || fail "$deb missing (make deb)"
	step "lintian $deb"
	lintian --tag-display-limit 0 --info --pedantic --suppress-tags-from-file packaging/linux/lintian-explained "$deb" 2>/dev/null | grep -v "^N:" | tee "$tmp/lintian.txt" || true
	if grep -E '^[EW]:' "$tmp/lintian.txt"; then fail "lintian errors or warnings (explain in packaging/linux/lintian-explained and docs/INSTALL.md, or fix)"; fi
	step "dpkg -i"
	if dpkg-query -W bosmessenger >/dev/null 2>&1; then "${sudo[@]}" dpkg -r bosmessenger >/dev/null; fi
	"${sudo[@]}" dpkg -i "$deb" >/dev/null
	dpkg -L bosmessenger | while read -r f; do [ -f "$f" ] && echo "$f"; done >"$tmp/deb-files"
	grep -qx /usr/bin/bosctl "$tmp/deb-files" || fail "/usr/bin/bosctl not installed"
	step "installed --version"
	/usr/bin/bosctl --version | tee "$tmp/v"
	grep -q "^bosctl $PKG_VERSION (commit $PKG_COMMIT, built $PKG_DATE, linux/amd64)$" "$tmp/v" || fail "bosctl --version"
	/usr/bin/bosmessenger --version | tee "$tmp/v"
	grep -q "^bosmessenger $PKG_VERSION (commit $PKG_COMMIT" "$tmp/v" || fail "bosmessenger --version"
	step "installed bosctl against Dendrite"
	session /usr/bin/bosctl
	step "installed bosmessenger under Xvfb"
	gui_linux /usr/bin/bosmessenger deb
	step "dpkg -r"
	"${sudo[@]}" dpkg -r bosmessenger >/dev/null
	while read -r f; do [ ! -e "$f" ] || fail "$f left after dpkg -r"; done <"$tmp/deb-files"
	echo "smoke: deb ok ($(wc -l <"$tmp/deb-files") files installed and removed)"
}

# The files the tarball's Makefile installs below a prefix: fyne package's (binary, desktop file,
# pixmap) and the ones packaging/linux/tarball-extra.mk adds.
tarball_files=(bin/bosmessenger bin/bosctl share/applications/de.bos-messenger.client.desktop
	share/pixmaps/de.bos-messenger.client.png share/icons/hicolor/256x256/apps/de.bos-messenger.client.png
	share/metainfo/de.bos-messenger.client.metainfo.xml share/man/man1/bosctl.1.gz
	share/man/man1/bosmessenger.1.gz share/doc/bosmessenger/sbom.cdx.json)

smoke_tarball() {
	local name="BOSMessenger-$PKG_VERSION-linux-amd64"
	[ -f "dist/$name.tar.xz" ] || fail "dist/$name.tar.xz missing (make tarball)"
	tar -xJf "dist/$name.tar.xz" -C "$tmp"
	cmp -s "$tmp/$name/usr/local/bin/bosmessenger" dist/linux/bosmessenger || fail "tarball: bosmessenger is not the release build"
	step "tarball: make install"
	make -s -C "$tmp/$name" install DESTDIR="$tmp/root" PREFIX=/usr/local >/dev/null
	local p="$tmp/root/usr/local" f
	for f in "${tarball_files[@]}"; do [ -f "$p/$f" ] || fail "tarball: $f not installed"; done
	"$p/bin/bosctl" --version | grep -q "^bosctl $PKG_VERSION " || fail "tarball bosctl --version"
	"$p/bin/bosmessenger" --version | grep -q "^bosmessenger $PKG_VERSION " || fail "tarball bosmessenger --version"
	local desktop="$p/share/applications/de.bos-messenger.client.desktop"
	grep -qx "Exec=bosmessenger" "$desktop" && grep -qx "Icon=de.bos-messenger.client" "$desktop" &&
		grep -qx "Categories=Network;InstantMessaging;Chat;" "$desktop" || fail "tarball desktop file: $(cat "$desktop")"
	if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop" || fail "desktop-file-validate"; fi
	make -s -C "$tmp/$name" uninstall DESTDIR="$tmp/root" PREFIX=/usr/local >/dev/null 2>&1
	left=$(find "$tmp/root" -type f)
	[ -z "$left" ] || fail "tarball uninstall left: $left"
	step "tarball: make user-install"
	mkdir -p "$tmp/home"
	make -s -C "$tmp/$name" user-install HOME="$tmp/home" >/dev/null
	for f in bin/bosctl bin/bosmessenger share/applications/de.bos-messenger.client.desktop share/doc/bosmessenger/sbom.cdx.json; do
		[ -f "$tmp/home/.local/$f" ] || fail "tarball user-install: $f not installed"
	done
	grep -qx "Exec=$tmp/home/.local/bin/bosmessenger" "$tmp/home/.local/share/applications/de.bos-messenger.client.desktop" ||
		fail "tarball user-install: desktop file does not run ~/.local/bin/bosmessenger"
	make -s -C "$tmp/$name" user-uninstall HOME="$tmp/home" >/dev/null 2>&1
	left=$(find "$tmp/home" -type f)
	[ -z "$left" ] || fail "tarball user-uninstall left: $left"
	echo "smoke: tarball ok (${#tarball_files[@]} files installed and removed, also per user)"
}

# winpath PATH: the wine (Z:) path of a Unix path.
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# wine_uninstall_entries: the DisplayName/DisplayVersion pairs of BOS Messenger in the prefix's registry.
wine_uninstall_entries() {
	wineserver -w
	awk '/^\[Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Uninstall\\\\/ {k=1; name=""; next}
		/^\[/ {k=0} k && /^"DisplayName"="BOS Messenger"/ {name=1}
		k && name && /^"DisplayVersion"=/ {print $0; name=0}' "$WINEPREFIX/system.reg"
}

smoke_msi() {
	local v=${PKG_VERSION%%[-+]*}
	local msi="$PWD/dist/BOSMessenger-$v-x64.msi"
	[ -f "$msi" ] || fail "$msi missing (make msi)"
	export WINEPREFIX="$tmp/wine" WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="winemenubuilder.exe,mscoree,mshtml=d"
	step "wineboot"
	# A fresh prefix's first wineboot has failed once (exit 53) right after another wine test: retry once.
	if ! wineboot --init >"$tmp/wineboot.log" 2>&1; then
		echo "smoke: wineboot failed ($(tail -n 1 "$tmp/wineboot.log")), retrying"
		sleep 3
		wineboot --init >"$tmp/wineboot.log" 2>&1 || { cat "$tmp/wineboot.log"; fail "wineboot"; }
	fi
	wineserver -w
	# Go >= 1.24 needs ProcessPrng from bcryptprimitives.dll, which wine 8.0 lacks: a test-only stub.
	x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
		packaging/windows/wine-stub/bcryptprimitives.c -ladvapi32
	local inst="$WINEPREFIX/drive_c/Program Files/BOS Messenger"
	# The per-machine Start menu on Windows; wine 8's msi puts per-machine shortcuts into the user's.
	local lnks=("$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/BOS Messenger.lnk"
		"$WINEPREFIX/drive_c/users/$USER/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/BOS Messenger.lnk")

	step "older MSI first (upgrade test)"
	MSI_VERSION=0.0.1 bash scripts/package.sh msi >/dev/null 2>&1
	mv "dist/BOSMessenger-0.0.1-x64.msi" "$tmp/old.msi"
	wine msiexec /i "$(winpath "$tmp/old.msi")" /qn
	[ "$(wine_uninstall_entries)" = '"DisplayVersion"="0.0.1"' ] || fail "old MSI: uninstall entry: $(wine_uninstall_entries)"

	step "msiexec /i $msi /qn"
	wine msiexec /i "$(winpath "$msi")" /qn
	[ "$(wine_uninstall_entries)" = "\"DisplayVersion\"=\"$v\"" ] || fail "after upgrade: uninstall entries: $(wine_uninstall_entries)"
	for f in bosctl.exe bosmessenger.exe sbom.cdx.json; do [ -f "$inst/$f" ] || fail "$inst/$f not installed"; done
	for f in bosctl.exe bosmessenger.exe; do # version resource (UTF-16 strings)
		strings -el "$inst/$f" | grep -qx "$PKG_VERSION (${PKG_COMMIT:0:12})" || fail "$f: no version resource"
	done
	step "older MSI over the newer one must be refused"
	if wine msiexec /i "$(winpath "$tmp/old.msi")" /qn; then fail "downgrade was not refused"; fi
	[ "$(wine_uninstall_entries)" = "\"DisplayVersion\"=\"$v\"" ] || fail "after the refused downgrade: $(wine_uninstall_entries)"
	[ -f "${lnks[0]}" ] || [ -f "${lnks[1]}" ] || fail "no Start-menu shortcut (${lnks[*]})"
	local cert=${BOS_SIGN_CERT:-}
	if [ -z "$cert" ] && [ -f dist/ci-cert/cert.pem ]; then cert=dist/ci-cert/cert.pem; fi
	if [ -n "$cert" ]; then
		for f in bosctl.exe bosmessenger.exe; do
			osslsigncode verify -CAfile "$cert" -in "$inst/$f" | grep -q "Signature verification: ok" || fail "installed $f: signature"
		done
		echo "smoke: installed .exe signatures ok"
	fi

	step "installed bosctl.exe --version"
	wine "C:\\Program Files\\BOS Messenger\\bosctl.exe" --version | tr -d '\r' | tee "$tmp/v"
	grep -q "^bosctl $PKG_VERSION (commit $PKG_COMMIT, built $PKG_DATE, windows/amd64)$" "$tmp/v" || fail "bosctl.exe --version"

	step "installed bosctl.exe against Dendrite"
	session "C:\\Program Files\\BOS Messenger\\bosctl.exe" wine

	step "installed bosmessenger.exe under Xvfb"
	local disp=:$((90 + RANDOM % 100))
	Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
	xvfb_pid=$!
	sleep 1
	mkdir -p "$tmp/gui-data"
	DISPLAY=$disp BOSMESSENGER_PASSPHRASE="smoke test store passphrase" \
		wine "C:\\Program Files\\BOS Messenger\\bosmessenger.exe" --data "$(winpath "$tmp/gui-data")" >/dev/null 2>&1 &
	local gui_pid=$!
	local wid=""
	for _ in $(seq 1 60); do
		sleep 1
		wid=$(DISPLAY=$disp xdotool search --onlyvisible --name "BOS Messenger" 2>/dev/null | head -n 1) || true
		[ -z "$wid" ] || break
	done
	[ -n "$wid" ] || fail "bosmessenger.exe: no window within 60 s"
	sleep 3
	mkdir -p dist/smoke
	# The window alone (a blank window on the black root would pass a whole-screen check).
	DISPLAY=$disp import -window "$wid" dist/smoke/wine-bosmessenger.png
	local sd; sd=$(convert dist/smoke/wine-bosmessenger.png -colorspace gray -format '%[fx:standard_deviation]' info:)
	echo "smoke: screenshot of the window: dist/smoke/wine-bosmessenger.png (gray standard deviation $sd, blank is 0)"
	awk -v s="$sd" 'BEGIN { exit !(s > 0.03) }' || fail "screenshot is blank"
	wine "C:\\windows\\system32\\taskkill.exe" /f /im bosmessenger.exe >/dev/null 2>&1 || true
	wait "$gui_pid" 2>/dev/null || true
	kill "$xvfb_pid" 2>/dev/null || true
	xvfb_pid=""

	step "msiexec /x $msi /qn"
	wine msiexec /x "$(winpath "$msi")" /qn
	[ -z "$(wine_uninstall_entries)" ] || fail "uninstall entry left: $(wine_uninstall_entries)"
	[ ! -e "$inst" ] || fail "$inst left after uninstall: $(ls "$inst")"
	[ ! -e "${lnks[0]}" ] && [ ! -e "${lnks[1]}" ] || fail "shortcut left after uninstall"
	echo "smoke: msi ok"
}

for p in $parts; do
	start=$(date +%s)
	"smoke_$p"
	echo "== smoke $p: $(( $(date +%s) - start )) s"
done
