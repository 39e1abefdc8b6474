#!/usr/bin/env bash
# Sanitizer runs (docs/design/0007-fuzzing-and-sanitizers.md):
#   asan  ASan+UBSan build in build-asan/ (RelWithDebInfo, -fno-omit-frame-pointer): every unit test
#         (ctest) and the integration tests against build-asan/src/cli/spacehub.
#   tsan  TSan build in build-tsan/ of the concurrency-heavy unit tests only (HTTP server, proxy app
#         pool, client parallel, placement / settings race, log follower), run under TSan.
# Usage: scripts/sanitize.sh [asan|tsan|all] (default all). Environment: JOBS (build parallelism,
# default nproc), CXX (compiler, default the system c++), IT_FILTER (substring of the integration
# test files to run), SKIP_BUILD=1 (reuse the build dirs as they are), SKIP_IT=1 (no integration).
# Every sanitizer report goes to a log file under <build dir>/sanitizer-logs/ (the hub's own
# stderr is not always shown by the tests); any report there fails the run, and is printed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODE="${1:-all}"
JOBS="${JOBS:-$(nproc)}"
SUPP="$ROOT/scripts/sanitizer-suppressions"

# shellcheck source=scripts/steps.sh
source "$ROOT/scripts/steps.sh"

configure_and_build() { # DIR FLAGS [TARGETS...]
  local dir="$1" flags="$2"; shift 2
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    local launcher=()
    command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
      ${CXX:+-DCMAKE_CXX_COMPILER="$CXX"} \
      -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null || return 1
  fi
  local targets=()
  local t
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$dir" -j "$JOBS" "${targets[@]}"
}

# Fails (and prints them) when sanitizer logs were written under DIR.
no_reports() { # DIR
  local dir="$1"
  shopt -s nullglob
  local logs=("$dir"/*)
  shopt -u nullglob
  if ((${#logs[@]} == 0)); then
    echo "no sanitizer reports"
    return 0
  fi
  echo "${#logs[@]} sanitizer report file(s):" >&2
  local f
  for f in "${logs[@]}"; do
    echo "---- $f" >&2
    head -60 "$f" >&2
  done
  return 1
}

asan() {
  local dir="$ROOT/build-asan" logs="$ROOT/build-asan/sanitizer-logs"
  step asan-build configure_and_build "$dir" \
    "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  [[ "${result[asan-build]}" == ok* ]] || return
  rm -rf "$logs" && mkdir -p "$logs"
  # halt_on_error for unit tests (a report fails the test that caused it); log_path so that reports
  # from processes the tests start (the hub, its pre-receive hook) are kept.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:log_path=$logs/asan:suppressions=$SUPP/asan.supp"
  export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan:suppressions=$SUPP/ubsan.supp"
  step asan-unit-tests ctest --test-dir "$dir" --output-on-failure -j "$JOBS" --timeout 900
  step asan-unit-reports no_reports "$logs"
  if [[ "${SKIP_IT:-0}" != 1 ]]; then
    rm -rf "$logs" && mkdir -p "$logs"
    step asan-integration integration "$dir/src/cli/spacehub"
    step asan-integration-reports no_reports "$logs"
  fi
}

# The unit tests that run threads against each other (gtest filters per test binary).
TSAN_TESTS='^(ServerTest|AppPoolTest|ParallelForTest|ProgressSumTest|PlacementTest|SpaceSettingsRaceTest|GpuAllocatorTest|LogFollowerTest|BodyBudgetTest)\.'

tsan() {
  local dir="$ROOT/build-tsan" logs="$ROOT/build-tsan/sanitizer-logs"
  step tsan-build configure_and_build "$dir" "-fsanitize=thread -fno-omit-frame-pointer" \
    spacehub_http_test spacehub_proxy_test spacehub_client_test spacehub_service_test
  [[ "${result[tsan-build]}" == ok* ]] || return
  rm -rf "$logs" && mkdir -p "$logs"
  export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:log_path=$logs/tsan:suppressions=$SUPP/tsan.supp"
  # TSan's shadow layout (gcc 12) does not fit kernels with 28+ bits of mmap randomness: run
  # without address randomisation when setarch can do that.
  local wrap=()
  if setarch "$(uname -m)" -R true 2>/dev/null; then wrap=(setarch "$(uname -m)" -R); fi
  step tsan-tests "${wrap[@]}" ctest --test-dir "$dir" --output-on-failure -j "$JOBS" --timeout 900 \
    -R "$TSAN_TESTS"
  step tsan-reports no_reports "$logs"
}

case "$MODE" in
  asan) asan ;;
  tsan) tsan ;;
  all) asan; tsan ;;
  *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;;
esac

summary sanitizer
exit $failed
