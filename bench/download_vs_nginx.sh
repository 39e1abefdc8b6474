#!/usr/bin/env bash
# Issue #2, goal 1: a 1 GiB LFS file downloaded through `resolve` vs nginx (sendfile on) serving the
# same bytes. Goal: hub throughput >= 1.0x nginx in every run (each run is an nginx download then a
# hub download; the ratio of each pair is printed, and the smallest). A control download from nginx
# ends each run: nginx against itself shows how much a ratio moves here with nothing changed.
#
#   bench/download_vs_nginx.sh            # SIZE_MIB=1024 RUNS=5 by default
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-5}

# download URL -> prints "time_total speed_download" (curl, body discarded)
download_once() {
  curl -sS --fail -L -o /dev/null -w '%{time_total} %{speed_download}\n' "$1"
}

# one_run NAME URL -> logs the run, prints bytes/s
one_run() {
  local t s
  read -r t s < <(download_once "$2")
  log "$1: ${t}s $(awk -v s="$s" 'BEGIN {printf "%.1f", s / 1e6}') MB/s"
  echo "$s"
}

mbs() { awk '{printf "%.1f\n", $1 / 1e6}'; }

check_sha() {
  local name=$1 url=$2 want=$3 got
  got=$(curl -sS --fail -L "$url" | sha256sum | awk '{print $1}')
  [[ $got == "$want" ]] || die "$name download sha256 $got != $want"
  log "$name sha256 ok"
}

main() {
  require_cmd curl
  require_cmd jq
  bench_init
  require_free_mib "$BENCH_TMP" $((SIZE_MIB * 2 + 512))

  local www="$BENCH_TMP/www" file oid repo
  mkdir -p "$www"
  file="$www/blob.bin"
  make_random_file "$file" "$SIZE_MIB"
  oid=$(sha256_of "$file")

  hub_start
  repo=$(hub_create_repo bench-download)
  log "uploading $SIZE_MIB MiB as LFS to $repo (oid ${oid:0:12}...)"
  hub_upload_lfs "$repo" "$file" blob.bin "$oid" multipart >/dev/null
  nginx_start "$www"

  local hub_url="$HF_ENDPOINT/$repo/resolve/main/blob.bin"
  local nginx_url="http://127.0.0.1:$NGINX_PORT/blob.bin"
  check_sha hub "$hub_url" "$oid"
  check_sha nginx "$nginx_url" "$oid"

  # Both files are in the page cache now (check_sha read them). Runs alternate nginx/hub so that
  # load from other processes on this shared machine hits both sides alike. Each run ends with
  # nginx once more: that second nginx download against the first is the same server measured
  # twice, so its ratios show how far this machine moves a ratio with nothing changed.
  local i nginx_runs=() hub_runs=() pair_ratios=() control_ratios=() again hub_mbs nginx_mbs
  local redirects
  redirects=$(curl -sS -r 0-0 -o /dev/null -w '%{num_redirects}' -L "$hub_url")
  for ((i = 1; i <= RUNS; i++)); do
    nginx_runs+=("$(one_run "nginx run $i" "$nginx_url")")
    hub_runs+=("$(one_run "hub run $i" "$hub_url")")
    again=$(one_run "nginx run $i again" "$nginx_url")
    pair_ratios+=("$(ratio "${hub_runs[-1]}" "${nginx_runs[-1]}")")
    control_ratios+=("$(ratio "$again" "${nginx_runs[-1]}")")
  done
  nginx_mbs=$(median "${nginx_runs[@]}" | mbs)
  hub_mbs=$(median "${hub_runs[@]}" | mbs)

  echo
  print_conditions
  echo "download of a ${SIZE_MIB} MiB LFS file, median of $RUNS curl runs (MB = 10^6 bytes)"
  printf '  %-28s %10s MB/s\n' "nginx (sendfile on)" "$nginx_mbs" "spacehub resolve" "$hub_mbs"
  printf '  %-28s %10s   (of the medians)\n' "ratio hub/nginx" "$(ratio "$hub_mbs" "$nginx_mbs")"
  printf '  %-28s %10s   (goal >= 1.0 in every run: %s)\n' "smallest run ratio" \
    "$(printf '%s\n' "${pair_ratios[@]}" | sort -g | head -1)" "${pair_ratios[*]}"
  printf '  %-28s %10s   (nginx vs itself, same run: %s)\n' "control, smallest" \
    "$(printf '%s\n' "${control_ratios[@]}" | sort -g | head -1)" "${control_ratios[*]}"
  echo "  (resolve followed $redirects redirect(s); sha256 of one download from each side verified)"
}

main "$@"
