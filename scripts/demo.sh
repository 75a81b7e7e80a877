#!/usr/bin/env bash
# make demo: two federated Dendrite servers on a signed federation list (BOS mode) and a third,
# unvetted one, with demo accounts and an encrypted incident room, then the GUI signed in as the
# Leitstelle (see scripts/demo/main.go). Needs a display (DISPLAY).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
exec go run -tags goolm ./scripts/demo
