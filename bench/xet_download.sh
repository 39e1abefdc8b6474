#!/usr/bin/env bash
# Issue #15: downloading a 1 GiB random file with the C++ client (`spacehub download`, fresh cache
# each run) when the hub stores it as Xet (the client rebuilds it from the v2 reconstruction:
# one Range GET per term, chunks decoded and written in place on up to 4 threads) vs the same
# bytes stored as a plain LFS object (uploaded with --no-xet to another repo; one GET, the hub
# sends the file). Goal: lfs_time / xet_time >= 1.0. Every run's numbers are printed.
#
#   bench/xet_download.sh             # SIZE_MIB=1024 RUNS=2
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-2}

# time_download REPO [--no-xet] -> seconds; checks the bytes
time_download() {
  local repo=$1 cache="$BENCH_TMP/cache.$RANDOM" t0 t got
  shift
  sync  # the previous run's 1 GiB of dirty pages is written back outside the timing
  t0=$(now)
  got=$("$SPACEHUB_BIN" download "$repo" big.bin --cache-dir "$cache" "$@" 2>"$BENCH_TMP/dl.err") ||
    { cat "$BENCH_TMP/dl.err" >&2; die "download failed"; }
  t=$(elapsed "$t0")
  [[ $(sha256_of "$got") == "$OID" ]] || die "downloaded bytes differ"
  rm -rf "$cache"
  echo "$t"
}

main() {
  require_cmd curl
  require_cmd jq
  bench_init
  require_free_mib "$BENCH_TMP" $((SIZE_MIB * 4 + 512))
  local file="$BENCH_TMP/blob.bin" i
  make_random_file "$file" "$SIZE_MIB"
  OID=$(sha256_of "$file")
  hub_start
  export HF_ENDPOINT HF_TOKEN
  local xet_repo lfs_repo
  xet_repo=$(hub_create_repo bench-xet-dl)
  lfs_repo=$(hub_create_repo bench-lfs-dl)
  SPACEHUB_CLIENT_XET_STATS=1 "$SPACEHUB_BIN" upload "$xet_repo" "$file" big.bin >/dev/null 2>"$BENCH_TMP/up.err"
  grep -q '^xet upload:' "$BENCH_TMP/up.err" || die "the upload did not go through Xet"
  "$SPACEHUB_BIN" upload "$lfs_repo" "$file" big.bin --no-xet >/dev/null
  [[ -f $HUB_DATA/lfs/objects/${OID:0:2}/${OID:2:2}/$OID ]] || die "the --no-xet upload is not in the LFS store"

  # Both stores were written around the page cache (O_DIRECT): read them once, so that every run
  # measures what the header says (hub files in the page cache), run 1 included.
  find "$HUB_DATA/xet/xorbs" "$HUB_DATA/lfs/objects" -type f -exec cat {} + >/dev/null
  local xet=() lfs=() t
  for ((i = 1; i <= RUNS; i++)); do
    t=$(time_download "$xet_repo")
    log "xet run $i: ${t}s"
    xet+=("$t")
    t=$(time_download "$lfs_repo" --no-xet)
    log "lfs run $i: ${t}s"
    lfs+=("$t")
  done
  echo
  print_conditions
  echo "C++ client download of a ${SIZE_MIB} MiB file (fresh cache each run; hub files in page cache):"
  for ((i = 0; i < RUNS; i++)); do
    printf '  run %d: xet %7.3f s (%6.1f MB/s)   lfs %7.3f s (%6.1f MB/s)   ratio lfs/xet %s (goal >= 1.0)\n' \
      $((i + 1)) "${xet[$i]}" "$(awk -v s="${xet[$i]}" -v m="$SIZE_MIB" 'BEGIN {print m * 1048576 / s / 1e6}')" \
      "${lfs[$i]}" "$(awk -v s="${lfs[$i]}" -v m="$SIZE_MIB" 'BEGIN {print m * 1048576 / s / 1e6}')" \
      "$(ratio "${lfs[$i]}" "${xet[$i]}")"
  done
}

main "$@"
