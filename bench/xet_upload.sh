#!/usr/bin/env bash
# Issue #15: a Xet upload of a 1 GiB random file with the C++ client, against the client-side work
# it cannot avoid: `spacehub xet-chunks FILE --bench` (the content-defined chunker and the chunk
# hashes alone, one thread). Goal: chunk_time / upload_time >= 0.8.
# Then 1 MiB in the middle of the file changes and the same repo gets it again: the xorb bytes the
# client sent (its SPACEHUB_CLIENT_XET_STATS line) and the time, next to the first upload's.
#
# The upload (`spacehub upload`, defaults: Xet, 8 workers) does, in order: SHA-256 and chunking on
# two threads over the same bytes, the LFS batch, dedup queries, xorbs built from the page cache
# and POSTed on 4 threads (the hub re-hashes every chunk before storing), one shard (the hub reads
# the file back from its xorbs to check the SHA-256 the shard states), the commit.
#
#   bench/xet_upload.sh             # SIZE_MIB=1024 RUNS=2
set -euo pipefail
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-2}

# time_chunks FILE -> wall seconds of the chunk+hash pass
time_chunks() {
  local t0
  t0=$(now)
  "$SPACEHUB_BIN" xet-chunks "$1" --bench >"$BENCH_TMP/chunks.json"
  elapsed "$t0"
  log "xet-chunks: $(cat "$BENCH_TMP/chunks.json")"
}

# time_upload REPO FILE -> "seconds xorb_bytes_sent deduplicated_bytes"
time_upload() {
  local repo=$1 file=$2 t0 t stats
  sync  # the previous upload's dirty pages are written back outside the timing
  t0=$(now)
  SPACEHUB_CLIENT_XET_STATS=1 "$SPACEHUB_BIN" upload "$repo" "$file" big.bin \
    >/dev/null 2>"$BENCH_TMP/upload.err" || { cat "$BENCH_TMP/upload.err" >&2; die "upload failed"; }
  t=$(elapsed "$t0")
  stats=$(sed -n 's/^xet upload: \([0-9]*\) xorbs, \([0-9]*\) bytes sent, \([0-9]*\) bytes deduplicated.*$/\2 \3/p' \
    "$BENCH_TMP/upload.err")
  [[ -n $stats ]] || { cat "$BENCH_TMP/upload.err" >&2; die "the upload did not go through Xet"; }
  log "  $(grep -E '^(hashing|xet upload):' "$BENCH_TMP/upload.err" | tr '\n' ' ')"
  echo "$t $stats"
}

main() {
  require_cmd curl
  require_cmd jq
  bench_init
  require_free_mib "$BENCH_TMP" $((SIZE_MIB * 4 + 512))
  hub_start
  export HF_ENDPOINT HF_TOKEN
  # Each run has its own random file (else the second run's upload finds the first run's xorbs
  # and sends nothing) and its own repo; its re-upload changes 1 MiB in the middle of that file.
  local chunks=() ups=() reups=() sent=() resent=() t s d repo file i
  for ((i = 1; i <= RUNS; i++)); do
    file="$BENCH_TMP/blob$i.bin"
    make_random_file "$file" "$SIZE_MIB"
    sha256_of "$file" >/dev/null  # into the page cache
    t=$(time_chunks "$file")
    log "chunk+hash run $i: ${t}s"
    chunks+=("$t")
    repo=$(hub_create_repo "bench-xet-up-$i")
    read -r t s _ < <(time_upload "$repo" "$file")
    log "upload run $i: ${t}s, $s xorb bytes sent"
    ups+=("$t")
    sent+=("$s")
    dd if=/dev/urandom of="$file" bs=1M count=1 seek=$((SIZE_MIB / 2)) conv=notrunc status=none
    read -r t s d < <(time_upload "$repo" "$file")
    log "re-upload run $i: ${t}s, $s bytes sent, $d deduplicated"
    reups+=("$t")
    resent+=("$s")
    rm -f "$file"
  done

  echo
  print_conditions
  echo "Xet upload of a ${SIZE_MIB} MiB random file (page cache), every run:"
  for ((i = 0; i < RUNS; i++)); do
    printf '  run %d: chunk+hash %7.3f s   upload %7.3f s   ratio %s (goal >= 0.8)   %s bytes sent\n' \
      $((i + 1)) "${chunks[$i]}" "${ups[$i]}" "$(ratio "${chunks[$i]}" "${ups[$i]}")" "${sent[$i]}"
  done
  echo "after a 1 MiB change in the middle (same repo):"
  for ((i = 0; i < RUNS; i++)); do
    printf '  run %d: re-upload %7.3f s (%s of the first upload)   %s bytes sent (%s of the file)\n' \
      $((i + 1)) "${reups[$i]}" "$(ratio "${reups[$i]}" "${ups[$i]}")" "${resent[$i]}" \
      "$(ratio "${resent[$i]}" $((SIZE_MIB * 1048576)))"
  done
}

main "$@"
