#!/usr/bin/env bash
# Issue #2, goal 4: one commit of 10,000 small files through the NDJSON commit API
# (POST /api/models/{ns}/{name}/commit/main, base64 `file` lines). Goal: under 2 s.
# Measured: curl's time_total for the POST (upload of the body + server work + answer), one new
# repo per run so every run writes all 10,000 blobs and trees.
#
#   bench/commit_10k.sh                   # FILES=10000 FILE_BYTES=200 RUNS=3 by default
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FILES=${FILES:-10000}
FILE_BYTES=${FILE_BYTES:-200}
RUNS=${RUNS:-3}

# build_ndjson OUT TAG: FILES small text files spread over 100 directories; TAG makes contents
# differ between runs (no blob is shared with an earlier run).
build_ndjson() {
  python3 - "$1" "$2" "$FILES" "$FILE_BYTES" <<'PY'
import base64, json, sys
out, tag, files, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(out, "w") as f:
    f.write(json.dumps({"key": "header", "value": {"summary": f"bench: {files} files", "description": ""}}) + "\n")
    for i in range(files):
        path = f"data/d{i % 100:02d}/file_{i:05d}.txt"
        text = (f"{tag} file {i}\n" * (size // 8 + 1)).encode()[:size]
        f.write(json.dumps({"key": "file", "value": {"path": path, "encoding": "base64",
                                                     "content": base64.b64encode(text).decode()}}) + "\n")
PY
}

# check_count REPO: the tree must list all files.
check_count() {
  local n
  n=$(curl -sS --fail "$HF_ENDPOINT/api/models/$1" | jq '.siblings | length')
  log "repo $1 lists $n siblings"
  ((n >= FILES)) || die "expected $FILES files in $1, the repo lists $n"
}

main() {
  require_cmd curl
  require_cmd jq
  require_cmd python3
  bench_init
  hub_start

  local i body t times=() repo
  for ((i = 1; i <= RUNS; i++)); do
    body="$BENCH_TMP/commit-$i.ndjson"
    build_ndjson "$body" "run$i"
    repo=$(hub_create_repo "bench-commit-$i")
    t=$(hub_commit_ndjson "$repo" "$body")
    log "run $i: $FILES files, $(stat -c %s "$body") bytes body, ${t}s"
    times+=("$t")
    check_count "$repo"
  done

  local m size
  m=$(median "${times[@]}")
  size=$(stat -c %s "$BENCH_TMP/commit-1.ndjson")
  echo
  print_conditions
  echo "one commit of $FILES files of $FILE_BYTES bytes (NDJSON body $size bytes), median of $RUNS runs"
  printf '  %-30s %8.3f s   (goal < 2 s)\n' "curl time_total" "$m"
  printf '  %-30s %8.0f files/s\n' "throughput" "$(awk -v n="$FILES" -v t="$m" 'BEGIN {print n / t}')"
  printf '  %-30s %8s\n' "all runs (s)" "${times[*]}"
}

main "$@"
