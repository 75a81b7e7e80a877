#!/usr/bin/env bash
# Mobile groundwork check (docs/MOBILE.md): every package of the module that does not import Fyne
# (directly or through its dependencies) must compile for android/arm64 and ios/arm64 with cgo off.
# Libraries are compiled for both (go build of several packages: nothing is linked or written).
# Commands (bosctl, demo, tools: desktop programs, not part of an app) are built for android/arm64
# only: the go command refuses any ios/arm64 main package without cgo ("requires external (cgo)
# linking"). Fyne packages cannot be checked here: Fyne's mobile driver needs cgo and the NDK or Xcode.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

gui=() libs=() cmds=()
while read -r name pkg deps; do
	if [[ " $deps " == *" fyne.io/fyne/v2 "* || " $deps " == *" fyne.io/fyne/v2/"* ]]; then
		gui+=("$pkg")
	elif [ "$name" = main ]; then
		cmds+=("$pkg")
	else
		libs+=("$pkg")
	fi
done < <(go list -tags goolm -f '{{.Name}} {{.ImportPath}} {{join .Deps " "}}' ./...)

echo "mobile-check: checked: ${libs[*]} ${cmds[*]}"
echo "mobile-check: not checked (Fyne): ${gui[*]}"
status=0
for target in android/arm64 ios/arm64; do
	start=$(date +%s)
	pkgs=("${libs[@]}")
	flags=()
	if [ "$target" = android/arm64 ]; then
		pkgs+=("${cmds[@]}")
		# pion's ICE lists interfaces on Android through github.com/wlynxg/anet, which links to
		# net internals: Go's linker refuses that unless told (as anet documents).
		flags=(-ldflags=-checklinkname=0)
	fi
	if env GOOS="${target%/*}" GOARCH="${target#*/}" CGO_ENABLED=0 go build -tags goolm "${flags[@]}" "${pkgs[@]}"; then
		echo "mobile-check: $target: ${#pkgs[@]} packages build ($(( $(date +%s) - start )) s)"
	else
		echo "mobile-check: $target: FAILED" >&2
		status=1
	fi
done
exit "$status"
