#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, docs/design/0007-fuzzing-and-sanitizers.md) with clang,
# -fsanitize=fuzzer,address,undefined, in build-fuzz/, and runs each for SECONDS (default 60).
# Prints, per target: executions, exec/s, coverage (edges, features), corpus size and findings.
# A finding (crash, failed invariant, leak, timeout, out-of-memory) is saved under
# build-fuzz/findings/<target>/ and makes the script exit 1; replay one with
#   build-fuzz/fuzz/fuzz_<target> <file>
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   Environment: JOBS (build parallelism, default
# nproc), FUZZ_UNIT_TIMEOUT, SKIP_BUILD=1.
# FUZZ_RUNS=N (CI): instead of SECONDS, exactly N executions per target from the seeds (every past
# finding among them) with a fixed seed (FUZZ_SEED, default 1): nearly the same inputs every run,
# whatever the machine's speed, rather than however far a timed run happened to get.
# The corpus grown by a run stays in build-fuzz/corpus/<target>/ (the seeds in fuzz/<target>/corpus/
# are only read), so later runs start from it.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECS="${1:-60}"
shift || true
BUILD="$ROOT/build-fuzz"
JOBS="${JOBS:-$(nproc)}"
ALL_TARGETS=(range repo_id front_matter lfs_pointer ref_updates raw_head commit_ndjson lfs_batch multipart xorb shard)
if (($#)); then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

CXX_FUZZ="${CXX_FUZZ:-$(command -v clang++ || command -v clang++-14 || true)}"
if [[ -z "$CXX_FUZZ" ]]; then
  echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$CXX_FUZZ" "${launcher[@]}" -DSPACEHUB_FUZZ=ON \
    -DSPACEHUB_BUILD_TESTS=OFF >/dev/null || exit 1
  cmake --build "$BUILD" -j "$JOBS" --target spacehub_fuzzers || exit 1
fi

# Leaks are findings too; so is a slow input (one unit over FUZZ_UNIT_TIMEOUT seconds, default 30:
# room for a busy machine) or one over 2 GB.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# libFuzzer's artifacts that are findings (a slow-unit-* file is only a note: a busy machine makes
# them).
count_findings() {
  find "$1" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l
}

rows=()
failed=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/fuzz/fuzz_$t"
  if [[ ! -x "$bin" ]]; then
    echo "fuzz: no harness $t" >&2
    failed=1
    continue
  fi
  corpus="$BUILD/corpus/$t"
  findings="$BUILD/findings/$t"
  mkdir -p "$corpus" "$findings"
  log="$BUILD/logs/$t.log"
  mkdir -p "$(dirname "$log")"
  if [[ -n "${FUZZ_RUNS:-}" ]]; then
    # A fresh corpus each time: what earlier runs grew would make this run differ.
    corpus="$(mktemp -d)"
    budget=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
    echo "==> fuzz $t ($FUZZ_RUNS runs, seed ${FUZZ_SEED:-1})"
  else
    budget=(-max_total_time="$SECS")
    echo "==> fuzz $t (${SECS}s)"
  fi
  before=$(count_findings "$findings")
  start=$SECONDS
  "$bin" "${budget[@]}" -print_final_stats=1 -timeout="${FUZZ_UNIT_TIMEOUT:-30}" -rss_limit_mb=2048 \
    -max_len=4096 \
    -artifact_prefix="$findings/" "$corpus" "$ROOT/fuzz/$t/corpus" >"$log" 2>&1
  rc=$?
  took=$((SECONDS - start))
  [[ -n "${FUZZ_RUNS:-}" ]] && rm -rf "$corpus"
  after=$(count_findings "$findings")
  execs=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
  rate=$((execs / (took > 0 ? took : 1)))
  last=$(grep -aE '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
  new=$((after - before))
  status=ok
  if ((rc != 0 || new > 0)); then
    status="FINDING (exit $rc, $new new file(s) in build-fuzz/findings/$t/)"
    failed=1
    grep -aE 'ERROR: |invariant failed|runtime error|SUMMARY' "$log" | head -5
  fi
  rows+=("$(printf '%-14s %12s %9s %6s %7s %10s  %s' "$t" "$execs" "$rate" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status")")
done

echo
if [[ -n "${FUZZ_RUNS:-}" ]]; then per="$FUZZ_RUNS runs, seed ${FUZZ_SEED:-1}"; else per="${SECS}s"; fi
echo "==================== spacehub fuzz summary ($per per target) ===================="
printf '%-14s %12s %9s %6s %7s %10s  %s\n' target executions exec/s cov ft corpus result
for r in "${rows[@]}"; do echo "$r"; done
echo "logs: build-fuzz/logs/<target>.log"
exit $failed
