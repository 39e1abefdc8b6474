# Shared by the optional Python-client smoke scripts (python-client-smoke.sh, guide-smoke.sh): checks
# HF_HUB_SRC, installs the client's Debian dependencies, starts a throw-away hub and exports
# HF_ENDPOINT, HF_TOKEN, PYTHONPATH and SMOKE_WORK for the caller's Python. Source it after setting
# SMOKE_NAME. Exits 0 (skipped) when HF_HUB_SRC is unset.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

if [[ -z "${HF_HUB_SRC:-}" ]]; then
  echo "${SMOKE_NAME}: SKIPPED (set HF_HUB_SRC to a huggingface_hub v1.3.7 source checkout)"
  exit 0
fi
if [[ -d "$HF_HUB_SRC/src/huggingface_hub" ]]; then
  PY_SRC="$HF_HUB_SRC/src"
elif [[ -d "$HF_HUB_SRC/huggingface_hub" ]]; then
  PY_SRC="$HF_HUB_SRC"
else
  echo "${SMOKE_NAME}: no huggingface_hub package under $HF_HUB_SRC" >&2
  exit 1
fi

# Debian's packages for the client's runtime dependencies.
PY_PACKAGES=(python3 python3-httpx python3-filelock python3-fsspec python3-packaging python3-yaml python3-tqdm
  python3-typing-extensions python3-requests)
missing=()
for p in "${PY_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=()
  [[ $(id -u) -eq 0 ]] || SUDO=(sudo --preserve-env=DEBIAN_FRONTEND)
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

BIN="${SPACEHUB_BIN:-$ROOT/build/src/cli/spacehub}"
[[ -x "$BIN" ]] || { echo "${SMOKE_NAME}: $BIN not built (run scripts/build.sh)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/spacehub-pysmoke-XXXXXX")"
# Sandboxed Spaces and jobs run as their own host uids, which must pass through every directory
# above the data directory (mktemp makes it 0700); the data directory itself stays private.
chmod 0711 "$WORK"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/data"
"$BIN" serve --host 127.0.0.1 --port 0 --data-dir "$WORK/data" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!

endpoint="" token=""
for _ in $(seq 1 100); do
  endpoint="$(sed -n 's/^HF_ENDPOINT=\(http:\/\/127\.0\.0\.1:[0-9]*\)\s*$/\1/p' "$WORK/server.out" | head -n1)"
  token="$(sed -n 's/^HF_TOKEN=\(hf_[^[:space:]]*\)\s*$/\1/p' "$WORK/server.out" | head -n1)"
  [[ -n "$endpoint" && -n "$token" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.2
done
if [[ -z "$endpoint" || -z "$token" ]]; then
  echo "${SMOKE_NAME}: hub did not start" >&2
  cat "$WORK/server.out" "$WORK/server.err" >&2
  exit 1
fi
echo "${SMOKE_NAME}: hub at $endpoint"

export HF_ENDPOINT="$endpoint" HF_TOKEN="$token" HF_HOME="$WORK/hf_home" HF_HUB_DISABLE_XET=1 \
  HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_PROGRESS_BARS=1 PYTHONPATH="$PY_SRC" SMOKE_WORK="$WORK"
