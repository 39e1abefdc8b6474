#!/usr/bin/env bash
# Issue #6, proxy goals:
#  1. Proxied requests/s to a trivial app: the hub (`serve --space-runtime local`, the app in its
#     Space, reached by Host) vs nginx `proxy_pass` to the very same app code running on host
#     loopback, two ways: tuned (upstream keep-alive, HTTP/1.1, access log off: the hard baseline)
#     and as `proxy_pass` is by default (HTTP/1.0 to the app, a new app connection per request).
#     Goal: hub >= 1.2x nginx, p99 no worse. `wrk -t2 -c64` each, runs alternating.
#  2. 1,000 concurrent connections across 10 Spaces for LOAD_DURATION: no errors, and the hub's
#     open descriptors back where they were once idle app connections aged out.
#
#   bench/proxy_vs_nginx.sh          # DURATION=10s RUNS=3 CONNS=64 LOAD_DURATION=30s LOAD_CONNS=1000
# Needs root (the local runtime enters the Spaces' network namespaces), bwrap, wrk, nginx.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
LOAD_DURATION=${LOAD_DURATION:-30s}
LOAD_CONNS=${LOAD_CONNS:-1000}
LOAD_SPACES=${LOAD_SPACES:-10}
APP_IDLE=3  # --space-proxy-app-idle-seconds: idle app connections close after this
# Extra `serve` flags, e.g. HUB_EXTRA_ARGS=--io-context-per-thread.
HUB_EXTRA_ARGS=${HUB_EXTRA_ARGS:-}

# space_create NAME: a gradio-sdk Space whose app.py is proxy_bench_app.py.
space_create() {
  local name=$1 app body="$BENCH_TMP/space.$1.ndjson"
  hub_api POST /api/repos/create "{\"name\":\"$name\",\"type\":\"space\",\"sdk\":\"gradio\"}" >/dev/null
  app=$(base64 -w0 <"$BENCH_DIR/proxy_bench_app.py")
  {
    printf '{"key":"header","value":{"summary":"bench app","description":""}}\n'
    printf '{"key":"file","value":{"path":"README.md","encoding":"base64","content":"%s"}}\n' \
      "$(printf -- '---\nsdk: gradio\n---\n' | base64 -w0)"
    printf '{"key":"file","value":{"path":"app.py","encoding":"base64","content":"%s"}}\n' "$app"
  } >"$body"
  curl -sS --fail-with-body -o /dev/null -X POST -H "Authorization: Bearer $HF_TOKEN" \
    -H 'Content-Type: application/x-ndjson' --data-binary "@$body" \
    "$HF_ENDPOINT/api/spaces/$HUB_USER/$name/commit/main"
}

space_wait_running() {
  local name=$1 i stage
  for ((i = 0; i < 600; i++)); do
    stage=$(hub_api GET "/api/spaces/$HUB_USER/$name/runtime" | jq -r .stage)
    [[ $stage == RUNNING ]] && return 0
    [[ $stage == *ERROR ]] && die "$name: $stage"
    sleep 0.1
  done
  die "$name did not reach RUNNING (stage $stage)"
}

hub_fds() { ls "/proc/$HUB_PID/fd" | wc -l; }

main() {
  [[ $(id -u) -eq 0 ]] || die "needs root: the local runtime enters the Spaces' network namespaces"
  command -v bwrap >/dev/null || die "needs bubblewrap (bwrap)"
  require_cmd curl
  require_cmd jq
  require_cmd wrk
  bench_init
  ulimit -n "$(ulimit -Hn)"  # 1,000 visitors + 1,000 app sockets + headroom

  # shellcheck disable=SC2086
  hub_start --space-runtime local --space-proxy-app-idle-seconds "$APP_IDLE" $HUB_EXTRA_ARGS
  local i names=()
  for ((i = 0; i < LOAD_SPACES; i++)); do names+=("bench-app-$i"); done
  for n in "${names[@]}"; do space_create "$n"; done
  for n in "${names[@]}"; do space_wait_running "$n"; done
  log "${#names[@]} Spaces RUNNING"

  local app_port
  app_port=$(free_port)
  # The interpreter of the Spaces' venvs (builder.h), not whatever python3 is first on PATH (a
  # pyenv build here): both proxies must front the very same app.
  "${APP_PYTHON:-/usr/bin/python3}" "$BENCH_DIR/proxy_bench_app.py" "$app_port" &
  local app_pid=$!
  bench_on_exit "kill $app_pid"
  for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$app_port/" && break
    sleep 0.1
  done
  NGINX_EXTRA="location / { proxy_pass http://bench_app; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host \$host; }
    location /plain/ { proxy_pass http://127.0.0.1:$app_port/; }"
  # nginx_start's config has no upstream block: add one (keep-alive to the app, as the hub does).
  local www="$BENCH_TMP/www"
  mkdir -p "$www"
  nginx_start_upstream "$www" "$app_port"

  local host="${HUB_USER}-${names[0]}.localhost"
  local hub_url="http://127.0.0.1:$HUB_PORT/" nginx_url="http://127.0.0.1:$NGINX_PORT/"
  local plain_url="http://127.0.0.1:$NGINX_PORT/plain/" app_url="http://127.0.0.1:$app_port/"
  [[ $(curl -sS -H "Host: $host" "$hub_url") == "hello from the app" ]] || die "hub proxy answer"
  [[ $(curl -sS "$nginx_url") == "hello from the app" ]] || die "nginx proxy answer"
  [[ $(curl -sS "$plain_url") == "hello from the app" ]] || die "nginx default proxy_pass answer"

  # Runs alternate so that load from other processes on this shared machine hits both alike.
  local hub_rps=() hub_p99=() ngx_rps=() ngx_p99=() pl_rps=() pl_p99=() app_rps=() app_p99=() r rps p99 bad
  for ((i = 1; i <= RUNS; i++)); do
    read -r rps p99 bad < <(run_wrk nginx "$nginx_url" -t"$THREADS" -c"$CONNS" -d"$DURATION")
    ((bad == 0)) || die "nginx run had $bad errors"
    ngx_rps+=("$rps")
    ngx_p99+=("$p99")
    log "run $i nginx: $rps req/s, p99 $p99 ms"
    read -r rps p99 bad < <(run_wrk nginx-plain "$plain_url" -t"$THREADS" -c"$CONNS" -d"$DURATION")
    ((bad == 0)) || die "nginx default proxy_pass run had $bad errors"
    pl_rps+=("$rps")
    pl_p99+=("$p99")
    log "run $i nginx (default proxy_pass): $rps req/s, p99 $p99 ms"
    # The ceiling: wrk straight to the app, no proxy (what a free proxy would reach here).
    read -r rps p99 bad < <(run_wrk app "$app_url" -t"$THREADS" -c"$CONNS" -d"$DURATION")
    app_rps+=("$rps")
    app_p99+=("$p99")
    log "run $i app alone: $rps req/s, p99 $p99 ms"
    read -r rps p99 bad < <(run_wrk hub "$hub_url" -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "Host: $host")
    ((bad == 0)) || die "hub run had $bad errors"
    hub_rps+=("$rps")
    hub_p99+=("$p99")
    log "run $i hub:   $rps req/s, p99 $p99 ms"
  done
  local h_rps h_p99 n_rps n_p99
  h_rps=$(median "${hub_rps[@]}")
  h_p99=$(median "${hub_p99[@]}")
  n_rps=$(median "${ngx_rps[@]}")
  n_p99=$(median "${ngx_p99[@]}")
  local p_rps p_p99 a_rps a_p99
  p_rps=$(median "${pl_rps[@]}")
  p_p99=$(median "${pl_p99[@]}")
  a_rps=$(median "${app_rps[@]}")
  a_p99=$(median "${app_p99[@]}")

  # 2. Load: LOAD_CONNS connections spread over the Spaces, one wrk per Space.
  for n in "${names[@]}"; do curl -sS -o /dev/null -H "Host: ${HUB_USER}-$n.localhost" "$hub_url"; done
  local fds_before fds_after per=$((LOAD_CONNS / LOAD_SPACES)) pids=() outs=()
  fds_before=$(hub_fds)
  log "load: $LOAD_CONNS connections over ${#names[@]} Spaces for $LOAD_DURATION (hub fds $fds_before)"
  for n in "${names[@]}"; do
    local out="$BENCH_TMP/load.$n.txt"
    outs+=("$out")
    (run_wrk "load-$n" "$hub_url" -t1 -c"$per" -d"$LOAD_DURATION" --timeout 10s \
      -H "Host: ${HUB_USER}-$n.localhost" >"$out" 2>/dev/null) &
    pids+=($!)
  done
  local fds_peak=0 f
  while kill -0 "${pids[0]}" 2>/dev/null; do
    f=$(hub_fds)
    ((f > fds_peak)) && fds_peak=$f
    sleep 1
  done
  for p in "${pids[@]}"; do wait "$p"; done
  local load_rps=0 load_bad=0 load_p99=0
  for out in "${outs[@]}"; do
    read -r rps p99 bad <"$out"
    load_rps=$((load_rps + rps))
    load_bad=$((load_bad + bad))
    load_p99=$(awk -v a="$load_p99" -v b="$p99" 'BEGIN {print (b > a) ? b : a}')
  done
  sleep $((APP_IDLE + 1))
  for n in "${names[@]}"; do curl -sS -o /dev/null -H "Host: ${HUB_USER}-$n.localhost" "$hub_url"; done
  sleep 1
  fds_after=$(hub_fds)

  echo
  echo "== proxied requests to a trivial app (wrk -t$THREADS -c$CONNS -d$DURATION, median of $RUNS; hub flags: ${HUB_EXTRA_ARGS:-none}) =="
  printf '%-11s %12s %10s\n' "" "req/s" "p99 ms"
  printf '%-11s %12s %10s\n' nginx "$n_rps" "$n_p99"
  printf '%-11s %12s %10s\n' nginx-dflt "$p_rps" "$p_p99"
  printf '%-11s %12s %10s\n' hub "$h_rps" "$h_p99"
  printf '%-11s %12s %10s\n' "(no proxy)" "$a_rps" "$a_p99"
  echo "hub/nginx (upstream keep-alive) req/s: $(ratio "$h_rps" "$n_rps") (goal >= 1.2); p99 hub/nginx: $(ratio "$h_p99" "$n_p99") (goal <= 1.0)"
  echo "hub/nginx (default proxy_pass)  req/s: $(ratio "$h_rps" "$p_rps") (goal >= 1.2); p99 hub/nginx: $(ratio "$h_p99" "$p_p99") (goal <= 1.0)"
  echo
  echo "== $LOAD_CONNS connections over $LOAD_SPACES Spaces for $LOAD_DURATION =="
  echo "requests/s (sum): $load_rps; errors (socket + non-2xx): $load_bad; worst p99: ${load_p99} ms"
  echo "hub fds: before $fds_before, peak $fds_peak, after $fds_after (leak: $((fds_after - fds_before)))"
}

# nginx_start_upstream ROOT APP_PORT: nginx_start with an upstream block (keepalive 64) for the app.
nginx_start_upstream() {
  local root=$1 app_port=$2
  NGINX_HTTP_EXTRA="upstream bench_app { server 127.0.0.1:$app_port; keepalive 64; }"
  nginx_start "$root"
}

main "$@"
