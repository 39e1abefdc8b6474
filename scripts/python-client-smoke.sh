#!/usr/bin/env bash
# Optional smoke test with the real Python client (huggingface_hub v1.3.7 from a source checkout; PyPI is not
# reachable here, so its dependencies come from Debian packages). Not part of CI.
#   HF_HUB_SRC=/path/to/huggingface_hub-checkout scripts/python-client-smoke.sh
# HF_HUB_SRC may be the checkout root (containing src/huggingface_hub) or its src/ folder.
# SPACEHUB_BIN overrides the server binary (default build/src/cli/spacehub).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z "${HF_HUB_SRC:-}" ]]; then
  echo "python-client-smoke: SKIPPED (set HF_HUB_SRC to a huggingface_hub v1.3.7 source checkout)"
  exit 0
fi
if [[ -d "$HF_HUB_SRC/src/huggingface_hub" ]]; then
  PY_SRC="$HF_HUB_SRC/src"
elif [[ -d "$HF_HUB_SRC/huggingface_hub" ]]; then
  PY_SRC="$HF_HUB_SRC"
else
  echo "python-client-smoke: no huggingface_hub package under $HF_HUB_SRC" >&2
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
[[ -x "$BIN" ]] || { echo "python-client-smoke: $BIN not built (run scripts/build.sh)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/spacehub-pysmoke-XXXXXX")"
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
  echo "python-client-smoke: hub did not start" >&2
  cat "$WORK/server.out" "$WORK/server.err" >&2
  exit 1
fi
echo "python-client-smoke: hub at $endpoint"

export HF_ENDPOINT="$endpoint" HF_TOKEN="$token" HF_HOME="$WORK/hf_home" HF_HUB_DISABLE_XET=1 \
  HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_PROGRESS_BARS=1 PYTHONPATH="$PY_SRC" SMOKE_WORK="$WORK"

timeout 600 /usr/bin/python3 - <<'PY'
import hashlib, os, pathlib, secrets

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_download, snapshot_download

print("huggingface_hub", huggingface_hub.__version__, "→", os.environ["HF_ENDPOINT"])
work = pathlib.Path(os.environ["SMOKE_WORK"])
api = HfApi()

me = api.whoami()
assert me["name"] == "admin", me
repo_id = f"{me['name']}/pysmoke-{secrets.token_hex(4)}"

url = api.create_repo(repo_id)
assert url.repo_id == repo_id, url
api.create_repo(repo_id, exist_ok=True)  # 409 + url is swallowed

folder = work / "upload"
(folder / "sub").mkdir(parents=True)
(folder / "README.md").write_text("---\nlicense: mit\ntags:\n- smoke\n---\n# smoke\n")
(folder / "sub" / "small.txt").write_text("hello from python\n")
big = secrets.token_bytes(12 * 1024 * 1024)
(folder / "big.bin").write_bytes(big)
info = api.upload_folder(folder_path=folder, repo_id=repo_id, commit_message="upload folder")
print("committed", info.oid)

cache = work / "cache"
p = hf_hub_download(repo_id, "big.bin", cache_dir=cache)
assert hashlib.sha256(pathlib.Path(p).read_bytes()).hexdigest() == hashlib.sha256(big).hexdigest()
p = hf_hub_download(repo_id, "sub/small.txt", cache_dir=cache)
assert pathlib.Path(p).read_text() == "hello from python\n"

snap = pathlib.Path(snapshot_download(repo_id, cache_dir=work / "cache2"))
for rel in ["README.md", "sub/small.txt", "big.bin"]:
    assert (snap / rel).read_bytes() == (folder / rel).read_bytes(), rel

tree = {e.path: e for e in api.list_repo_tree(repo_id, recursive=True)}
assert {"README.md", "sub/small.txt", "big.bin"} <= set(tree), sorted(tree)
assert getattr(tree["big.bin"], "lfs", None) is not None, tree["big.bin"]
assert tree["big.bin"].size == len(big)

api.create_branch(repo_id, branch="dev")
api.create_tag(repo_id, tag="v1", tag_message="first")
refs = api.list_repo_refs(repo_id)
assert {b.name for b in refs.branches} >= {"main", "dev"}, refs
assert "v1" in {t.name for t in refs.tags}, refs

commits = api.list_repo_commits(repo_id)
assert commits[0].title == "upload folder", commits[0]

assert api.file_exists(repo_id, "big.bin")
assert not api.file_exists(repo_id, "nope.bin")

api.delete_repo(repo_id, missing_ok=True)
api.delete_repo(repo_id, missing_ok=True)
assert not api.repo_exists(repo_id)
print("python-client-smoke: OK")
PY
