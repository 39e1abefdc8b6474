#!/usr/bin/env bash
# Runs steps 1-6 of the "Manage your Space" guide (shared/seed/manage-your-space.txt) as written, with
# only the repo ids changed, through the real Python client (huggingface_hub v1.3.7 from a source
# checkout; its dependencies from Debian packages). Optional, not part of CI (no PyPI/GitHub there).
#   HF_HUB_SRC=/path/to/huggingface_hub-checkout scripts/guide-smoke.sh
# HF_HUB_SRC may be the checkout root (containing src/huggingface_hub) or its src/ folder.
# SPACEHUB_BIN overrides the server binary (default build/src/cli/spacehub).
SMOKE_NAME=guide-smoke
# shellcheck source=lib/python-client-hub.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-client-hub.sh"

timeout 600 /usr/bin/python3 -W always - <<'PY'
import os, pathlib, secrets, warnings

import huggingface_hub
from huggingface_hub import HfApi, SpaceHardware, SpaceStorage
from huggingface_hub.errors import HfHubHTTPError

print("huggingface_hub", huggingface_hub.__version__, "→", os.environ["HF_ENDPOINT"])
work = pathlib.Path(os.environ["SMOKE_WORK"])
api = HfApi()
me = api.whoami()["name"]
suffix = secrets.token_hex(3)
repo_id = f"{me}/my-cool-training-space-{suffix}"

def show(step, runtime):
    print(f"{step}: stage={runtime.stage} hardware={runtime.hardware} requested={runtime.requested_hardware} "
          f"sleep_time={runtime.sleep_time} storage={runtime.storage}")

# 1. Create a Space on the Hub.
api.create_repo(repo_id=repo_id, repo_type="space", space_sdk="gradio")
show("1 create", api.get_space_runtime(repo_id))

# 1 (bis). Duplicate a Space (the guide duplicates someone else's public Space).
source = f"{me}/dreambooth-training-{suffix}"
api.create_repo(repo_id=source, repo_type="space", space_sdk="gradio")
api.upload_file(path_or_fileobj=b"print('hi')\n", path_in_repo="app.py", repo_id=source, repo_type="space")
dup = api.duplicate_space(source, to_id=f"dreambooth-copy-{suffix}")
print("1bis duplicate →", dup.repo_id)
assert dup.repo_id == f"{me}/dreambooth-copy-{suffix}", dup
assert "app.py" in [s.rfilename for s in api.space_info(dup.repo_id).siblings]

# 2. Upload your code.
src = work / "src"
src.mkdir()
(src / "app.py").write_text("print('hello from the guide')\n")
(src / "README.md").write_text("---\ntitle: Guide\nsdk: gradio\napp_file: app.py\n---\n# guide\n")
api.upload_folder(repo_id=repo_id, repo_type="space", folder_path=str(src))
show("2 upload", api.get_space_runtime(repo_id))

# 3. Configure secrets and variables.
api.add_space_secret(repo_id=repo_id, key="HF_TOKEN", value="hf_api_guide_secret_value")
api.add_space_variable(repo_id=repo_id, key="MODEL_REPO_ID", value="user/repo")
print("3 variables:", api.get_space_variables(repo_id))
api.delete_space_secret(repo_id=repo_id, key="HF_TOKEN")
api.delete_space_variable(repo_id=repo_id, key="MODEL_REPO_ID")
assert api.get_space_variables(repo_id) == {}

# Bonus: secrets and variables at creation and duplication.
bonus = f"{me}/guide-bonus-{suffix}"
api.create_repo(
    repo_id=bonus, repo_type="space", space_sdk="gradio",
    space_secrets=[{"key": "HF_TOKEN", "value": "hf_api_guide_secret_value"}],
    space_variables=[{"key": "MODEL_REPO_ID", "value": "user/repo"}],
)
assert api.get_space_variables(bonus)["MODEL_REPO_ID"].value == "user/repo"
api.duplicate_space(
    from_id=bonus, to_id=f"guide-bonus-dup-{suffix}",
    secrets=[{"key": "HF_TOKEN", "value": "hf_api_guide_secret_value"}],
    variables=[{"key": "MODEL_REPO_ID", "value": "user/repo"}],
)

# 4. Configure the hardware.
api.request_space_hardware(repo_id=repo_id, hardware=SpaceHardware.T4_MEDIUM)
api.request_space_hardware(repo_id=repo_id, hardware="t4-medium")
runtime = api.get_space_runtime(repo_id=repo_id)
show("4 hardware", runtime)
print("  message:", runtime.raw.get("message"))
assert runtime.requested_hardware == "t4-medium"

# Bonus: hardware at creation / duplication ("7200" as a string, as the guide writes it).
hw = f"{me}/guide-hw-{suffix}"
api.create_repo(repo_id=hw, repo_type="space", space_sdk="gradio", space_hardware="cpu-upgrade",
                space_storage="small", space_sleep_time="7200")
show("4 create cpu-upgrade", api.get_space_runtime(hw))
assert api.get_space_runtime(hw).sleep_time == 7200
api.duplicate_space(from_id=hw, to_id=f"guide-hw-dup-{suffix}", hardware="cpu-upgrade", storage="small", sleep_time="7200")
show("4 duplicate cpu-upgrade", api.get_space_runtime(f"{me}/guide-hw-dup-{suffix}"))

# 5. Pause and restart; sleep time.
show("5 pause", api.pause_space(repo_id=repo_id))
show("5 restart", api.restart_space(repo_id=repo_id))
show("5 factory restart", api.restart_space(repo_id=repo_id, factory_reboot=True))
show("5 sleep 3600", api.set_space_sleep_time(repo_id=repo_id, sleep_time=3600))
show("5 hardware+sleep", api.request_space_hardware(repo_id=repo_id, hardware=SpaceHardware.T4_MEDIUM, sleep_time=3600))
basic = f"{me}/guide-basic-{suffix}"
api.create_repo(repo_id=basic, repo_type="space", space_sdk="gradio")
try:
    api.set_space_sleep_time(repo_id=basic, sleep_time=3600)
    raise AssertionError("cpu-basic accepted a custom sleep time")
except HfHubHTTPError as e:
    print("5 cpu-basic sleep refused:", e.response.status_code, e.response.headers.get("x-error-message"))
    assert e.response.status_code == 400
api.create_repo(repo_id=f"{me}/guide-t4-{suffix}", repo_type="space", space_sdk="gradio",
                space_hardware="t4-medium", space_sleep_time="3600")
show("5 create t4-medium", api.get_space_runtime(f"{me}/guide-t4-{suffix}"))

# 6. Persistent storage.
show("6 storage large", api.request_space_storage(repo_id=repo_id, storage=SpaceStorage.LARGE))
try:
    api.request_space_storage(repo_id=repo_id, storage=SpaceStorage.SMALL)
    raise AssertionError("storage was lowered")
except HfHubHTTPError as e:
    print("6 lowering refused:", e.response.status_code, e.response.headers.get("x-error-message"))
show("6 delete storage", api.delete_space_storage(repo_id=repo_id))
api.create_repo(repo_id=f"{me}/guide-storage-{suffix}", repo_type="space", space_sdk="gradio", space_storage="large")
api.duplicate_space(from_id=f"{me}/guide-storage-{suffix}", to_id=f"guide-storage-dup-{suffix}", storage="large")
show("6 duplicate large", api.get_space_runtime(f"{me}/guide-storage-dup-{suffix}"))

info = api.space_info(repo_id)
print("space_info.runtime:", info.runtime.stage, info.runtime.hardware, info.runtime.requested_hardware)
print("guide-smoke: OK")
PY
grep -q hf_api_guide_secret_value "$WORK/server.out" "$WORK/server.err" && { echo "guide-smoke: a secret value reached the server log" >&2; exit 1; }
echo "guide-smoke: passed"
