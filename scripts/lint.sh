#!/usr/bin/env bash
# What CI checks besides the tests, each a step that fails the run:
#   format  clang-format (Google style, .clang-format) reports no drift in any C++ file;
#   layers  tools/check_layers.py: no include against the layers declared in src/*/CMakeLists.txt;
#   tidy    clang-tidy with the checks of .clang-tidy, every finding an error, plus clang's
#           -Wthread-safety analysis (GUARDED_BY, core/mutex.h), over every translation unit of src/
#           except the unit tests (*_test.cc: GoogleTest's macros are not worth the CI minutes).
# Needs build/compile_commands.json (scripts/build.sh). LINT_ONLY=format,layers runs a subset;
# LINT_JOBS sets clang-tidy's parallelism (default: the number of CPUs).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/steps.sh
source "$ROOT/scripts/steps.sh"

BUILD_DIR="${BUILD_DIR:-build}"
ONLY="${LINT_ONLY:-format,layers,tidy}"
wanted() { [[ ",$ONLY," == *",$1,"* ]]; }

cpp_files() { git ls-files -- '*.cc' '*.h' ':!:**/node_modules/**'; }

format() {
  cpp_files | xargs -r clang-format --dry-run -Werror
}

tidy() {
  if [[ ! -f "$BUILD_DIR/compile_commands.json" ]]; then
    echo "tidy: $BUILD_DIR/compile_commands.json is missing: run scripts/build.sh first" >&2
    return 1
  fi
  local runner
  runner="$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)"
  if [[ -z "$runner" ]]; then
    echo "tidy: run-clang-tidy is not installed (scripts/install-deps.sh installs clang-tidy)" >&2
    return 1
  fi
  # -Werror=thread-safety: the analysis' findings fail like any check; .clang-tidy's
  # WarningsAsErrors '*' makes every enabled check an error (it also lists what is off, and why).
  local out
  out="$(mktemp)"
  "$runner" -p "$BUILD_DIR" -j "${LINT_JOBS:-$(nproc)}" -quiet \
    -extra-arg=-Wthread-safety -extra-arg=-Werror=thread-safety \
    '^(?!.*_test\.cc$).*/src/.*\.cc$' >"$out" 2>&1
  local rc=$?
  sed -i -E 's/\x1b\[[0-9;]*m//g' "$out"  # run-clang-tidy colours its output even into a file
  # Only the findings (file:line: warning/error and the lines that explain them), not the progress.
  grep -E '^(/|src/).*: (warning|error): ' -A3 "$out" | grep -v '^--$' | head -400
  echo "findings by check (each place once):"
  grep -E '^(/|src/).*: (warning|error): ' "$out" | sort -u |
    sed -E 's/.*\[([a-zA-Z0-9.,-]+)\]$/\1/' | sort | uniq -c | sort -rn
  rm -f "$out"
  return $rc
}

wanted format && step format format
wanted layers && step layers python3 tools/check_layers.py
wanted tidy && step tidy tidy
summary lint
exit $failed
