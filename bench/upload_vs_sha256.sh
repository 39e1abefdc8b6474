#!/usr/bin/env bash
# Issue #2, goal 2: a 1 GiB LFS upload (the server streams the body to disk and checks its SHA-256)
# vs `openssl dgst -sha256` of the same file. Goal: openssl_time / hub_time >= 0.9.
#
# Each upload is of new content (16 random bytes at the start of the file) into a new repo, so the
# server streams, verifies and stores the whole body every time (an object it already has is only
# verified).
# Two upload paths are measured:
#   basic      one PUT of the whole file to the signed grant URL (curl -T)
#   multipart  what the batch answers for objects >= 512 MiB: sequential part PUTs + completion POST
#
#   multipart  sequential part PUTs + completion POST; the hub is started with
#              --lfs-multipart-threshold-mb $MULTIPART_THRESHOLD_MB (its default, 5 GiB like the Hub's,
#              would hand a 1 GiB object a basic upload and leave nothing to measure)
# A third reference, `dd oflag=direct conv=fsync` of the same bytes into a new file in the hub's
# data dir, shows what the disk allows: the hub makes the object durable before it answers,
# openssl does not.
#
#   bench/upload_vs_sha256.sh             # SIZE_MIB=1024 RUNS=3 MULTIPART=1 by default
set -euo pipefail
# A failure inside $(...) (a part PUT answered 404, a batch without parts) must stop the bench, not
# leave an empty time that prints as 0.000 s.
shopt -s inherit_errexit
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
MULTIPART=${MULTIPART:-1}
MULTIPART_THRESHOLD_MB=${MULTIPART_THRESHOLD_MB:-512}

time_openssl() {
  local t0
  t0=$(now)
  openssl dgst -sha256 "$1" >/dev/null
  elapsed "$t0"
}

# The disk's limit for "write these bytes and make them durable" (O_DIRECT, like the hub).
time_dd_fsync() {
  local t0 out="$HUB_DATA/dd.$RANDOM.bin"
  t0=$(now)
  dd if="$1" of="$out" bs=4M oflag=direct conv=fsync status=none
  elapsed "$t0"
  rm -f "$out"
}

# Dies unless $2 is a positive number of seconds (an empty or zero time means nothing was measured).
require_time() {
  awk -v t="$2" 'BEGIN {exit !(t ~ /^[0-9.]+$/ && t > 0)}' || die "$1: no time measured ('$2')"
}

# new_content FILE -> the new sha256 after overwriting its first 16 bytes with random ones (the rest
# stays in the page cache); drops the parts split from the old content
new_content() {
  rm -rf "$1".parts.*  # split_parts' copies of the old content
  dd if=/dev/urandom of="$1" bs=16 count=1 conv=notrunc status=none
  sha256_of "$1"
}

# upload_run N FILE OID MODE -> seconds for the upload (PUT, or parts + complete)
upload_run() {
  local n=$1 file=$2 oid=$3 mode=$4 size repo obj t
  size=$(stat -c %s "$file")
  repo=$(hub_create_repo "bench-upload-$mode-$n")
  obj=$(lfs_batch "$repo" "$oid" "$size")
  jq -e '.actions.upload' <<<"$obj" >/dev/null || die "batch offered no upload: $obj"
  if [[ $mode == multipart ]]; then
    jq -e '.actions.upload.header.chunk_size' <<<"$obj" >/dev/null ||
      die "batch answered no multipart upload for $size bytes (threshold ${MULTIPART_THRESHOLD_MB} MiB?)"
    t=$(lfs_put_multipart "$obj" "$file")
    log "multipart run $n: parts $(cut -d' ' -f1 <<<"$t")s + complete $(cut -d' ' -f2 <<<"$t")s"
    t=$(awk '{printf "%.3f\n", $1 + $2}' <<<"$t")
  else
    t=$(lfs_put_basic "$(lfs_basic_url "$obj")" "$file")
    log "basic run $n: PUT ${t}s"
  fi
  lfs_verify "$obj"
  require_time "$mode run $n" "$t"
  echo "$t"
}

main() {
  require_cmd curl
  require_cmd jq
  require_cmd openssl
  bench_init
  require_free_mib "$BENCH_TMP" $((SIZE_MIB * 3 + 512))

  local file="$BENCH_TMP/blob.bin" oid i
  make_random_file "$file" "$SIZE_MIB"
  oid=$(sha256_of "$file") # also pulls the file into the page cache
  ((MULTIPART_THRESHOLD_MB <= SIZE_MIB)) || ((!MULTIPART)) ||
    die "MULTIPART_THRESHOLD_MB=$MULTIPART_THRESHOLD_MB > SIZE_MIB=$SIZE_MIB: no multipart upload"
  hub_start --lfs-multipart-threshold-mb "$MULTIPART_THRESHOLD_MB"

  local ossl=() disk=() basic=() multi=() t
  for ((i = 1; i <= RUNS; i++)); do
    t=$(time_openssl "$file")
    log "openssl run $i: ${t}s"
    ossl+=("$t")
    t=$(time_dd_fsync "$file")
    log "dd run $i: ${t}s"
    disk+=("$t")
    # A new object for every upload: one already stored is only verified, not written again,
    # which is not what this measures.
    oid=$(new_content "$file")
    basic+=("$(upload_run "$i" "$file" "$oid" basic)")
    if ((MULTIPART)); then
      oid=$(new_content "$file")
      multi+=("$(upload_run "$i" "$file" "$oid" multipart)")
    fi
  done

  local m_ossl m_disk m_basic
  m_ossl=$(median "${ossl[@]}")
  m_disk=$(median "${disk[@]}")
  m_basic=$(median "${basic[@]}")
  echo
  print_conditions
  echo "upload of a ${SIZE_MIB} MiB file vs sha256 of it, median of $RUNS runs (file in page cache)"
  printf '  %-38s %8.3f s  %7.1f MB/s\n' "openssl dgst -sha256" "$m_ossl" \
    "$(awk -v s="$m_ossl" -v m="$SIZE_MIB" 'BEGIN {print m * 1048576 / s / 1e6}')"
  printf '  %-38s %8.3f s  %7.1f MB/s\n' "dd oflag=direct conv=fsync (disk)" "$m_disk" \
    "$(awk -v s="$m_disk" -v m="$SIZE_MIB" 'BEGIN {print m * 1048576 / s / 1e6}')"
  printf '  %-38s %8.3f s  %7.1f MB/s\n' "hub basic PUT (curl -T, one request)" "$m_basic" \
    "$(awk -v s="$m_basic" -v m="$SIZE_MIB" 'BEGIN {print m * 1048576 / s / 1e6}')"
  printf '  %-38s %8s      (goal >= 0.9)   dd/hub %s\n' "ratio openssl/hub (basic)" \
    "$(ratio "$m_ossl" "$m_basic")" "$(ratio "$m_disk" "$m_basic")"
  if ((MULTIPART)); then
    local m_multi
    m_multi=$(median "${multi[@]}")
    printf '  %-38s %8.3f s  %7.1f MB/s\n' "hub multipart (parts + complete)" "$m_multi" \
      "$(awk -v s="$m_multi" -v m="$SIZE_MIB" 'BEGIN {print m * 1048576 / s / 1e6}')"
    printf '  %-38s %8s      (goal >= 0.9)   dd/hub %s\n' "ratio openssl/hub (multipart)" \
    "$(ratio "$m_ossl" "$m_multi")" "$(ratio "$m_disk" "$m_multi")"
  fi
}

main "$@"
