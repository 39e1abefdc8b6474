# shellcheck shell=bash
# Shared helpers for the issue #2 benchmarks. Source it from a bench script:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Everything here talks to 127.0.0.1 only. Every process / temp path a helper creates is
# registered with bench_on_exit and torn down by the EXIT trap that bench_init installs.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SPACEHUB_BIN="${SPACEHUB_BIN:-$REPO_ROOT/build/src/cli/spacehub}"
BENCH_TMP_BASE="${BENCH_TMP_BASE:-/tmp}"

BENCH_CLEANUPS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Register a shell command to run on exit (run in reverse order).
bench_on_exit() { BENCH_CLEANUPS+=("$1"); }

bench_cleanup() {
  local i
  for ((i = ${#BENCH_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${BENCH_CLEANUPS[$i]}" >/dev/null 2>&1 || true
  done
  BENCH_CLEANUPS=()
}

# Sets up the trap and a private temp dir ($BENCH_TMP) for this script.
bench_init() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  BENCH_TMP="$(mktemp -d "$BENCH_TMP_BASE/spacehub-bench.XXXXXX")"
  chmod 755 "$BENCH_TMP"  # nginx workers (user nobody when started as root) read files below it
  bench_on_exit "rm -rf '$BENCH_TMP'"
}

# Fails unless $1 has at least $2 MiB free.
require_free_mib() {
  local dir=$1 need=$2 avail
  avail=$(df -Pm "$dir" | awk 'NR==2 {print $4}')
  ((avail >= need)) || die "$dir has ${avail} MiB free, need ${need} MiB"
}

# require_cmd CMD [DEBIAN_PACKAGE]: installs the Debian package when CMD is missing.
require_cmd() {
  local cmd=$1 pkg=${2:-$1}
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "installing $pkg (apt)"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq "$pkg" >/dev/null; }
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found after installing $pkg"
}

require_spacehub() {
  [[ -x $SPACEHUB_BIN ]] ||
    die "spacehub binary not found at $SPACEHUB_BIN (cmake --build build -j2 --target spacehub)"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# median of the numbers given as arguments
median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'
}

# ratio A B  -> A/B with 3 decimals
# now: wall-clock seconds with nanoseconds; elapsed T0: seconds since T0, three decimals.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f\n", b - a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "inf"; else printf "%.3f\n", a / b}'; }

# ---------------------------------------------------------------------------------------------
# spacehub

# hub_start: starts a hub on a free port with a fresh data dir under $BENCH_TMP.
# Sets HUB_PID, HUB_DATA, HF_ENDPOINT, HF_TOKEN, HUB_PORT. Extra args go to `spacehub serve`.
hub_start() {
  require_spacehub
  HUB_DATA="$(mktemp -d "$BENCH_TMP/hub-data.XXXXXX")"
  local out="$BENCH_TMP/hub.$$.$RANDOM.out"
  : >"$out"  # the background job below opens it asynchronously
  "$SPACEHUB_BIN" serve --host 127.0.0.1 --port 0 --data-dir "$HUB_DATA" --log-level warn "$@" \
    >"$out" 2>"$out.err" &
  HUB_PID=$!
  bench_on_exit "hub_stop_pid $HUB_PID"
  local i
  for ((i = 0; i < 200; i++)); do
    HF_ENDPOINT=$(sed -n 's/^HF_ENDPOINT=\([^[:space:]]*\).*/\1/p' "$out" | head -1)
    HF_TOKEN=$(sed -n 's/^HF_TOKEN=\(hf_[^[:space:]]*\).*/\1/p' "$out" | head -1)
    [[ -n $HF_ENDPOINT && -n $HF_TOKEN ]] && break
    kill -0 "$HUB_PID" 2>/dev/null || { cat "$out.err" >&2; die "spacehub exited during start"; }
    sleep 0.1
  done
  [[ -n $HF_ENDPOINT && -n $HF_TOKEN ]] || die "spacehub did not print HF_ENDPOINT/HF_TOKEN"
  HF_ENDPOINT=${HF_ENDPOINT%/}
  HUB_PORT=${HF_ENDPOINT##*:}  # for callers
  export HUB_PORT
  HUB_USER=$(hub_api GET /api/whoami-v2 | jq -r .name)
  log "hub pid $HUB_PID at $HF_ENDPOINT (user $HUB_USER, data $HUB_DATA)"
}

# SIGTERM, wait up to 15 s, then SIGKILL. Only the given pid.
hub_stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# hub_api METHOD PATH [JSON_BODY]: authenticated JSON call; fails on HTTP >= 400.
hub_api() {
  local method=$1 path=$2 body=${3:-}
  local args=(-sS --fail-with-body -X "$method" -H "Authorization: Bearer $HF_TOKEN")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" "$HF_ENDPOINT$path"
}

# hub_create_repo NAME -> prints "user/NAME" (model repo, public)
hub_create_repo() {
  local name=$1
  hub_api POST /api/repos/create "{\"name\":\"$name\",\"type\":\"model\",\"private\":false}" >/dev/null
  echo "$HUB_USER/$name"
}

# hub_commit_ndjson REPO FILE: POSTs an NDJSON commit body from FILE; prints curl's time_total.
hub_commit_ndjson() {
  local repo=$1 file=$2 out="$BENCH_TMP/commit.$RANDOM.json" t
  t=$(curl -sS --fail-with-body -o "$out" -w '%{time_total}' -X POST \
    -H "Authorization: Bearer $HF_TOKEN" -H 'Content-Type: application/x-ndjson' \
    --data-binary "@$file" "$HF_ENDPOINT/api/models/$repo/commit/main") ||
    { cat "$out" >&2; die "commit failed"; }
  jq -e .commitOid "$out" >/dev/null || { cat "$out" >&2; die "commit answer has no commitOid"; }
  echo "$t"
}

# hub_commit_lfs REPO PATH OID SIZE: commits one lfsFile entry.
hub_commit_lfs() {
  local repo=$1 path=$2 oid=$3 size=$4 body="$BENCH_TMP/lfs-commit.ndjson"
  {
    printf '{"key":"header","value":{"summary":"bench: add %s","description":""}}\n' "$path"
    printf '{"key":"lfsFile","value":{"path":"%s","algo":"sha256","oid":"%s","size":%s}}\n' \
      "$path" "$oid" "$size"
  } >"$body"
  hub_commit_ndjson "$repo" "$body" >/dev/null
}

# lfs_batch REPO OID SIZE -> prints the batch answer's first object (JSON).
lfs_batch() {
  local repo=$1 oid=$2 size=$3
  curl -sS --fail-with-body -X POST \
    -H "Authorization: Bearer $HF_TOKEN" \
    -H 'Accept: application/vnd.git-lfs+json' -H 'Content-Type: application/vnd.git-lfs+json' \
    --data-binary "{\"operation\":\"upload\",\"transfers\":[\"basic\",\"multipart\"],\"hash_algo\":\"sha256\",\"ref\":{\"name\":\"main\"},\"objects\":[{\"oid\":\"$oid\",\"size\":$size}]}" \
    "$HF_ENDPOINT/$repo.git/info/lfs/objects/batch" | jq -c '.objects[0]'
}

# lfs_put_basic URL FILE -> prints curl time_total of a single PUT of the whole file.
lfs_put_basic() {
  local url=$1 file=$2 out="$BENCH_TMP/put.$RANDOM.out" code t
  read -r code t < <(curl -sS -o "$out" -w '%{http_code} %{time_total}\n' -T "$file" \
    -H 'Content-Type: application/octet-stream' "$url")
  [[ $code == 2* ]] || { cat "$out" >&2; die "PUT answered $code"; }
  echo "$t"
}

# split_parts FILE CHUNK -> dir holding partNNNNN files (made once, outside any timing; cached)
split_parts() {
  local file=$1 chunk=$2 dir="$1.parts.$2"
  if [[ ! -d $dir ]]; then
    mkdir -p "$dir"
    split -b "$chunk" -d -a 5 --numeric-suffixes=1 "$file" "$dir/part"
  fi
  echo "$dir"
}

# lfs_put_multipart OBJ_JSON FILE -> PUTs every part (sequentially, like huggingface_hub) then
# POSTs the completion. Prints "parts_seconds complete_seconds".
lfs_put_multipart() {
  local obj=$1 file=$2 chunk keys key n t code etag sum_t=0 parts_json="" hdr="$BENCH_TMP/part.hdr"
  chunk=$(jq -r '.actions.upload.header.chunk_size' <<<"$obj")
  local parts_dir
  parts_dir=$(split_parts "$file" "$chunk")
  mapfile -t keys < <(jq -r '.actions.upload.header | keys[] | select(. != "chunk_size")' <<<"$obj" | sort)
  for key in "${keys[@]}"; do
    n=$((10#$key))
    local url
    url=$(jq -r --arg k "$key" '.actions.upload.header[$k]' <<<"$obj")
    read -r code t < <(curl -sS -o /dev/null -D "$hdr" -w '%{http_code} %{time_total}\n' \
      -T "$parts_dir/part$key" -H 'Content-Type: application/octet-stream' "$url")
    [[ $code == 2* ]] || die "part $n answered $code"
    etag=$(awk 'tolower($1) == "etag:" {print $2}' "$hdr" | tr -d '\r"')
    [[ -n $etag ]] || die "part $n has no ETag"
    sum_t=$(awk -v a="$sum_t" -v b="$t" 'BEGIN {print a + b}')
    parts_json+="${parts_json:+,}{\"partNumber\":$n,\"etag\":\"$etag\"}"
  done
  local oid href
  oid=$(jq -r .oid <<<"$obj")
  href=$(jq -r .actions.upload.href <<<"$obj")
  read -r code t < <(curl -sS -o "$BENCH_TMP/complete.out" -w '%{http_code} %{time_total}\n' -X POST \
    -H 'Content-Type: application/vnd.git-lfs+json' \
    --data-binary "{\"oid\":\"$oid\",\"parts\":[$parts_json]}" "$href")
  [[ $code == 2* ]] || { cat "$BENCH_TMP/complete.out" >&2; die "complete answered $code"; }
  echo "$sum_t $t"
}

# lfs_verify OBJ_JSON
lfs_verify() {
  local obj=$1 href
  href=$(jq -r '.actions.verify.href // empty' <<<"$obj")
  [[ -z $href ]] && return 0
  curl -sS --fail-with-body -o /dev/null -X POST -H "Authorization: Bearer $HF_TOKEN" \
    -H 'Content-Type: application/vnd.git-lfs+json' \
    --data-binary "$(jq -c '{oid, size}' <<<"$obj")" "$href"
}

# The basic (single PUT) URL for an object: the batch answer's href, or for a multipart answer
# the signed grant URL the completion URL hangs off (the server accepts a whole-object PUT there).
lfs_basic_url() {
  local href
  href=$(jq -r .actions.upload.href <<<"$1")
  echo "${href%/complete}"
}

# hub_upload_lfs REPO FILE PATH_IN_REPO OID [basic|multipart]: batch + upload + verify + commit.
# Prints the upload seconds (PUT time, or parts+complete for multipart).
hub_upload_lfs() {
  local repo=$1 file=$2 path=$3 oid=$4 mode=${5:-basic} size obj t
  size=$(stat -c %s "$file")
  obj=$(lfs_batch "$repo" "$oid" "$size")
  if jq -e '.error' <<<"$obj" >/dev/null; then die "batch error: $obj"; fi
  if jq -e '.actions.upload' <<<"$obj" >/dev/null; then
    if [[ $mode == multipart ]] && jq -e '.actions.upload.header.chunk_size' <<<"$obj" >/dev/null; then
      t=$(lfs_put_multipart "$obj" "$file" | awk '{print $1 + $2}')
    else
      t=$(lfs_put_basic "$(lfs_basic_url "$obj")" "$file")
    fi
    lfs_verify "$obj"
  else
    t=0
  fi
  hub_commit_lfs "$repo" "$path" "$oid" "$size"
  echo "$t"
}

# ---------------------------------------------------------------------------------------------
# nginx

# nginx_start ROOT_DIR: runs nginx (foreground, own prefix/config, sendfile on) serving ROOT_DIR on a
# free 127.0.0.1 port. Sets NGINX_PID, NGINX_PORT. Extra lines for the server block may be given
# in $NGINX_EXTRA.
nginx_start() {
  require_cmd nginx nginx-light
  local root=$1 prefix
  prefix="$(mktemp -d "$BENCH_TMP/nginx.XXXXXX")"
  mkdir -p "$prefix/logs" "$prefix/tmp"
  chmod 755 "$root"
  NGINX_PORT=$(free_port)
  cat >"$prefix/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes ${NGINX_WORKERS:-2};
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  ${NGINX_HTTP_EXTRA:-}
  types { application/json json; application/octet-stream bin; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $root;
    ${NGINX_EXTRA:-}
  }
}
EOF
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" &
  NGINX_PID=$!
  bench_on_exit "hub_stop_pid $NGINX_PID"
  local i
  for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$prefix/logs/error.log" >&2; die "nginx exited"; }
    sleep 0.1
  done
  log "nginx pid $NGINX_PID on 127.0.0.1:$NGINX_PORT (root $root)"
}

# ---------------------------------------------------------------------------------------------
# files

# make_random_file PATH MIB
make_random_file() {
  local path=$1 mib=$2
  log "creating $mib MiB random file $path"
  openssl rand -out "$path" $((mib * 1024 * 1024)) 2>/dev/null ||
    head -c $((mib * 1024 * 1024)) /dev/urandom >"$path"
}

# One line on the conditions a number was taken under (shared, noisy machines).
print_conditions() {
  echo "conditions: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
}

sha256_of() { sha256sum "$1" | awk '{print $1}'; }

# run_wrk NAME URL [wrk args...] -> prints "req_per_s p99_ms errors" (wrk's output goes to stderr;
# errors = non-2xx/3xx answers plus socket errors).
run_wrk() {
  local name=$1 url=$2 out="$BENCH_TMP/wrk.$1.$RANDOM.txt"
  shift 2
  wrk --latency "$@" "$url" >"$out"
  sed 's/^/    /' "$out" >&2
  awk '
    function ms(v) {
      if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000;  if (v ~ /s$/) return v * 1000; return v
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.3f %d\n", rps, p99, bad }' "$out"
}
