#!/usr/bin/env bash
# Issue #2, goal 3: repo info of a small public repo (anonymous GET /api/models/{ns}/{name}) under
# `wrk -t2 -c64`. Goal: >= 30,000 requests/s on two cores; report p99.
# Reference point: the same wrk against nginx serving a static file holding the very same JSON body.
#
#   bench/repo_info_wrk.sh                # DURATION=10s THREADS=2 CONNS=64 by default
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}

# small_repo REPO: commits a handful of regular files (README, config, two code files).
small_repo() {
  local repo=$1 body="$BENCH_TMP/small.ndjson" f
  {
    printf '{"key":"header","value":{"summary":"bench: small repo","description":""}}\n'
    for f in README.md config.json model.py tokenizer.json .gitattributes; do
      printf '{"key":"file","value":{"path":"%s","encoding":"base64","content":"%s"}}\n' \
        "$f" "$(printf 'content of %s\n' "$f" | base64 -w0)"
    done
  } >"$body"
  hub_commit_ndjson "$repo" "$body" >/dev/null
}

main() {
  require_cmd curl
  require_cmd jq
  require_cmd wrk
  bench_init
  hub_start
  local repo
  repo=$(hub_create_repo bench)
  small_repo "$repo"

  local url="$HF_ENDPOINT/api/models/$repo" www="$BENCH_TMP/www"
  mkdir -p "$www/api/models/$HUB_USER"
  curl -sS --fail -o "$www/api/models/$repo.json" "$url"
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  [[ $code == 200 ]] || die "anonymous repo info answered $code"
  log "repo info body: $(stat -c %s "$www/api/models/$repo.json") bytes"
  nginx_start "$www"

  local hub nginx hub_a nginx_a
  log "wrk against spacehub: $url"
  hub=$(run_wrk hub "$url" -t"$THREADS" -c"$CONNS" -d"$DURATION")
  log "wrk against nginx (static copy of the body)"
  nginx=$(run_wrk nginx "http://127.0.0.1:$NGINX_PORT/api/models/$repo.json" -t"$THREADS" -c"$CONNS" -d"$DURATION")

  echo
  print_conditions
  echo "repo info, wrk -t$THREADS -c$CONNS -d$DURATION (wrk, server and nginx share the same cores)"
  printf '  %-34s %10s %10s %8s\n' "" "req/s" "p99 ms" "errors"
  read -ra hub_a <<<"$hub"
  read -ra nginx_a <<<"$nginx"
  printf '  %-34s %10s %10s %8s\n' "spacehub GET /api/models/$repo" "${hub_a[@]}"
  printf '  %-34s %10s %10s %8s\n' "nginx static file (same body)" "${nginx_a[@]}"
  printf '  %-34s %10s   (goal: hub >= 30000 req/s)\n' "ratio hub/nginx req/s" \
    "$(ratio "${hub_a[0]}" "${nginx_a[0]}")"
}

main "$@"
