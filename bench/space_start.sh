#!/usr/bin/env bash
# Issue #5 speed: commit -> RUNNING for a static Space and a small Python app next to the app's own
# start, hub memory with RUNNING (default 50) Python Spaces, and IDLE (default 100) paused Spaces
# costing no process. Needs bubblewrap (the local runtime); talks to 127.0.0.1 only.
#
#   bench/space_start.sh                  # RUNS=5 RUNNING=50 IDLE=100
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_spacehub
require_cmd bwrap bubblewrap
SPACEHUB_BIN="$SPACEHUB_BIN" exec node "$BENCH_DIR/space_start.mjs"
