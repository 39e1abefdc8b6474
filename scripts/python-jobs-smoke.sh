#!/usr/bin/env bash
# Jobs with the real Python client (issue #16): huggingface_hub v1.3.7 from a source checkout runs a
# job in a Space's environment with env and a secret (COMPLETED, logs through fetch_job_logs, the
# secret never shown), a failing command (ERROR), cancel_job, a timeout, list_jobs,
# list_jobs_hardware, another user's 404, an unknown flavor's 4xx, and a scheduled job (runs on its
# schedule, suspend, resume, delete). Skipped without the source; not part of CI (PyPI is not
# reachable from CI, and the source is not vendored).
#   HF_HUB_SRC=/path/to/huggingface_hub-checkout scripts/python-jobs-smoke.sh
SMOKE_NAME=python-jobs-smoke
# shellcheck source=lib/python-client-hub.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-client-hub.sh"

OTHER_TOKEN="$("$BIN" admin --data-dir "$WORK/data" user create mallory >/dev/null &&
  "$BIN" admin --data-dir "$WORK/data" token create mallory --role write | grep -o 'hf_[A-Za-z0-9_-]*')"
export OTHER_TOKEN

timeout 600 /usr/bin/python3 - <<'PY'
import os, secrets, time

import huggingface_hub
from huggingface_hub import HfApi

print("huggingface_hub", huggingface_hub.__version__, "→", os.environ["HF_ENDPOINT"])
api = HfApi()
me = api.whoami()["name"]
SECRET = "sk_py_" + secrets.token_hex(8)

space = f"{me}/jobenv-{secrets.token_hex(3)}"
api.create_repo(space, repo_type="space", space_sdk="gradio")
app = (b"import http.server, os\n"
       b"http.server.ThreadingHTTPServer(('0.0.0.0', int(os.environ['PORT'])), "
       b"http.server.SimpleHTTPRequestHandler).serve_forever()\n")
api.upload_file(path_or_fileobj=app, path_in_repo="app.py", repo_id=space, repo_type="space")
deadline = time.time() + 120
while api.get_space_runtime(space).stage != "RUNNING":
    assert time.time() < deadline, api.get_space_runtime(space)
    time.sleep(0.5)


def wait(job, stages=("COMPLETED", "ERROR", "CANCELED"), limit=90):
    end = time.time() + limit
    while True:
        j = api.inspect_job(job_id=job.id)
        if j.status.stage in stages:
            return j
        assert time.time() < end, j.status
        time.sleep(0.5)


image = f"hf.co/spaces/{space}"
job = api.run_job(image=image, command=["python", "-c", "import os; print('hi', os.environ['WHO']); print('s', os.environ['TOK'])"],
                  env={"WHO": "python"}, secrets={"TOK": SECRET})
assert job.space_id == space and job.owner.name == me, job
assert job.url.endswith(f"/jobs/{me}/{job.id}"), job.url
done = wait(job)
assert done.status.stage == "COMPLETED", done.status
logs = list(api.fetch_job_logs(job_id=job.id))
assert "hi python" in logs and "s ***" in logs, logs
assert SECRET not in repr(done) and all(SECRET not in l for l in logs)
print("run_job + fetch_job_logs ok:", [l for l in logs if not l.startswith("spacehub:")])

bad = api.run_job(image=image, command=["sh", "-c", "exit 7"])
assert wait(bad).status.stage == "ERROR"

long = api.run_job(image=image, command=["sleep", "600"])
wait(long, ("RUNNING",))
api.cancel_job(job_id=long.id)
assert wait(long, ("CANCELED",), 30).status.stage == "CANCELED"

slow = api.run_job(image=image, command=["sleep", "600"], timeout="2s")
t = wait(slow, ("ERROR", "COMPLETED", "CANCELED"), 60)
assert t.status.stage == "ERROR" and "timeout" in (t.status.message or ""), t.status

ids = {j.id for j in api.list_jobs()}
assert {job.id, bad.id, long.id, slow.id} <= ids
hw = api.list_jobs_hardware()
assert any(h.name == "cpu-basic" for h in hw), hw

other = HfApi(token=os.environ["OTHER_TOKEN"])
try:
    other.inspect_job(job_id=job.id, namespace=me)
    raise AssertionError("another user saw the job")
except Exception as e:  # 1.3.7's inspect_job raises httpx's own error
    assert e.response.status_code == 404, e
try:
    api.run_job(image=image, command=["true"], flavor="warp-drive")
    raise AssertionError("an unknown flavor was accepted")
except Exception as e:
    assert e.response.status_code == 400 and "warp-drive" in e.response.text, e

s = api.create_scheduled_job(image=image, command=["echo", "tick"], schedule="* * * * *")
assert s.schedule == "* * * * *" and not s.suspend
end = time.time() + 90
while (info := api.inspect_scheduled_job(scheduled_job_id=s.id)).status.last_job is None:
    assert time.time() < end, "no scheduled run"
    time.sleep(1)
print("scheduled run:", info.status.last_job)
api.suspend_scheduled_job(scheduled_job_id=s.id)
assert api.inspect_scheduled_job(scheduled_job_id=s.id).suspend
api.resume_scheduled_job(scheduled_job_id=s.id)
assert not api.inspect_scheduled_job(scheduled_job_id=s.id).suspend
assert any(x.id == s.id for x in api.list_scheduled_jobs())
api.delete_scheduled_job(scheduled_job_id=s.id)
print("python-jobs-smoke: OK")
PY
