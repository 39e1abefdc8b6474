# Sourced by scripts/test.sh and scripts/sanitize.sh: named steps that keep going after a failure
# and a summary table at the end. `step NAME CMD...` runs CMD, records "ok (Ns)" or "FAILED (exit
# E, Ns)" under NAME and sets failed=1 on failure; `summary TITLE` prints the table and the result.
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
