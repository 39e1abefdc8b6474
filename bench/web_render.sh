#!/usr/bin/env bash
# Issue #14: server-side rendering of the web UI against the JSON API for the same data, under wrk.
#   * the Spaces list (30 per page) with SPACES Spaces: first page by update, a deep page, a search;
#   * the files of a model repo with FILES files: the root folder, the big folder, the card page.
# Each page (signed in: session cookie) is measured next to the JSON call answering the same
# question (signed in: bearer token); prints p50, p99 and req/s of each and the page/JSON ratios.
# The hub runs with `--space-runtime none`: no Space starts, only pages are rendered.
#
#   bench/web_render.sh                               # SPACES=10000 FILES=1000 DURATION=10s
#   WEB_BENCH_DATA=/tmp/webbench bench/web_render.sh  # keeps the hub's data there: re-runs skip seeding
#   SPACES=2000 DURATION=5s bench/web_render.sh       # quicker
#
# Knobs: SPACES, FILES, DURATION, THREADS (2), CONNS (8), SEED_PARALLEL (4 creates in flight),
# WEB_BENCH_DATA (a directory this script owns: the hub's data in hub/, its credentials in
# state.env; made on first use; FILES is read only when the repo is first made). Seeding 10,000
# Spaces took 11.5 minutes on 2 shared cores (a create is ~27 fsyncs, one at a time), so keep
# WEB_BENCH_DATA between runs. Everything talks to 127.0.0.1 only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SPACES=${SPACES:-10000}
FILES=${FILES:-1000}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-8}
SEED_PARALLEL=${SEED_PARALLEL:-4}
WEB_BENCH_DATA=${WEB_BENCH_DATA:-}
REPO_NAME=files-bench
SEARCH=${SEARCH:-space-05}  # matches the Spaces space-05000 .. space-05999 (a full page)

# start_hub DATA_DIR STATE_FILE: like lib.sh's hub_start, on a given data dir that may already hold
# a hub; the token and the admin's password are printed only on the first start, so they are kept
# in STATE_FILE. Sets HUB_PID HF_ENDPOINT HF_TOKEN ADMIN_PASSWORD.
start_hub() {
  require_spacehub
  local data=$1 state=$2 out="$BENCH_TMP/hub.out" i
  : >"$out"
  "$SPACEHUB_BIN" serve --host 127.0.0.1 --port 0 --data-dir "$data" --log-level warn \
    --space-runtime none >"$out" 2>"$out.err" &
  HUB_PID=$!
  bench_on_exit "hub_stop_pid $HUB_PID"
  for ((i = 0; i < 300; i++)); do
    HF_ENDPOINT=$(sed -n 's/^HF_ENDPOINT=\([^[:space:]]*\).*/\1/p' "$out" | head -1)
    [[ -n $HF_ENDPOINT ]] && break
    kill -0 "$HUB_PID" 2>/dev/null || { cat "$out.err" >&2; die "spacehub exited during start"; }
    sleep 0.1
  done
  [[ -n $HF_ENDPOINT ]] || die "spacehub did not print HF_ENDPOINT"
  HF_ENDPOINT=${HF_ENDPOINT%/}
  if grep -q '^HF_TOKEN=' "$out"; then
    HF_TOKEN=$(sed -n 's/^HF_TOKEN=\(hf_[^[:space:]]*\).*/\1/p' "$out" | head -1)
    ADMIN_PASSWORD=$(sed -n 's/^ADMIN_PASSWORD=\([^[:space:]]*\).*/\1/p' "$out" | head -1)
    printf 'HF_TOKEN=%q\nADMIN_PASSWORD=%q\n' "$HF_TOKEN" "$ADMIN_PASSWORD" >"$state"
    chmod 600 "$state"
  else
    [[ -f $state ]] || die "$data holds a hub but $state (its credentials) is missing"
    # shellcheck disable=SC1090
    source "$state"
  fi
  [[ -n ${HF_TOKEN:-} && -n ${ADMIN_PASSWORD:-} ]] || die "no HF_TOKEN / ADMIN_PASSWORD"
  HUB_USER=$(hub_api GET /api/whoami-v2 | jq -r .name)
  log "hub pid $HUB_PID at $HF_ENDPOINT (user $HUB_USER, data $data)"
}

# seed_files: one commit of FILES small text files: README.md and config.json at the root, 80% in
# data/, the rest split between src/ and docs/.
seed_files() {
  local body="$BENCH_TMP/files.ndjson"
  python3 - "$body" "$FILES" <<'PY'
import base64, json, sys
out, files = sys.argv[1], int(sys.argv[2])
def line(path, text):
    return json.dumps({"key": "file", "value": {"path": path, "encoding": "base64",
                       "content": base64.b64encode(text.encode()).decode()}}) + "\n"
readme = ("---\nlicense: apache-2.0\ntags: [bench]\n---\n# files-bench\n\n"
          "A model repo with many small files, for the page-rendering benchmark.\n")
rest = files - 2
n_data = rest * 8 // 10
n_src = (rest - n_data) // 2
with open(out, "w") as f:
    f.write(json.dumps({"key": "header", "value": {"summary": f"bench: {files} files",
                                                   "description": ""}}) + "\n")
    f.write(line("README.md", readme))
    f.write(line("config.json", '{"model_type": "bench"}\n'))
    for i in range(rest):
        if i < n_data:
            path = f"data/shard_{i:05d}.txt"
        elif i < n_data + n_src:
            path = f"src/module_{i:05d}.py"
        else:
            path = f"docs/page_{i:05d}.md"
        f.write(line(path, f"file {i}\n" * (1 + i % 20)))
PY
  hub_api POST /api/repos/create "{\"name\":\"$REPO_NAME\",\"type\":\"model\",\"private\":false}" \
    >/dev/null
  local t
  t=$(hub_commit_ndjson "$HUB_USER/$REPO_NAME" "$body")
  log "committed $FILES files in ${t}s"
}

# seed_spaces FIRST LAST: creates Spaces space-FIRST .. space-LAST (static SDK, public), at most
# SEED_PARALLEL at once, in one curl process (--parallel; a process per create would cost more than
# the create itself on 2 cores). Fails unless every create answered 200.
seed_spaces() {
  local first=$1 last=$2 cfg="$BENCH_TMP/spaces.curl" codes="$BENCH_TMP/spaces.codes"
  awk -v a="$first" -v b="$last" -v ep="$HF_ENDPOINT" -v tok="$HF_TOKEN" 'BEGIN {
    for (i = a; i <= b; i++) {
      if (i > a) print "next"
      printf "url = \"%s/api/repos/create\"\n", ep
      printf "header = \"Authorization: Bearer %s\"\n", tok
      print "header = \"Content-Type: application/json\""
      printf "data = \"{\\\"name\\\":\\\"space-%05d\\\",\\\"type\\\":\\\"space\\\",\\\"sdk\\\":\\\"static\\\",\\\"private\\\":false}\"\n", i
      print "output = \"/dev/null\""
      print "write-out = \"%{http_code}\\n\""
      print "silent"
    }
  }' >"$cfg"
  curl -sS --no-progress-meter --parallel --parallel-max "$SEED_PARALLEL" -K "$cfg" >"$codes"
  local ok
  ok=$(grep -c '^200$' "$codes" || true)
  ((ok == last - first + 1)) ||
    die "Space creates: $ok of $((last - first + 1)) answered 200 ($(sort "$codes" | uniq -c | tr '\n' ' '))"
}

# sign_in: POST /login with the admin's password; sets COOKIE ("name=value") for wrk and curl.
sign_in() {
  local jar="$BENCH_TMP/cookies.txt" code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -H "Origin: $HF_ENDPOINT" \
    --data-urlencode username=admin --data-urlencode "password=$ADMIN_PASSWORD" \
    "$HF_ENDPOINT/login")
  [[ $code == 30? || $code == 200 ]] || die "POST /login answered $code"
  COOKIE=$(awk -F'\t' '!/^#/ || /^#HttpOnly_/ { if (NF >= 7) { printf "%s%s=%s", sep, $6, $7; sep = "; " } }' "$jar")
  [[ -n $COOKIE ]] || die "POST /login set no cookie"
}

# check URL AUTH_HEADER: one GET; prints "HTTP_CODE BYTES".
check() {
  curl -sS -o "$BENCH_TMP/check.body" -w '%{http_code} %{size_download}\n' -H "$2" "$1"
}

# measure NAME PATH AUTH_HEADER [optional]: wrk with --latency; appends "NAME p50_ms p99_ms req/s
# errors bytes" to $RESULTS (wrk's own output goes to stderr). Fails unless one GET answers 200
# first; with "optional", a 404 (a page this binary does not have yet) records "-" instead.
measure() {
  local name=$1 path=$2 auth=$3 url="$HF_ENDPOINT$2" out="$BENCH_TMP/wrk.$1.txt" code bytes
  read -r code bytes < <(check "$url" "$auth")
  if [[ $code == 404 && ${4:-} == optional ]]; then
    log "GET $path answered 404: this binary has no such page; skipped"
    echo "$name - - - - -" >>"$RESULTS"
    return 0
  fi
  [[ $code == 200 ]] || die "GET $path answered $code: $(head -c 300 "$BENCH_TMP/check.body")"
  log "wrk $name: GET $path ($bytes bytes)"
  wrk --latency -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "$auth" "$url" >"$out"
  sed 's/^/    /' "$out" >&2
  awk -v name="$name" -v bytes="$bytes" '
    function ms(v) {
      if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000;  if (v ~ /s$/) return v * 1000; return v
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
    END { printf "%s %.3f %.3f %.0f %d %d\n", name, p50, p99, rps, bad, bytes }' "$out" >>"$RESULTS"
}

row() { awk -v n="$1" '$1 == n' "$RESULTS"; }

# print_pair LABEL PAGE_NAME JSON_NAME
print_pair() {
  local p j
  read -ra p <<<"$(row "$2")"
  read -ra j <<<"$(row "$3")"
  printf '%-44s %9s %9s %9s %7s %9s\n' "$1 page" "${p[1]}" "${p[2]}" "${p[3]}" "${p[4]}" "${p[5]}"
  printf '%-44s %9s %9s %9s %7s %9s\n' "$1 JSON" "${j[1]}" "${j[2]}" "${j[3]}" "${j[4]}" "${j[5]}"
  [[ ${p[1]} == - ]] && return 0
  printf '%-44s %9s %9s %9s\n' "  ratio page/JSON" "$(ratio "${p[1]}" "${j[1]}")" \
    "$(ratio "${p[2]}" "${j[2]}")" "$(ratio "${p[3]}" "${j[3]}")"
}

main() {
  require_cmd curl
  require_cmd jq
  require_cmd wrk
  require_cmd python3
  bench_init
  local root
  if [[ -n $WEB_BENCH_DATA ]]; then
    root=$WEB_BENCH_DATA
    mkdir -p "$root/hub"
  else
    root="$BENCH_TMP/web"
    mkdir -p "$root/hub"
  fi
  start_hub "$root/hub" "$root/state.env"

  # Seeding: whatever an earlier run on the same WEB_BENCH_DATA left is kept.
  local t0 have seed_s=0 created=0
  if ! curl -sf -o /dev/null -H "Authorization: Bearer $HF_TOKEN" \
    "$HF_ENDPOINT/api/models/$HUB_USER/$REPO_NAME"; then
    seed_files
  fi
  # The Spaces are named space-00000 ..; the last by name says how far an earlier run got.
  local last
  last=$(curl -sS --fail -H "Authorization: Bearer $HF_TOKEN" \
    "$HF_ENDPOINT/api/spaces?author=$HUB_USER&limit=1&sort=name&direction=-1" | jq -r '.[0].id // empty')
  have=-1
  [[ -n $last ]] && have=$((10#${last##*space-}))
  if ((have + 1 < SPACES)); then
    log "creating Spaces space-$(printf %05d $((have + 1))) .. space-$(printf %05d $((SPACES - 1))) ($SEED_PARALLEL at once)"
    t0=$(now)
    seed_spaces $((have + 1)) $((SPACES - 1))
    seed_s=$(elapsed "$t0")
    created=$((SPACES - 1 - have))
    log "created $created Spaces in ${seed_s}s"
  fi
  sign_in

  RESULTS="$BENCH_TMP/results.txt"
  : >"$RESULTS"
  local repo="$HUB_USER/$REPO_NAME" deep=$((SPACES / 30 / 3 > 1 ? SPACES / 30 / 3 : 2))
  ((SPACES >= 9000)) && deep=300
  local page_auth="Cookie: $COOKIE" json_auth="Authorization: Bearer $HF_TOKEN"
  measure list_page "/spaces?sort=updated" "$page_auth"
  measure list_json "/api/spaces?limit=30&sort=lastModified&direction=-1" "$json_auth"
  measure deep_page "/spaces?p=$deep" "$page_auth"
  measure deep_json "/api/spaces?limit=30&sort=lastModified&direction=-1&cursor=$(((deep - 1) * 30))" "$json_auth"
  measure search_page "/spaces?search=$SEARCH" "$page_auth"
  measure search_json "/api/spaces?limit=30&sort=lastModified&direction=-1&search=$SEARCH" "$json_auth"
  measure tree_page "/$repo/tree/main" "$page_auth" optional
  measure tree_json "/api/models/$repo/tree/main" "$json_auth"
  measure treerec_json "/api/models/$repo/tree/main?recursive=true" "$json_auth"
  measure folder_page "/$repo/tree/main/data" "$page_auth" optional
  measure folder_json "/api/models/$repo/tree/main/data" "$json_auth"
  measure card_page "/$repo" "$page_auth" optional
  measure card_json "/api/models/$repo" "$json_auth"

  local n_data=$(((FILES - 2) * 8 / 10))
  echo
  print_conditions
  echo "commit $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted src changes)'), binary $(date -u -r "$SPACEHUB_BIN" +%FT%TZ)"
  echo "$SPACES Spaces (created this run: $created in ${seed_s}s), a model repo of $FILES files ($n_data in data/)"
  echo "wrk -t$THREADS -c$CONNS -d$DURATION; pages signed in (session cookie), JSON with the token;"
  echo "wrk, hub and the rest of the machine share the cores"
  printf '%-44s %9s %9s %9s %7s %9s\n' "" "p50 ms" "p99 ms" "req/s" "errors" "bytes"
  print_pair "/spaces?sort=updated (first 30)" list_page list_json
  print_pair "/spaces?p=$deep (offset $(((deep - 1) * 30)))" deep_page deep_json
  print_pair "/spaces?search=$SEARCH" search_page search_json
  print_pair "/$REPO_NAME/tree/main (root)" tree_page tree_json
  local r
  read -ra r <<<"$(row treerec_json)"
  printf '%-44s %9s %9s %9s %7s %9s\n' "  JSON tree/main?recursive=true ($FILES files)" "${r[1]}" "${r[2]}" "${r[3]}" "${r[4]}" "${r[5]}"
  print_pair "/$REPO_NAME/tree/main/data ($n_data files)" folder_page folder_json
  print_pair "/$REPO_NAME (card) vs /api/models/..." card_page card_json
}

main "$@"
