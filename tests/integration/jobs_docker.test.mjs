// Docker-image jobs (issue #16): `serve --jobs-backend local` runs a job whose spec names a
// dockerImage with `podman run` of an image already in podman's default store (never pulled), in
// the jobs' own store, as a host uid that is not root. No registry is reachable here, so the images
// are made from the host's own files (podman_lib.mjs):
//  - the base image (python3 and sh) for plain `python3 -c` jobs;
//  - an image named like run_uv_job's default, `ghcr.io/astral-sh/uv:python3.12-bookworm`, holding
//    bash, base64, python3 and a STAND-IN for uv (UV_STANDIN below: `uv run [--with X]...
//    [--python V] SCRIPT ARGS...` execs the host's python3 on SCRIPT, installs nothing and ignores
//    the version). It is not uv: what is under test is the hub's part, accepting and running
//    exactly the body huggingface_hub 1.3.7's run_uv_job sends for a local script (the script
//    base64-encoded in the environment variable UV_SCRIPT_ENCODED, a `bash -c` command that
//    decodes it to /tmp/script.py and runs `uv run`). An image of that name that was not made
//    here (a real uv image an operator imported) is left alone and that test is skipped.
// Checked: env, secret (*** in the logs, its name only in JobInfo), COMPLETED; the job's process
// runs as a host uid that is not root and is gone after cancel; the uv body with a script as large
// as Linux lets one environment variable be (a larger one ends ERROR with the kernel's words); a
// missing image is a 400 naming it and creates nothing.
// Skipped, saying why, where bwrap or podman is missing or podman cannot run a container here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { startHub } from "./harness.mjs";
import { HAVE_BWRAP, waitFor } from "./runtime_lib.mjs";
import { SECRET, jobLogs, jobProcesses } from "./jobs_lib.mjs";
import { BASE, makeImage, podmanSkipReason } from "./podman_lib.mjs";

// run_uv_job's default image in huggingface_hub 1.3.7.
const UV_IMAGE = "ghcr.io/astral-sh/uv:python3.12-bookworm";

// The stand-in for uv (see the top of this file). It reports how it was called on stderr, so the
// test sees that the command line arrived as the client wrote it.
const UV_STANDIN = `#!/bin/sh
# NOT uv: a test stand-in (spacehub tests/integration/jobs_docker.test.mjs). No package index is
# reachable here; it runs SCRIPT with the image's python3, installs nothing, ignores --python.
if [ "$1" != run ]; then echo "uv stand-in: only 'uv run' is supported" >&2; exit 2; fi
shift
with=""
python=""
while [ $# -gt 0 ]; do
  case "$1" in
    --with) with="$with $2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    -*) echo "uv stand-in: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
echo "uv stand-in: run with:$with python: $python script: $1" >&2
exec python3 "$@"
`;

const skip = await podmanSkipReason(HAVE_BWRAP);
let uvSkip = skip;
if (!skip) {
  try {
    const ours = await makeImage(UV_IMAGE, {
      binaries: ["bash", "base64"],
      files: { "/usr/local/bin/uv": { content: UV_STANDIN, mode: 0o755 } },
      stickyTmp: true,
    });
    if (!ours) uvSkip = `an image ${UV_IMAGE} not made by these tests is in podman's store; it is left alone`;
  } catch (e) {
    uvSkip = `cannot make the uv stand-in image: ${e.message}`;
  }
}
if (skip) console.log(`# jobs_docker.test.mjs skipped: ${skip}`);
else if (uvSkip) console.log(`# jobs_docker.test.mjs: the run_uv_job test is skipped: ${uvSkip}`);

let hub;
const run = (spec) => hub.api("POST", "/api/jobs/admin", { token: hub.token, json: { arguments: [], environment: {}, flavor: "cpu-basic", ...spec } });
const inspect = async (id) => {
  const r = await hub.api("GET", `/api/jobs/admin/${id}`, { token: hub.token });
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const waitJob = (id, stages, ms = 90_000) =>
  waitFor(`job ${id} in ${stages}`, async () => {
    const j = await inspect(id);
    return stages.includes(j.status.stage) ? j : null;
  }, ms);
// What the command printed (the hub's own "spacehub: ..." lines left out).
const output = async (id) => (await jobLogs(hub, "admin", id)).filter((l) => !l.startsWith("spacehub:"));
const hostUid = (pid) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

// Python's json.dumps as requests writes a `json=` body (", " and ": " separators, keys in order).
function pyDumps(v) {
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(", ")}]`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`).join(", ")}}`;
  return JSON.stringify(v);
}

// The body huggingface_hub 1.3.7 sends for run_uv_job(script=<a local file>, script_args=args,
// dependencies=deps, python=python): _create_uv_command_env_and_secrets (the script inline,
// base64, in UV_SCRIPT_ENCODED; the command joined with single spaces) then _create_job_spec
// (command, arguments [], environment, flavor, then dockerImage; no secrets or timeout given).
function uvJobBody(script, { args = [], deps = [], python } = {}) {
  const uvArgs = [...deps.flatMap((d) => ["--with", d]), ...(python ? ["--python", python] : [])];
  const command = ["bash", "-c", `echo "$UV_SCRIPT_ENCODED" | base64 -d > /tmp/script.py && uv run ${uvArgs.join(" ")} /tmp/script.py ${args.join(" ")}`];
  return pyDumps({
    command,
    arguments: [],
    environment: { UV_SCRIPT_ENCODED: Buffer.from(script).toString("base64") },
    flavor: "cpu-basic",
    dockerImage: UV_IMAGE,
  });
}

// A Python script of `bytes` bytes: a large comment-free string constant whose hash it prints,
// with its arguments and the version of the Python that runs it.
function bigScript(bytes) {
  const head = "import hashlib, sys\nPAD = '''";
  const tail = "'''\nprint('uv script ran', sys.argv[1:], 'pad', hashlib.sha256(PAD.encode()).hexdigest())\n";
  const pad = "spacehub ".repeat(Math.ceil(bytes / 9)).slice(0, bytes - head.length - tail.length);
  return { script: head + pad + tail, padSha: createHash("sha256").update(pad).digest("hex") };
}

before(async () => {
  if (skip) return;
  hub = await startHub({ args: ["--space-runtime", "local", "--jobs-backend", "local"] });
});

after(async () => {
  if (!hub) return;
  assert.ok(!hub.stdout.includes(SECRET) && !hub.stderr.includes(SECRET), "the secret value is in the hub's output");
  await hub.stop();
});

test("a Docker-image job gets its env and secret, completes, and its logs redact the secret", { skip }, async () => {
  const r = await run({
    dockerImage: BASE,
    command: ["python3", "-c", "import os; print('hello', os.environ['GREETING']); print('secret', os.environ['MY_SECRET']); print('id', os.environ['JOB_ID']); print('cores', os.environ['CPU_CORES'])"],
    environment: { GREETING: "from-a-container" },
    secrets: { MY_SECRET: SECRET },
  });
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.text.includes(SECRET), "the secret value came back in the answer");
  const job = r.json;
  assert.equal(job.dockerImage, BASE);
  assert.equal(job.spaceId ?? null, null);
  assert.deepEqual(job.secrets, ["MY_SECRET"]);
  assert.deepEqual(job.environment, { GREETING: "from-a-container" });
  const done = await waitJob(job.id, ["COMPLETED", "ERROR", "CANCELED"]);
  assert.equal(done.status.stage, "COMPLETED", JSON.stringify(done.status));
  assert.equal(done.dockerImage, BASE);
  assert.deepEqual(done.secrets, ["MY_SECRET"]);
  const lines = await output(job.id);
  assert.deepEqual(lines, ["hello from-a-container", "secret ***", `id ${job.id}`, "cores 2"]);
  const all = await hub.api("GET", "/api/jobs/admin", { token: hub.token });
  assert.ok(!all.text.includes(SECRET), "the secret value is in the job list");
  assert.ok(all.json.some((j) => j.id === job.id && j.dockerImage === BASE));
  assert.deepEqual(jobProcesses(job.id), []);
});

test("a Docker-image job runs as a host uid that is not root, and cancel leaves no process", { skip }, async () => {
  const r = await run({ dockerImage: BASE, command: ["python3", "-c", "import os, time; print('uid', os.getuid(), flush=True); time.sleep(600)"] });
  assert.equal(r.status, 200, r.text);
  const id = r.json.id;
  await waitJob(id, ["RUNNING"]);
  const first = await waitFor("the job's first line", async () => (await jobLogs(hub, "admin", id, { follow: false })).find((l) => l.startsWith("uid ")));
  const inside = Number(first.split(" ")[1]);
  const pids = await waitFor("the job's process", () => (jobProcesses(id).length ? jobProcesses(id) : null));
  // Every process of the job is an unprivileged host uid: the container's ids are a block of
  // their own (root inside is the block's base, recorded for the jobs under spaces/.jobs).
  const block = path.join(hub.dataDir, "spaces", ".jobs", "host-ids");
  for (const pid of pids) {
    const uid = hostUid(pid);
    assert.notEqual(uid, 0, `process ${pid} of the job runs as host root`);
    assert.ok(uid >= 65536, `process ${pid} runs as host uid ${uid}, inside a host account's range`);
    if (existsSync(block)) assert.equal(uid, Number(readFileSync(block, "utf8")) + inside, `process ${pid}`);
  }
  const c = await hub.api("POST", `/api/jobs/admin/${id}/cancel`, { token: hub.token });
  assert.equal(c.status, 200, c.text);
  const done = await waitJob(id, ["CANCELED", "ERROR", "COMPLETED"], 30_000);
  assert.equal(done.status.stage, "CANCELED");
  await waitFor("no process of the canceled job", () => jobProcesses(id).length === 0, 15_000);
});

test("run_uv_job's body from huggingface_hub 1.3.7 (a local script inline, base64 in the env) runs in the uv image", { skip: uvSkip, timeout: 120_000 }, async () => {
  // Linux refuses any one environment string over 128 KiB (MAX_ARG_STRLEN) at exec, in every
  // container: so the largest script that can run this way is ~96 KB (its base64 just under it).
  const { script, padSha } = bigScript(96_000);
  const body = uvJobBody(script, { args: ["arg1"], deps: ["requests"], python: "3.12" });
  assert.ok(body.length > 128_000, `a body of ${body.length} bytes`);
  const r = await hub.api("POST", "/api/jobs/admin", { token: hub.token, body, headers: { "Content-Type": "application/json" } });
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assert.equal(r.json.dockerImage, UV_IMAGE);
  assert.equal(r.json.command[0], "bash");
  const done = await waitJob(r.json.id, ["COMPLETED", "ERROR", "CANCELED"]);
  const lines = await output(r.json.id);
  assert.equal(done.status.stage, "COMPLETED", `${JSON.stringify(done.status)}\n${lines.join("\n").slice(0, 2000)}`);
  assert.ok(lines.includes("uv stand-in: run with: requests python: 3.12 script: /tmp/script.py"), lines.join("\n"));
  assert.ok(lines.includes(`uv script ran ['arg1'] pad ${padSha}`), lines.join("\n"));
});

test("a run_uv_job script too large for one environment variable is a 400 saying why, and creates nothing", { skip: uvSkip }, async () => {
  // ~200 KB: its base64 (~267 KB) is over the kernel's 128 KiB per environment string, so no
  // process could be started with it (on the Hub's machines neither): refused up front.
  const { script } = bigScript(200_000);
  const body = uvJobBody(script, { args: ["arg1"], deps: ["requests"], python: "3.12" });
  const before = (await hub.api("GET", "/api/jobs/admin", { token: hub.token })).json.length;
  const r = await hub.api("POST", "/api/jobs/admin", { token: hub.token, body, headers: { "Content-Type": "application/json" } });
  assert.equal(r.status, 400, r.text.slice(0, 500));
  assert.match(r.json.error, /UV_SCRIPT_ENCODED.*128 KiB/);
  assert.equal((await hub.api("GET", "/api/jobs/admin", { token: hub.token })).json.length, before);
});

test("a missing image is a 400 that names it, and creates nothing", { skip }, async () => {
  const before = (await hub.api("GET", "/api/jobs/admin", { token: hub.token })).json.length;
  const image = "registry.example/spacehub-test/not-here:1";
  const r = await run({ dockerImage: image, command: ["true"] });
  assert.equal(r.status, 400, r.text);
  assert.ok(r.json.error.includes(`'${image}'`), r.json.error);
  assert.match(r.json.error, /not available on this hub/);
  assert.ok(r.headers.get("x-error-message"), "no X-Error-Message");
  const after = await hub.api("GET", "/api/jobs/admin", { token: hub.token });
  assert.equal(after.json.length, before);
  assert.ok(!after.text.includes(image));
});
