#!/usr/bin/env bash
# stage.sh NAME COMMAND...: runs COMMAND and prints the stage's start, end and duration (make test
# stages, so .ci/run's output shows where the time goes).
set -euo pipefail
name=$1
shift
start=$(date +%s)
echo "== stage $name: start $(date -u +%H:%M:%S)"
status=0
"$@" || status=$?
echo "== stage $name: $( [ "$status" = 0 ] && echo ok || echo "FAILED ($status)" ) after $(( $(date +%s) - start )) s"
exit "$status"
