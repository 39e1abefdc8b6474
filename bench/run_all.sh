#!/usr/bin/env bash
# Runs every benchmark (issues #2, #3, #5-#7, #16) in turn and prints their summaries. Each script starts and stops
# its own hub (and nginx) on 127.0.0.1 and removes its temp files. Knobs are passed through the
# environment (SIZE_MIB, RUNS, DURATION, FILES, ...; see each script's header).
#
#   bench/run_all.sh                      # all nine, about 20 minutes on 2 cores
#   (space_start, proxy_vs_nginx and job_first_log run Spaces: they need root and bubblewrap)
#   bench/run_all.sh repo_info_wrk commit_10k
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

BENCHES=(download_vs_nginx upload_vs_sha256 repo_info_wrk commit_10k clone_vs_http_backend
  client_vs_curl space_start proxy_vs_nginx job_first_log)
(($# > 0)) && BENCHES=("$@")

failed=()
for b in "${BENCHES[@]}"; do
  [[ -x ./$b.sh ]] || { echo "no such bench: $b" >&2; exit 2; }
  echo "=== $b"
  if ! ./"$b".sh; then
    failed+=("$b")
    echo "=== $b FAILED" >&2
  fi
  echo
done
((${#failed[@]} == 0)) || { echo "failed: ${failed[*]}" >&2; exit 1; }
