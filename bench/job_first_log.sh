#!/usr/bin/env bash
# Issue #16 speed: run_job (POST /api/jobs/{ns}) -> the command's first log line through the logs
# SSE, next to the same `echo hello` started by hand with the hub's bwrap options; medians, p90 and
# the difference (goal: < 100 ms). Needs bubblewrap; builds nothing; talks to 127.0.0.1 only;
# starts its own hub in a temp dir and removes it; under 3 minutes.
#
#   bench/job_first_log.sh               # RUNS=15
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_spacehub
require_cmd bwrap bubblewrap
SPACEHUB_BIN="$SPACEHUB_BIN" exec timeout 180 node "$BENCH_DIR/job_first_log.mjs"
