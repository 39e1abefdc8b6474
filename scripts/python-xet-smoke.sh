#!/usr/bin/env bash
# Optional smoke test: files stored with Xet (uploaded by @huggingface/hub with its default
# settings) read by the Python client huggingface_hub v1.3.7 without hf_xet — its LFS path: HEAD on
# resolve sees X-Xet-Hash, finds no hf_xet, and downloads the plain bytes. Also the tree's xetHash
# the file's LFS info in paths-info. PyPI is not reachable here, so this needs a source checkout; not part of CI
# (tests/integration/xet.test.mjs covers the same reads with curl and git-lfs).
#   HF_HUB_SRC=/path/to/huggingface_hub-checkout scripts/python-xet-smoke.sh
SMOKE_NAME=python-xet-smoke
# shellcheck source=lib/python-client-hub.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-client-hub.sh"

export XET_REPO="admin/xetsmoke-$RANDOM"
# The upload: the JS client with its defaults (Xet on), from the integration tests' node_modules.
(cd "$ROOT/tests/integration" && timeout 300 node --input-type=module - <<'JS'
import * as hf from "@huggingface/hub";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
const creds = { accessToken: process.env.HF_TOKEN, hubUrl: process.env.HF_ENDPOINT };
const repo = { type: "model", name: process.env.XET_REPO };
await hf.createRepo({ ...creds, repo });
const data = Buffer.alloc(20 * 1024 * 1024);
for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
let sent = 0;
const fetchSpy = async (url, init = {}) => {
  if (String(url).includes("/cas/v1/xorbs/")) sent += init.body?.byteLength ?? init.body?.size ?? 0;
  return fetch(url, init);
};
await hf.uploadFiles({ ...creds, repo, fetch: fetchSpy, files: [{ path: "weights.bin", content: new Blob([data]) }] });
if (sent === 0) throw new Error("the upload did not go through Xet");
writeFileSync(process.env.SMOKE_WORK + "/expected.sha256", createHash("sha256").update(data).digest("hex"));
console.log(`uploaded ${data.length} bytes as xorbs (${sent} bytes sent)`);
JS
)

timeout 600 /usr/bin/python3 - <<'PY'
import hashlib, os, pathlib

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_download, get_hf_file_metadata, hf_hub_url
from huggingface_hub.utils._runtime import is_xet_available

print("huggingface_hub", huggingface_hub.__version__, "hf_xet available:", is_xet_available())
work = pathlib.Path(os.environ["SMOKE_WORK"])
repo = os.environ["XET_REPO"]
expected = (work / "expected.sha256").read_text().strip()
api = HfApi()

meta = get_hf_file_metadata(hf_hub_url(repo, "weights.bin"))
assert meta.xet_file_data is not None, "resolve must announce Xet"
print("xet file hash", meta.xet_file_data.file_hash)
info = api.get_paths_info(repo, ["weights.bin"])[0]  # 1.3.7's RepoFile has no xetHash field
assert info.lfs.sha256 == expected, info

# The token calls hf_xet would make, through the client's own header parsing.
from huggingface_hub.utils._xet import XetTokenType, fetch_xet_connection_info_from_repo_info, refresh_xet_connection_info
from huggingface_hub.utils import build_hf_headers
for kind in (XetTokenType.READ, XetTokenType.WRITE):
    conn = fetch_xet_connection_info_from_repo_info(
        token_type=kind, repo_id=repo, repo_type="model", revision="main", headers=build_hf_headers())
    assert conn.endpoint == os.environ["HF_ENDPOINT"] + "/cas" and conn.access_token, conn
conn = refresh_xet_connection_info(file_data=meta.xet_file_data, headers=build_hf_headers())
print("xet tokens from the client's own calls; CAS at", conn.endpoint)

p = hf_hub_download(repo, "weights.bin", cache_dir=work / "cache")
assert hashlib.sha256(pathlib.Path(p).read_bytes()).hexdigest() == expected
print("hf_hub_download: same bytes")
PY
echo "python-xet-smoke: OK"
