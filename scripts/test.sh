#!/usr/bin/env bash
# Quick start: install dependencies, build, run the unit tests (ctest) and the integration tests
# (node --test against the real binary). Exits non-zero if anything fails.
#   SKIP_INSTALL=1 / SKIP_BUILD=1 / SKIP_LINT=1 skip those steps; IT_FILTER=<substring> runs only matching integration test files;
#   FUZZ_RUNS=<n> executions per fuzz target in the fuzz smoke (default 20000, fixed seed; 0 skips it).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=scripts/steps.sh
source "$ROOT/scripts/steps.sh"

if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
  step install-deps scripts/install-deps.sh
  if ((failed)); then summary test; exit 1; fi
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  step build scripts/build.sh
  if ((failed)); then summary test; exit 1; fi
fi

# Format drift, includes against the layers, clang-tidy and -Wthread-safety (scripts/lint.sh).
if [[ "${SKIP_LINT:-0}" != 1 ]]; then
  step lint scripts/lint.sh
fi

step unit-tests ctest --test-dir build --output-on-failure -j2

# The installed client package links on its own (Xet included): examples/ built out of tree against
# `cmake --install build --component client` in a temp prefix (scripts/check-client-install.sh).
step client-install scripts/check-client-install.sh build

step integration-tests integration "${SPACEHUB_BIN:-$ROOT/build/src/cli/spacehub}"

# A short libFuzzer run of each parser harness (fuzz/, scripts/fuzz.sh): FUZZ_RUNS executions per
# target (default 20000; 0 skips) from the seeds and every past finding, with a fixed seed: the
# same work on a fast or a slow machine. Needs clang; the fuzz build compiles only the parsers.
if [[ "${FUZZ_RUNS:-20000}" != 0 ]] && command -v clang++ >/dev/null 2>&1; then
  step fuzz-smoke env FUZZ_RUNS="${FUZZ_RUNS:-20000}" scripts/fuzz.sh
fi

summary test
exit $failed
