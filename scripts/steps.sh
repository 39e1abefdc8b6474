# Sourced by scripts/test.sh, sanitize.sh and lint.sh: named steps that keep going after a failure
# and a summary table at the end. `step NAME CMD...` runs CMD, records "ok (Ns)" or "FAILED (exit
# E, Ns)" under NAME and sets failed=1 on failure; `summary TITLE` prints the table and the result.
# `integration BIN` runs the integration test files (IT_FILTER: a substring of their names;
# IT_CONCURRENCY: files at once, default 2) against the server binary BIN.
declare -A result=()
order=()
failed=0
step() { # step NAME CMD...
  local name="$1"; shift
  order+=("$name")
  echo
  echo "==> $name"
  local start=$SECONDS
  if "$@"; then
    result[$name]="ok ($((SECONDS - start))s)"
  else
    result[$name]="FAILED (exit $?, $((SECONDS - start))s)"
    failed=1
  fi
}
summary() { # summary TITLE
  echo
  echo "==================== spacehub $1 summary ===================="
  local n
  for n in "${order[@]}"; do printf '  %-26s %s\n' "$n" "${result[$n]}"; done
  if ((failed)); then echo "  RESULT: FAILED"; else echo "  RESULT: PASSED"; fi
  echo "==============================================================="
}

integration() { # integration BIN
  local bin="$1"
  if [[ ! -x "$bin" ]]; then
    echo "integration: server binary not found at $bin" >&2
    return 1
  fi
  local files=()
  local f
  for f in tests/integration/*.test.mjs; do
    [[ -n "${IT_FILTER:-}" && "$f" != *"$IT_FILTER"* ]] && continue
    files+=("$f")
  done
  if ((${#files[@]} == 0)); then
    echo "integration: no test files" >&2
    return 1
  fi
  # Every test file starts its own hub (own temp data dir, port 0), so files can run in parallel.
  SPACEHUB_BIN="$bin" node --test --test-reporter=spec --test-concurrency="${IT_CONCURRENCY:-2}" \
    --test-timeout=300000 "${files[@]}"
}
