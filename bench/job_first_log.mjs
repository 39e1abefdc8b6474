// Issue #16 speed: time from run_job's POST /api/jobs/{ns} to the command's first log line read
// through GET /api/jobs/{ns}/{id}/logs (SSE, as fetch_job_logs reads it), next to the same command
// started by hand in a sandbox with the hub's own bwrap options (spawn -> "hello" on its stdout).
// The job runs in a Space's environment (`hf.co/spaces/admin/<space>` as image: the Spaces'
// bubblewrap sandbox); the difference of the medians is the hub's overhead (goal: < 100 ms).
// Runs alternate, one at a time (each job COMPLETED before the next starts).
//
//   node bench/job_first_log.mjs        RUNS=15 (env knob)
// Prints one line per run and a summary; talks to 127.0.0.1 only; cleans up its hub and temp dirs.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { startHub, uniqueName } from "../tests/integration/harness.mjs";
import { HELLO_APP, createSpace, waitStage, waitFor } from "../tests/integration/runtime_lib.mjs";

const RUNS = Number(process.env.RUNS ?? 15);
const ms = (t) => Number(t) / 1e6;
const now = () => process.hrtime.bigint();
const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => {
  const s = sorted(a);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p90 = (a) => sorted(a)[Math.min(a.length - 1, Math.ceil(0.9 * a.length) - 1)];
const f1 = (x) => x.toFixed(1);

// Bounded runtime whatever happens (the hub is a child: it dies with us via the harness's exit hook).
const guard = setTimeout(() => {
  console.error("job_first_log: over 170 s, giving up");
  process.exit(2);
}, 170_000);
guard.unref();

// The hub's sandbox (runtime/sandbox.cc BwrapArgs) without what only a long-lived app needs
// (seccomp filter, cgroup, info fd): the same namespaces, ids, mounts and clean environment.
const app = mkdtempSync(path.join(os.tmpdir(), "bench-job-app-"));
const BWRAP = [
  "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
  "--uid", "1000", "--gid", "1000", "--cap-drop", "ALL", "--hostname", "space",
  "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
  "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
  "--ro-bind-try", "/etc/alternatives", "/etc/alternatives", "--ro-bind-try", "/etc/ssl", "/etc/ssl",
  "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev",
  "--size", String(1 << 30), "--tmpfs", "/tmp", "--size", String(1 << 30), "--tmpfs", "/home/user",
  "--ro-bind", app, "/app", "--chdir", "/app",
  "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/home/user",
  "--", "echo", "hello",
];

// By hand: spawn bwrap, until "hello" arrives on its stdout.
function byHand() {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn("bwrap", BWRAP, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let t = null;
    child.stdout.on("data", (d) => {
      out += d;
      if (t === null && out.includes("hello")) t = ms(now() - t0);
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (t !== null ? resolve(t) : reject(new Error(`bwrap exited ${code}: ${err}`))));
  });
}

let hub;
let space;

// Through the hub: POST the job as run_job sends it, then follow its logs until the first line
// the command printed (the hub's own "spacehub: ..." lines are not the command's).
async function throughHub() {
  const wall0 = Date.now();
  const t0 = now();
  const r = await fetch(`${hub.endpoint}/api/jobs/admin`, {
    method: "POST",
    headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
    body: JSON.stringify({ command: ["echo", "hello"], arguments: [], environment: {}, flavor: "cpu-basic", spaceId: `admin/${space}` }),
  });
  const job = await r.json();
  if (r.status !== 200) throw new Error(`POST /api/jobs: ${r.status} ${JSON.stringify(job)}`);
  const posted = ms(now() - t0);
  const res = await fetch(`${hub.endpoint}/api/jobs/admin/${job.id}/logs`, { headers: { authorization: `Bearer ${hub.token}` } });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let first = null;
  let logged = null;
  while (first === null) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the log of ${job.id} ended without "hello": ${buf}`);
    buf += dec.decode(value, { stream: true });
    for (const line of buf.split("\n")) {
      if (!line.startsWith("data: {")) continue;
      const ev = JSON.parse(line.slice(6));
      if (ev.data !== "hello") continue;
      first = ms(now() - t0);
      // When the hub wrote the line to the job's log (millisecond stamps): the rest is the SSE follower.
      logged = Date.parse(ev.timestamp) - wall0;
    }
  }
  await reader.cancel();
  await waitFor(`job ${job.id} COMPLETED`, async () => {
    const j = await (await fetch(`${hub.endpoint}/api/jobs/admin/${job.id}`, { headers: { authorization: `Bearer ${hub.token}` } })).json();
    if (["ERROR", "CANCELED"].includes(j.status.stage)) throw new Error(`job ${job.id}: ${JSON.stringify(j.status)}`);
    return j.status.stage === "COMPLETED";
  });
  return { first, posted, logged };
}

try {
  hub = await startHub({ args: ["--space-runtime", "local", "--jobs-backend", "local"] });
  space = uniqueName("jobbench");
  await createSpace(hub, space, [{ path: "app.py", content: HELLO_APP }]);
  await waitStage(hub, space, ["RUNNING"]);
  await byHand();
  await throughHub();  // warm-up: first job of the hub (store, directories)
  const hand = [];
  const viaHub = [];
  const post = [];
  const logs = [];
  for (let i = 0; i < RUNS; i++) {
    const h = await byHand();
    const { first, posted, logged } = await throughHub();
    hand.push(h);
    viaHub.push(first);
    post.push(posted);
    logs.push(logged);
    console.log(`run ${i + 1}/${RUNS}: by hand ${f1(h)} ms, through the hub ${f1(first)} ms (POST answered at ${f1(posted)} ms, line in the log at ${logged} ms)`);
  }
  const diff = median(viaHub) - median(hand);
  console.log("");
  console.log(`                              median     p90`);
  console.log(`bwrap echo hello by hand   ${f1(median(hand)).padStart(9)} ms ${f1(p90(hand)).padStart(6)} ms`);
  console.log(`run_job -> first log line  ${f1(median(viaHub)).padStart(9)} ms ${f1(p90(viaHub)).padStart(6)} ms`);
  console.log(`  of which POST answered   ${f1(median(post)).padStart(9)} ms ${f1(p90(post)).padStart(6)} ms`);
  console.log(`  of which line in the log ${f1(median(logs)).padStart(9)} ms ${f1(p90(logs)).padStart(6)} ms (the hub's stamp, whole ms)`);
  console.log(`difference of the medians  ${f1(diff).padStart(9)} ms (goal < 100 ms: ${diff < 100 ? "met" : "NOT met"}); p90 difference ${f1(p90(viaHub) - p90(hand))} ms`);
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  if (hub) await hub.stop();
  rmSync(app, { recursive: true, force: true });
}
