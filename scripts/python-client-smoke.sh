#!/usr/bin/env bash
# Optional smoke test with the real Python client (huggingface_hub v1.3.7 from a source checkout; PyPI is not
# reachable here, so its dependencies come from Debian packages). Not part of CI.
#   HF_HUB_SRC=/path/to/huggingface_hub-checkout scripts/python-client-smoke.sh
# HF_HUB_SRC may be the checkout root (containing src/huggingface_hub) or its src/ folder.
# SPACEHUB_BIN overrides the server binary (default build/src/cli/spacehub).
SMOKE_NAME=python-client-smoke
# shellcheck source=lib/python-client-hub.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-client-hub.sh"

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
