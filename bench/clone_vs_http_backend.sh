#!/usr/bin/env bash
# Issue #3 goal: "Clone of a repo with 10,000 files and 200 MB: at least 1.0x `git http-backend`
# behind nginx, same run."
#
# 1. Starts a hub, creates a public model repo, and pushes to it over git smart HTTP (token as the
#    Basic password) one commit of FILES files of random (incompressible) content totalling
#    ~TOTAL_MB MB, in 100 directories, plain git blobs (no LFS; every file is far below the 10 MB
#    push limit). The push time is printed too (informative only).
# 2. Copies the hub's bare repository (<data>/repos/models/<ns>/<name>.git) and serves the copy with
#    `git http-backend` through fcgiwrap (own unix socket) behind nginx (own prefix/config, free
#    127.0.0.1 port), so both sides serve the very same pack.
# 3. Times `git clone --quiet` (fresh target dir, protocol v2, anonymous) from each side, RUNS times,
#    alternating, and prints the medians, MB/s (repo bytes / s) and backend_time / hub_time
#    (>= 1.0 is the goal). Every clone must check out the pushed HEAD. With BARE=1 (default) it also
#    times `git clone --bare` (transfer + index-pack only, no checkout) the same way.
#
# nginx streams git's answer through (fastcgi_buffering off, as the hub streams it); with
# FASTCGI_BUFFERING=on it buffers in memory only (fastcgi_max_temp_file_size 0: the workers, user
# nobody, cannot write the private temp dir, and a temp-file round trip would only slow the reference).
#
# PROFILE=1 adds, after the timings, one bare clone from the hub with the hub's CPU time
# (/proc/<pid>/stat, its own threads, not git's) and one under `strace -c` on the hub's threads only
# (git upload-pack / pack-objects, its children, are not followed).
#
# Knobs: FILES=10000 TOTAL_MB=200 RUNS=3 BARE=1 FCGI_CHILDREN=2 FASTCGI_BUFFERING=off PROFILE=0
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FILES=${FILES:-10000}
TOTAL_MB=${TOTAL_MB:-200}
RUNS=${RUNS:-3}
BARE=${BARE:-1}
FCGI_CHILDREN=${FCGI_CHILDREN:-2}
FASTCGI_BUFFERING=${FASTCGI_BUFFERING:-off}
PROFILE=${PROFILE:-0}
HTTP_BACKEND=${HTTP_BACKEND:-$(git --exec-path)/git-http-backend}

require_cmd jq
require_cmd git
require_cmd python3
require_cmd nginx nginx-light
require_cmd fcgiwrap
[[ -x $HTTP_BACKEND ]] || die "git http-backend not found at $HTTP_BACKEND"

bench_init
require_free_mib "$BENCH_TMP" $((TOTAL_MB * 6))

# Git for the bench itself: no user/system config, no credential helpers, no prompts.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=true
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
unset GIT_DIR GIT_WORK_TREE GIT_PROTOCOL

hub_start
REPO=$(hub_create_repo clonebench)
HUB_URL="$HF_ENDPOINT/$REPO.git"
AUTH_HEADER="Authorization: Basic $(printf '%s:%s' "$HUB_USER" "$HF_TOKEN" | base64 -w0)"

# ---------------------------------------------------------------------------------------------
# 1. the repository: clone the new repo (it may hold an initial commit), add the files, push.
SRC="$BENCH_TMP/src"
git -c http.extraHeader="$AUTH_HEADER" clone --quiet "$HUB_URL" "$SRC" 2>/dev/null
git -C "$SRC" config gc.auto 0  # no background repack of the 10,000 loose objects
git -C "$SRC" checkout --quiet -B main
log "generating $FILES files, ~$TOTAL_MB MB of random bytes"
python3 - "$SRC/data" "$FILES" "$TOTAL_MB" <<'PY'
import os, random, sys
root, files, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) * 1000 * 1000
rng = random.Random(3)
avg = total // files
sizes = [rng.randint(avg // 10, 2 * avg - avg // 10) for _ in range(files)]
scale = total / sum(sizes)
sizes = [max(1, int(n * scale)) for n in sizes]
sizes[-1] += total - sum(sizes)  # exact total; every file stays far below the 10 MB push limit
assert max(sizes) < 10 * 1000 * 1000 and min(sizes) > 0
for i, n in enumerate(sizes):
    d = os.path.join(root, f"d{i % 100:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(n))
PY
git -C "$SRC" add -A
git -C "$SRC" commit --quiet -m "bench: $FILES files, $TOTAL_MB MB"
HEAD_SHA=$(git -C "$SRC" rev-parse HEAD)
log "pushing $HEAD_SHA over smart HTTP"
t0=$EPOCHREALTIME
git -C "$SRC" -c http.extraHeader="$AUTH_HEADER" push --quiet "$HUB_URL" main:main
PUSH_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}')
rm -rf "$SRC"
log "push done in ${PUSH_S}s; source tree removed"

HUB_BARE="$HUB_DATA/repos/models/$REPO.git"
[[ -d $HUB_BARE ]] || die "hub bare repo not found at $HUB_BARE"
[[ $(git --git-dir="$HUB_BARE" rev-parse refs/heads/main) == "$HEAD_SHA" ]] ||
  die "hub main is not the pushed commit"
PACK_BYTES=$(git --git-dir="$HUB_BARE" count-objects -v | awk '/^size-pack:/ {print $2 * 1024}')
REPO_BYTES=$(git --git-dir="$HUB_BARE" ls-tree -r -l "$HEAD_SHA" | awk '{s += $4} END {print s}')
NOBJ=$(git --git-dir="$HUB_BARE" count-objects -v | awk '/^in-pack:/ {print $2}')
log "hub repo: $NOBJ objects in packs, pack $((PACK_BYTES / 1000000)) MB, files $((REPO_BYTES / 1000000)) MB"

# fcgiwrap -c N forks N children that outlive a killed parent: stop those (by pid) as well.
fcgi_stop() {
  local kids k
  kids=$(ps -o pid= --ppid "$1" 2>/dev/null || true)
  hub_stop_pid "$1"
  for k in $kids; do hub_stop_pid "$k"; done
}

# ---------------------------------------------------------------------------------------------
# 2. git http-backend (fcgiwrap on our own unix socket) behind nginx, serving a copy.
BACKEND_ROOT="$BENCH_TMP/backend"
mkdir -p "$BACKEND_ROOT/$(dirname "$REPO")"
cp -a "$HUB_BARE" "$BACKEND_ROOT/$REPO.git"
chmod 755 "$BACKEND_ROOT"
FCGI_SOCK="$BENCH_TMP/fcgiwrap.sock"
BACKEND_HOME="$BENCH_TMP/backend-home"
mkdir -p "$BACKEND_HOME"
fcgiwrap -c "$FCGI_CHILDREN" -s "unix:$FCGI_SOCK" &
FCGI_PID=$!
bench_on_exit "fcgi_stop $FCGI_PID; rm -f '$FCGI_SOCK'"
for ((i = 0; i < 100; i++)); do
  [[ -S $FCGI_SOCK ]] && break
  kill -0 "$FCGI_PID" 2>/dev/null || die "fcgiwrap exited"
  sleep 0.05
done
[[ -S $FCGI_SOCK ]] || die "fcgiwrap did not create $FCGI_SOCK"
chmod 666 "$FCGI_SOCK"  # nginx workers run as nobody when nginx is started as root

# fcgiwrap hands the CGI only the FastCGI params, so the environment is spelled out here (as the
# hub does for its git: no system/global config, an empty HOME).
# shellcheck disable=SC2034  # read by nginx_start (lib.sh)
NGINX_EXTRA="
    client_max_body_size 0;
    location ~ ^/.+\\.git/(info/refs|git-upload-pack)\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $HTTP_BACKEND;
      fastcgi_param PATH_INFO \$uri;
      fastcgi_param GIT_PROJECT_ROOT $BACKEND_ROOT;
      fastcgi_param GIT_HTTP_EXPORT_ALL 1;
      fastcgi_param GIT_PROTOCOL \$http_git_protocol;
      fastcgi_param GIT_CONFIG_NOSYSTEM 1;
      fastcgi_param GIT_CONFIG_GLOBAL /dev/null;
      fastcgi_param HOME $BACKEND_HOME;
      fastcgi_param PATH /usr/local/bin:/usr/bin:/bin;
      fastcgi_buffering $FASTCGI_BUFFERING;
      fastcgi_max_temp_file_size 0;
      fastcgi_pass unix:$FCGI_SOCK;
    }"
nginx_start "$BACKEND_ROOT"
BACKEND_URL="http://127.0.0.1:$NGINX_PORT/$REPO.git"
log "git http-backend via fcgiwrap (pid $FCGI_PID) behind nginx at $BACKEND_URL"

# ---------------------------------------------------------------------------------------------
# 3. clones
# time_clone URL [git clone options...] -> prints seconds; checks the checked-out HEAD.
time_clone() {
  local url=$1 dest="$BENCH_TMP/clone" t0 t1 head
  shift
  rm -rf "$dest"
  sync
  t0=$EPOCHREALTIME
  git clone --quiet "$@" "$url" "$dest" || die "git clone $* $url failed"
  t1=$EPOCHREALTIME
  head=$(git -C "$dest" rev-parse HEAD)
  [[ $head == "$HEAD_SHA" ]] || die "clone of $url has HEAD $head, expected $HEAD_SHA"
  if [[ " $* " != *" --bare "* ]]; then
    local n
    n=$(git -C "$dest" ls-files | wc -l)
    ((n >= FILES)) || die "clone of $url checked out $n files, expected >= $FILES"
  fi
  rm -rf "$dest"
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}

mbps() { awk -v b="$REPO_BYTES" -v t="$1" 'BEGIN {printf "%.1f", b / t / 1e6}'; }

# compare LABEL [git clone options...]
compare() {
  local label=$1 r th tb hub_ts=() be_ts=()
  shift
  # one untimed clone from each side first (page cache, first-exec costs)
  time_clone "$HUB_URL" "$@" >/dev/null
  time_clone "$BACKEND_URL" "$@" >/dev/null
  for ((r = 1; r <= RUNS; r++)); do
    if ((r % 2)); then
      th=$(time_clone "$HUB_URL" "$@"); tb=$(time_clone "$BACKEND_URL" "$@")
    else
      tb=$(time_clone "$BACKEND_URL" "$@"); th=$(time_clone "$HUB_URL" "$@")
    fi
    log "$label run $r: hub ${th}s, http-backend ${tb}s"
    hub_ts+=("$th"); be_ts+=("$tb")
  done
  local mh mb
  mh=$(median "${hub_ts[@]}"); mb=$(median "${be_ts[@]}")
  printf '%-22s hub %7.3f s (%6s MB/s) [%s]   http-backend %7.3f s (%6s MB/s) [%s]   backend/hub %s\n' \
    "$label" "$mh" "$(mbps "$mh")" "${hub_ts[*]}" "$mb" "$(mbps "$mb")" "${be_ts[*]}" "$(ratio "$mb" "$mh")"
}

echo "clone of $FILES files, $((REPO_BYTES / 1000000)) MB (pack $((PACK_BYTES / 1000000)) MB), HEAD $HEAD_SHA; median of $RUNS alternating runs"
echo "push to the hub over smart HTTP: ${PUSH_S}s ($(mbps "$PUSH_S") MB/s)"
compare "git clone"
((BARE)) && compare "git clone --bare" --bare

if ((PROFILE)); then
  # utime+stime of the hub process itself (threads; children not yet waited count elsewhere)
  hub_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$HUB_PID/stat"; }
  # the same for nginx (master + workers) and fcgiwrap (parent + children): the reference's relay
  # cost, without git http-backend / upload-pack / pack-objects themselves
  relay_cpu() {
    local p pids
    pids="$NGINX_PID $FCGI_PID $(ps -o pid= --ppid "$NGINX_PID") $(ps -o pid= --ppid "$FCGI_PID")"
    for p in $pids; do cat "/proc/$p/stat"; done |
      awk -v hz="$(getconf CLK_TCK)" '{s += $14 + $15} END {printf "%.2f", s / hz}'
  }
  c0=$(hub_cpu); t=$(time_clone "$HUB_URL" --bare); c1=$(hub_cpu)
  echo "profile: bare clone from the hub ${t}s; hub process CPU $(awk -v a="$c0" -v b="$c1" 'BEGIN {print b - a}')s"
  c0=$(relay_cpu); t=$(time_clone "$BACKEND_URL" --bare); c1=$(relay_cpu)
  echo "profile: bare clone via http-backend ${t}s; nginx + fcgiwrap CPU $(awk -v a="$c0" -v b="$c1" 'BEGIN {print b - a}')s"
  require_cmd strace
  targs=()
  for tid in /proc/"$HUB_PID"/task/*; do targs+=(-p "${tid##*/}"); done
  strace -c -o "$BENCH_TMP/strace.txt" "${targs[@]}" 2>/dev/null &
  STRACE_PID=$!
  bench_on_exit "kill -INT $STRACE_PID"
  sleep 1
  t=$(time_clone "$HUB_URL" --bare)
  kill -INT "$STRACE_PID"; wait "$STRACE_PID" || true
  echo "profile: bare clone from the hub under strace -c (hub threads only) ${t}s:"
  head -n 16 "$BENCH_TMP/strace.txt"
fi
print_conditions
