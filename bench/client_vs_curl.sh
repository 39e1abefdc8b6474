#!/usr/bin/env bash
# Issue #7: the C++ client (`spacehub upload` / `spacehub download`, i.e. spacehub::client) against
# `curl` moving the same bytes to and from the same hub in the same run. Goal: within 10% of curl.
#
#   bench/client_vs_curl.sh                       # SMALL_FILES=1000 BIG_MIB=1024 RUNS=3
#   BIG_MIB=256 RUNS=1 bench/client_vs_curl.sh    # quick
#
# Four cases, each timed as wall-clock seconds of the whole command (median of RUNS):
#   upload 1,000 small files  client: upload_folder (hash, preupload, one NDJSON commit)
#                             curl:   the same commit POSTed as a ready-made NDJSON body
#   upload one big file       client: upload (sha256, LFS batch, PUT or parallel multipart parts,
#                                     verify, commit)
#                             curl:   batch, PUT(s) in sequence, verify, commit (lib.sh), plus
#                                     `openssl dgst -sha256` of the file, which any uploader needs
#   download 1,000 files      client: snapshot_download into a fresh cache (tree listing, one GET
#                                     per file, 8 workers, blobs + symlinks)
#                             curl:   one process fetching all 1,000 resolve URLs (one connection)
#   download the big file     client: hf_hub_download into a fresh cache
#                             curl:   `curl -o` of the resolve URL
# Every upload goes to a new repo so the LFS object is sent again each run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SMALL_FILES=${SMALL_FILES:-1000}
SMALL_BYTES=${SMALL_BYTES:-1024}
BIG_MIB=${BIG_MIB:-1024}
RUNS=${RUNS:-3}


# time_cmd CMD...: runs it, prints wall seconds; fails the bench when it fails. Dirty pages of the
# previous step are flushed first (untimed), so neither side pays for the other's writeback.
time_cmd() {
  local t0
  sync
  t0=$(now)
  "$@" >/dev/null || die "failed: $*"
  elapsed "$t0"
}

client() { HF_ENDPOINT=$HF_ENDPOINT HF_TOKEN=$HF_TOKEN "$SPACEHUB_BIN" "$@"; }

# The NDJSON commit of every file under DIR (paths relative to it), built outside the timing.
make_small_commit() {
  local dir=$1 out=$2 f
  printf '{"key":"header","value":{"summary":"bench: small files","description":""}}\n' >"$out"
  (cd "$dir" && find . -type f | sort | sed 's|^\./||') | while read -r f; do
    printf '{"key":"file","value":{"path":"%s","content":"%s","encoding":"base64"}}\n' \
      "$f" "$(base64 -w0 "$dir/$f")"
  done >>"$out"
}

# The fastest sha256 on the machine (OpenSSL uses the SHA extensions where the CPU has them).
fast_sha256() { openssl dgst -sha256 -r "$1" | awk '{print $1}'; }

curl_upload_big() {
  local repo=$1 file=$2 oid
  oid=$(fast_sha256 "$file")
  hub_upload_lfs "$repo" "$file" big.bin "$oid" multipart >/dev/null
}

curl_download_many() {
  local repo=$1 dir=$2 list=$3 cfg="$BENCH_TMP/curl-many.cfg" f
  mkdir -p "$dir"
  : >"$cfg"
  while read -r f; do
    printf 'url = "%s/%s/resolve/main/%s"\noutput = "%s/%s"\n' "$HF_ENDPOINT" "$repo" "$f" "$dir" "${f//\//_}"
  done <"$list" >>"$cfg"
  curl -sS --fail -H "Authorization: Bearer $HF_TOKEN" -K "$cfg"
}

# case NAME CLIENT_TIMES CURL_TIMES
report() {
  local name=$1 c=$2 k=$3
  printf '  %-34s %9ss %9ss %8s\n' "$name" "$c" "$k" "$(ratio "$c" "$k")"
}

main() {
  require_cmd curl
  require_cmd jq
  require_spacehub
  bench_init
  require_free_mib "$BENCH_TMP" $((BIG_MIB * (RUNS * 2 + 3) + 512))

  local small="$BENCH_TMP/small" big="$BENCH_TMP/big.bin" i
  mkdir -p "$small"
  log "creating $SMALL_FILES files of $SMALL_BYTES bytes in 10 folders"
  for ((i = 0; i < SMALL_FILES; i++)); do
    mkdir -p "$small/d$((i % 10))"
    head -c "$SMALL_BYTES" /dev/urandom | base64 -w 76 | head -c "$SMALL_BYTES" >"$small/d$((i % 10))/f$i.txt"
  done
  make_random_file "$big" "$BIG_MIB"
  local ndjson="$BENCH_TMP/small.ndjson"
  make_small_commit "$small" "$ndjson"

  hub_start
  local cu_small=() cl_small=() cu_big=() cl_big=() cu_dls=() cl_dls=() cu_dlb=() cl_dlb=()
  local r repo repo_small repo_big side
  local list="$BENCH_TMP/list.txt"
  (cd "$small" && find . -type f | sed 's|^\./||') >"$list"
  for ((r = 1; r <= RUNS; r++)); do
    # Odd runs time curl first, even runs the client first, so that neither side always runs
    # right after the other's writes on this shared disk.
    local first=curl second=client
    ((r % 2 == 0)) && first=client second=curl
    for side in $first $second; do
      if [[ $side == curl ]]; then
        repo=$(hub_create_repo "curl-small-$r")
        cu_small+=("$(time_cmd hub_commit_ndjson "$repo" "$ndjson")")
        repo=$(hub_create_repo "curl-big-$r")
        cu_big+=("$(time_cmd curl_upload_big "$repo" "$big")")
      else
        repo_small=$(hub_create_repo "client-small-$r")
        cl_small+=("$(time_cmd client upload "$repo_small" "$small")")
        repo_big=$(hub_create_repo "client-big-$r")
        cl_big+=("$(time_cmd client upload "$repo_big" "$big" big.bin)")
      fi
    done
    log "run $r uploads: small curl ${cu_small[-1]}s client ${cl_small[-1]}s; big curl ${cu_big[-1]}s client ${cl_big[-1]}s"

    # downloads of what the client uploaded
    rm -rf "$BENCH_TMP/dl"
    for side in $first $second; do
      if [[ $side == curl ]]; then
        cu_dls+=("$(time_cmd curl_download_many "$repo_small" "$BENCH_TMP/dl/curl-small" "$list")")
        cu_dlb+=("$(time_cmd curl -sS --fail -H "Authorization: Bearer $HF_TOKEN" \
          -o "$BENCH_TMP/dl/curl-big.bin" "$HF_ENDPOINT/$repo_big/resolve/main/big.bin")")
      else
        cl_dls+=("$(time_cmd client download "$repo_small" --cache-dir "$BENCH_TMP/dl/client-small")")
        cl_dlb+=("$(time_cmd client download "$repo_big" big.bin --cache-dir "$BENCH_TMP/dl/client-big")")
      fi
    done
    log "run $r downloads: small curl ${cu_dls[-1]}s client ${cl_dls[-1]}s; big curl ${cu_dlb[-1]}s client ${cl_dlb[-1]}s"
    cmp -s "$big" "$(find "$BENCH_TMP/dl/client-big" -path '*snapshots*' -name big.bin)" ||
      die "client download of big.bin differs"
    [[ $(find -L "$BENCH_TMP/dl/client-small" -path '*snapshots*' -type f | wc -l) -ge $SMALL_FILES ]] ||
      die "client snapshot lacks files"
  done
  # sha256 of the big file alone: part of every upload, the floor for the client's upload time.
  local sha_t
  sha_t=$(time_cmd fast_sha256 "$big")

  echo
  print_conditions
  echo "spacehub client vs curl, same hub, same bytes; median wall seconds of $RUNS run(s)"
  printf '  %-34s %10s %10s %8s\n' "case" "client" "curl" "ratio"
  report "upload $SMALL_FILES x $SMALL_BYTES B files" "$(median "${cl_small[@]}")" "$(median "${cu_small[@]}")"
  report "upload 1 x $BIG_MIB MiB (LFS)" "$(median "${cl_big[@]}")" "$(median "${cu_big[@]}")"
  report "download $SMALL_FILES files (snapshot)" "$(median "${cl_dls[@]}")" "$(median "${cu_dls[@]}")"
  report "download 1 x $BIG_MIB MiB" "$(median "${cl_dlb[@]}")" "$(median "${cu_dlb[@]}")"
  echo "  (ratio = client / curl: 1.10 is the goal's limit. The curl upload of the big file includes"
  echo "   openssl's sha256 of it, which alone took ${sha_t}s.)"
}

main "$@"
