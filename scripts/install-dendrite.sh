#!/usr/bin/env bash
# Installs the test homeserver (Dendrite v0.13.8, Apache-2.0) into a reusable cache dir.
# Idempotent: does nothing when the four binaries are there already.
set -euo pipefail
version=v0.13.8
cache="${BOS_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bosmessenger-test}"
bin="$cache/dendrite-$version/bin"
tools=(dendrite generate-config generate-keys create-account)
missing=0
for t in "${tools[@]}"; do [ -x "$bin/$t" ] || missing=1; done
if [ "$missing" = 0 ]; then echo "dendrite $version: $bin"; exit 0; fi
mkdir -p "$bin"
pkgs=()
for t in "${tools[@]}"; do pkgs+=("github.com/matrix-org/dendrite/cmd/$t@$version"); done
echo "installing dendrite $version into $bin (cold: about 5 minutes)"
GOBIN="$bin" GOFLAGS= go install "${pkgs[@]}"
echo "dendrite $version: $bin"
