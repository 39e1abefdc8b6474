// The Jobs tests (issue #16), defined once and run against each backend: jobs.test.mjs (local) and
// jobs_slurm.test.mjs (a one-machine Slurm cluster). Each test drives the hub's HTTP API the way
// huggingface_hub's HfApi.run_job / inspect_job / fetch_job_logs / cancel_job do, and checks the
// processes on this machine: a job that ended leaves none behind.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, appendFileSync, utimesSync } from "node:fs";
import path from "node:path";

import { startHub, uniqueName } from "./harness.mjs";
import { HELLO_APP, createSpace, waitStage, waitFor } from "./runtime_lib.mjs";

export const SECRET = "sk_job_SECRET_4242";

// Host processes whose environment carries JOB_ID=<id> (the job's own, inside its sandbox).
export function jobProcesses(id) {
  const out = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`JOB_ID=${id}`)) out.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

// Cgroup directories named for the job's instance (`job-<id>`), in any hierarchy: the hub's own
// trees sit a few levels below /sys/fs/cgroup/<controller>.
export function jobCgroups(id) {
  const out = [];
  const walk = (dir, depth) => {
    if (depth > 7) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name === `job-${id}`) out.push(p);
      else walk(p, depth + 1);
    }
  };
  walk("/sys/fs/cgroup", 0);
  return out;
}

// The job's log lines as fetch_job_logs reads them: `data: {` events only.
export async function jobLogs(hub, ns, id, { token = hub.token, follow = true } = {}) {
  const q = follow ? "" : "?follow=false";
  const r = await hub.api("GET", `/api/jobs/${ns}/${id}/logs${q}`, { token, timeoutMs: 120_000 });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get("content-type"), /text\/event-stream/);
  return r.text
    .split("\n")
    .filter((l) => l.startsWith("data: {"))
    .map((l) => JSON.parse(l.slice(6)).data);
}

/**
 * Defines the jobs tests. `hubArgs`: serve flags for the backend; `skip`: a reason to skip all;
 * `prepare(hub)`: runs after the hub started; `survivesRestart`: jobs outlive a killed hub (Slurm);
 * `hubEndpoint`: jobs reach the hub at HF_ENDPOINT (local); false: they get none (Slurm).
 */
export function defineJobTests({ hubArgs = [], skip = false, prepare, survivesRestart = false, hubEndpoint = true, clusterQueue = false }) {
  let hub;
  let space;
  let other;
  const run = (spec, token = hub.token, ns = "admin") =>
    hub.api("POST", `/api/jobs/${ns}`, { token, json: { arguments: [], environment: {}, flavor: "cpu-basic", ...spec } });
  const inspect = async (id, token = hub.token) => {
    const r = await hub.api("GET", `/api/jobs/admin/${id}`, { token });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const waitJob = (id, stages, ms = 90_000) =>
    waitFor(`job ${id} in ${stages}`, async () => {
      const j = await inspect(id);
      return stages.includes(j.status.stage) ? j : null;
    }, ms);
  const inSpace = (command, extra = {}) => run({ spaceId: `admin/${space}`, command, ...extra });

  before(async () => {
    if (skip) return;
    hub = await startHub({ args: ["--space-runtime", "local", ...hubArgs] });
    if (prepare) await prepare(hub);
    // A node of 10 vCPU for non-free flavors: one cpu-upgrade (8 vCPU) at a time.
    const file = path.join(hub.dataDir, "hardware.yaml");
    const { atime, mtimeMs } = statSync(file);
    appendFileSync(file, "node:\n  cpu: 10\n");
    utimesSync(file, atime, new Date(mtimeMs + 2000));
    space = uniqueName("jobenv");
    await createSpace(hub, space, [{ path: "app.py", content: HELLO_APP }]);
    await waitStage(hub, space, ["RUNNING"]);
    other = await hub.createUser(uniqueName("mallory"));
  });

  after(async () => hub && (await hub.stop()));

  test("a job in a Space's environment gets its env and secret, completes, and its logs redact the secret", { skip }, async () => {
    const r = await inSpace(
      ["python", "-c", "import os, sys; print('hello', os.environ['GREETING']); print('venv', sys.prefix); print('secret', os.environ['MY_SECRET']); print('id', os.environ['JOB_ID']); print('endpoint', os.environ.get('HF_ENDPOINT'))"],
      { environment: { GREETING: "world" }, secrets: { MY_SECRET: SECRET } },
    );
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes(SECRET), "the secret value came back in the answer");
    const job = r.json;
    assert.match(job.id, /^[0-9a-f]{24}$/);
    assert.deepEqual(job.owner.name, "admin");
    assert.deepEqual(job.secrets, ["MY_SECRET"]);
    assert.equal(job.spaceId, `admin/${space}`);
    const done = await waitJob(job.id, ["COMPLETED", "ERROR"]);
    assert.equal(done.status.stage, "COMPLETED", JSON.stringify(done.status));
    assert.ok(done.startedAt && done.finishedAt);
    const lines = await jobLogs(hub, "admin", job.id);
    assert.ok(lines.includes("hello world"), lines.join("\n"));
    assert.ok(lines.includes("venv /app/.venv"), lines.join("\n"));
    assert.ok(lines.includes("secret ***"), lines.join("\n"));
    assert.ok(lines.includes(`id ${job.id}`), lines.join("\n"));
    const endpoint = hubEndpoint ? `endpoint http://127.0.0.1:${hub.port}` : "endpoint None";
    assert.ok(lines.includes(endpoint), lines.join("\n"));
    const all = await hub.api("GET", "/api/jobs/admin", { token: hub.token });
    assert.ok(!all.text.includes(SECRET));
    assert.ok(all.json.some((j) => j.id === job.id));
    assert.deepEqual(jobProcesses(job.id), []);
  });

  test("a failing command ends ERROR with its exit code", { skip }, async () => {
    const r = await inSpace(["sh", "-c", "echo about to fail; exit 3"]);
    assert.equal(r.status, 200, r.text);
    const done = await waitJob(r.json.id, ["COMPLETED", "ERROR"]);
    assert.equal(done.status.stage, "ERROR");
    assert.equal(done.status.exitCode, 3);
    assert.match(done.status.message, /exited with code 3/);
    assert.ok((await jobLogs(hub, "admin", r.json.id)).includes("about to fail"));
  });

  test("cancel stops a running job within seconds and leaves no process", { skip }, async () => {
    const r = await inSpace(["sh", "-c", "echo started; exec sleep 600"]);
    assert.equal(r.status, 200, r.text);
    const id = r.json.id;
    await waitJob(id, ["RUNNING"]);
    await waitFor("the job's first line", async () => (await jobLogs(hub, "admin", id, { follow: false })).includes("started"));
    const c = await hub.api("POST", `/api/jobs/admin/${id}/cancel`, { token: hub.token });
    assert.equal(c.status, 200, c.text);
    const t0 = Date.now();
    const done = await waitJob(id, ["CANCELED", "ERROR", "COMPLETED"], 30_000);
    assert.equal(done.status.stage, "CANCELED");
    await waitFor("no process of the canceled job", () => jobProcesses(id).length === 0, 15_000);
    assert.ok(Date.now() - t0 < 30_000);
  });

  test("a job past its timeout is stopped with ERROR and says why", { skip }, async () => {
    const r = await inSpace(["sleep", "600"], { timeoutSeconds: 2 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.timeoutSeconds, 2);
    const done = await waitJob(r.json.id, ["ERROR", "COMPLETED", "CANCELED"], 60_000);
    assert.equal(done.status.stage, "ERROR");
    assert.match(done.status.message, /timeout of 2 s/);
    await waitFor("no process of the timed-out job", () => jobProcesses(r.json.id).length === 0, 15_000);
  });

  test("another user's jobs do not exist for them", { skip }, async () => {
    const r = await inSpace(["true"]);
    const id = r.json.id;
    for (const [method, p] of [
      ["GET", `/api/jobs/admin/${id}`],
      ["GET", `/api/jobs/admin/${id}/logs`],
      ["GET", `/api/jobs/admin/${id}/metrics`],
      ["POST", `/api/jobs/admin/${id}/cancel`],
      ["GET", "/api/jobs/admin"],
      ["POST", "/api/jobs/admin"],
      ["GET", "/api/scheduled-jobs/admin"],
    ]) {
      const res = await hub.api(method, p, { token: other, json: method === "POST" ? { dockerImage: "x", command: ["true"] } : undefined });
      assert.equal(res.status, 404, `${method} ${p}: ${res.status} ${res.text}`);
      assert.ok(res.headers.get("x-error-message"), "no X-Error-Message");
    }
    // Their own namespace works, and the admin's job is not in it.
    const mine = await hub.api("GET", `/api/jobs/${(await hub.api("GET", "/api/whoami-v2", { token: other })).json.name}`, { token: other });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.json, []);
    const anon = await hub.api("GET", `/api/jobs/admin/${id}`);
    assert.equal(anon.status, 401);
  });

  test("bad specs are refused with a clear 4xx and create nothing", { skip }, async () => {
    const before = (await hub.api("GET", "/api/jobs/admin", { token: hub.token })).json.length;
    const cases = [
      [{ spaceId: `admin/${space}`, command: ["true"], flavor: "warp-drive" }, 400, /Unknown flavor 'warp-drive'/],
      [{ dockerImage: "spacehub-test/no-such-image:1", command: ["true"] }, 400, /not available|cannot run Docker/],
      [{ spaceId: "admin/no-such-space", command: ["true"] }, 400, /not found/],
      [{ spaceId: `admin/${space}`, command: [] }, 400, /needs a command/],
      [{ spaceId: `admin/${space}`, dockerImage: "python:3", command: ["true"] }, 400, /exactly one/],
      [{ spaceId: `admin/${space}`, command: ["true"], environment: { "BAD-NAME": "x" } }, 400, /Invalid environment variable name/],
      [{ spaceId: `admin/${space}`, command: "true" }, 400, /command must be a list/],
      [{ spaceId: `admin/${space}`, command: ["true"], timeoutSeconds: -5 }, 400, /timeout/],
      [{ spaceId: `admin/${space}`, command: ["true"], volumes: [{ type: "bucket", source: "x/y", mountPath: "/d" }] }, 400, /volumes/],
    ];
    for (const [spec, status, re] of cases) {
      const r = await run(spec);
      assert.equal(r.status, status, `${JSON.stringify(spec)}: ${r.text}`);
      assert.match(r.json.error, re);
      assert.equal(r.headers.get("x-error-code") !== null || r.headers.get("x-error-message") !== null, true);
    }
    const notJson = await hub.api("POST", "/api/jobs/admin", { token: hub.token, body: "{nope", headers: { "Content-Type": "application/json" } });
    assert.equal(notJson.status, 400);
    const after = (await hub.api("GET", "/api/jobs/admin", { token: hub.token })).json.length;
    assert.equal(after, before);
  });

  test("a job waits while its flavor is full and starts when capacity frees", { skip }, async () => {
    const a = await inSpace(["sh", "-c", "exec sleep 600"], { flavor: "cpu-upgrade" });
    assert.equal(a.status, 200, a.text);
    await waitJob(a.json.id, ["RUNNING"]);
    const b = await inSpace(["echo", "b ran"], { flavor: "cpu-upgrade" });
    assert.equal(b.status, 200, b.text);
    // Locally the hub places jobs beside the Spaces on its node of 10 vCPU; on a cluster (its node
    // started with 10 CPUs) the cluster's queue decides, and its reason is the message.
    const reason = clusterQueue ? /waiting in the Slurm queue \((Resources|Priority)\)/ : /Waiting for hardware/;
    const waiting = await waitFor("b waiting with a reason", async () => {
      const j = await inspect(b.json.id);
      return reason.test(j.status.message) ? j : null;
    });
    assert.equal(waiting.status.stage, "SCHEDULING");
    if (!clusterQueue) {
      assert.match(waiting.status.message, /'cpu-upgrade' needs 8 vCPU and only 2 of the node's 10 are free/);
      // The Spaces share the node: a Space asking for cpu-upgrade now waits for the job's unit too.
      const req = await hub.api("POST", `/api/spaces/admin/${space}/hardware`, { token: hub.token, json: { flavor: "cpu-upgrade" } });
      assert.equal(req.status, 200, req.text);
      assert.deepEqual(req.json.hardware, { current: "cpu-basic", requested: "cpu-upgrade" });
      assert.match(req.json.message, /Waiting for hardware/);
      const back = await hub.api("POST", `/api/spaces/admin/${space}/hardware`, { token: hub.token, json: { flavor: "cpu-basic" } });
      assert.equal(back.status, 200, back.text);
    }
    await hub.api("POST", `/api/jobs/admin/${a.json.id}/cancel`, { token: hub.token });
    const done = await waitJob(b.json.id, ["COMPLETED", "ERROR"]);
    assert.equal(done.status.stage, "COMPLETED", JSON.stringify(done.status));
    assert.ok((await jobLogs(hub, "admin", b.json.id)).includes("b ran"));
  });

  test("a scheduled job runs on its schedule; suspend stops it, resume restarts it, run now starts one", { skip, timeout: 200_000 }, async () => {
    const create = await hub.api("POST", "/api/scheduled-jobs/admin", {
      token: hub.token,
      json: { jobSpec: { spaceId: `admin/${space}`, command: ["echo", "tick"], arguments: [], environment: {}, flavor: "cpu-basic" }, schedule: "* * * * *" },
    });
    assert.equal(create.status, 200, create.text);
    const s = create.json;
    assert.equal(s.schedule, "* * * * *");
    assert.equal(s.suspend, false);
    assert.ok(s.status.nextJobRunAt);
    // The first run comes at the next whole minute.
    const ran = await waitFor("a scheduled run", async () => {
      const j = (await hub.api("GET", `/api/scheduled-jobs/admin/${s.id}`, { token: hub.token })).json;
      return j.status.lastJob ? j : null;
    }, 90_000);
    const run1 = await waitJob(ran.status.lastJob.id, ["COMPLETED", "ERROR"]);
    assert.equal(run1.status.stage, "COMPLETED");
    // The hub's own lines ("spacehub: limits …") surround what the command printed.
    assert.deepEqual((await jobLogs(hub, "admin", run1.id)).filter((l) => !l.startsWith("spacehub:")), ["tick"]);
    const sus = await hub.api("POST", `/api/scheduled-jobs/admin/${s.id}/suspend`, { token: hub.token });
    assert.equal(sus.status, 200, sus.text);
    const suspended = (await hub.api("GET", `/api/scheduled-jobs/admin/${s.id}`, { token: hub.token })).json;
    assert.equal(suspended.suspend, true);
    assert.equal(suspended.status.nextJobRunAt, undefined);
    const res = await hub.api("POST", `/api/scheduled-jobs/admin/${s.id}/resume`, { token: hub.token });
    assert.equal(res.status, 200, res.text);
    const resumed = (await hub.api("GET", `/api/scheduled-jobs/admin/${s.id}`, { token: hub.token })).json;
    assert.equal(resumed.suspend, false);
    assert.ok(Date.parse(resumed.status.nextJobRunAt) > Date.now());
    const now = await hub.api("POST", `/api/scheduled-jobs/admin/${s.id}/run`, { token: hub.token });
    assert.equal(now.status, 200, now.text);
    const triggered = await waitJob(now.json.id, ["COMPLETED", "ERROR"]);
    assert.equal(triggered.status.stage, "COMPLETED");
    const list = await hub.api("GET", "/api/scheduled-jobs/admin", { token: hub.token });
    assert.ok(list.json.some((x) => x.id === s.id));
    const bad = await hub.api("POST", "/api/scheduled-jobs/admin", {
      token: hub.token,
      json: { jobSpec: { spaceId: `admin/${space}`, command: ["true"] }, schedule: "61 * * * *" },
    });
    assert.equal(bad.status, 400, bad.text);
    const del = await hub.api("DELETE", `/api/scheduled-jobs/admin/${s.id}`, { token: hub.token });
    assert.equal(del.status, 200, del.text);
    const gone = await hub.api("GET", `/api/scheduled-jobs/admin/${s.id}`, { token: hub.token });
    assert.equal(gone.status, 404);
  });

  test("a hub killed with -9 while a job runs: after restart the job's stage is truthful and no process is left", { skip }, async () => {
    const r = await inSpace(["sh", "-c", "echo up; exec sleep 600"]);
    assert.equal(r.status, 200, r.text);
    const id = r.json.id;
    await waitJob(id, ["RUNNING"]);
    // Locally, as root, the job has its own cgroup now: what the end of the test proves gone.
    if (!survivesRestart && process.getuid?.() === 0) assert.ok(jobCgroups(id).length > 0, "no cgroup found for a running job");
    await hub.kill9();
    const dataDir = hub.dataDir;
    hub = await startHub({ dataDir, token: hub.token, args: ["--space-runtime", "local", ...hubArgs] });
    hub.ownsDataDir = true;
    if (survivesRestart) {
      const j = await inspect(id);
      assert.equal(j.status.stage, "RUNNING");
      assert.ok(jobProcesses(id).length > 0, "the job ran on while the hub was down");
      await hub.api("POST", `/api/jobs/admin/${id}/cancel`, { token: hub.token });
      await waitJob(id, ["CANCELED"], 30_000);
    } else {
      const j = await waitJob(id, ["ERROR"], 30_000);
      assert.match(j.status.message, /hub stopped/);
    }
    await waitFor("no process of the job", () => jobProcesses(id).length === 0, 15_000);
    await waitFor("no cgroup of the job", () => jobCgroups(id).length === 0, 15_000);
    // The usage report counts the Space again once the restarted hub runs it.
    await waitFor("the Space's usage", async () => /^admin\s+cpu-basic\s+space\s+\d+/m.test(await hub.admin(["usage"])));
  });
}
