// The one-machine Slurm cluster of scripts/slurm-cluster.sh (issue #16, "On a cluster"), started
// in a temporary directory: plain sbatch works, `spacehub job-exec` runs a launch file's command in
// its sandbox on the node (log lines redacted, exit code to Slurm, launch file gone), the Slurm job
// backend (C++, runtime/slurm) submits, follows, cancels and forgets jobs there, and `stop` leaves
// no daemon and no job behind. Needs root, bwrap and Debian's munge/slurmctld/slurmd/slurmrestd/
// slurm-client (scripts/install-deps.sh); skips, saying which is missing, without them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import path from "node:path";

import { REPO_ROOT, SPACEHUB_BIN, makeTempDir, removeTempDir, sleep } from "./harness.mjs";

const SCRIPT = path.join(REPO_ROOT, "scripts", "slurm-cluster.sh");
const RUNTIME_TEST = path.join(path.dirname(SPACEHUB_BIN), "..", "runtime", "spacehub_runtime_test");

function missingTool() {
  for (const t of ["munged", "slurmctld", "slurmd", "slurmrestd", "sbatch", "bwrap"]) {
    if (spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } }).status !== 0) {
      return t;
    }
  }
  return null;
}
const MISSING = missingTool();
const SKIP =
  process.getuid() !== 0 ? "the cluster's daemons need root" : MISSING ? `${MISSING} is not installed (scripts/install-deps.sh)` : false;

let dir;
let env;

function cluster(action, timeout = 120_000) {
  return spawnSync(SCRIPT, [action, dir], { encoding: "utf8", timeout });
}

function slurm(cmd, args) {
  return execFileSync(cmd, args, { encoding: "utf8", env, timeout: 30_000 });
}

// `scontrol show job -o` as Key=Value pairs (the values we read have no spaces).
function job(id) {
  const out = slurm("scontrol", ["show", "job", "-o", String(id)]);
  return Object.fromEntries(out.trim().split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

async function waitFor(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const FINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL"]);

before(async () => {
  if (SKIP) return;
  dir = makeTempDir("spacehub-slurm-");
  const r = cluster("start");
  assert.equal(r.status, 0, `slurm-cluster.sh start failed:\n${r.stdout}${r.stderr}`);
  env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", SLURM_CONF: path.join(dir, "etc", "slurm.conf"), SLURM_TIME_FORMAT: "%s" };
});

after(async () => {
  if (SKIP || !dir) return;
  cluster("stop");
  removeTempDir(dir);
});

test("start is idempotent and the node is idle", { skip: SKIP }, () => {
  const again = cluster("start");
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /already running/);
  const status = cluster("status");
  assert.equal(status.status, 0, status.stdout);
  for (const d of ["munged", "slurmctld", "slurmd", "slurmrestd"]) assert.match(status.stdout, new RegExp(`${d}: running`));
  assert.match(readFileSync(env.SLURM_CONF, "utf8"), /ProctrackType=proctrack\/linuxproc/);
});

test("sbatch --wrap runs on the node", { skip: SKIP }, async () => {
  const out = path.join(dir, "wrap.out");
  const id = slurm("sbatch", ["--parsable", `--output=${out}`, "--wrap", "echo wrapped-$SLURM_JOB_ID"]).trim();
  await waitFor("the wrap job to complete", () => FINAL.has(job(id).JobState));
  assert.equal(job(id).JobState, "COMPLETED");
  assert.equal(readFileSync(out, "utf8").trim(), `wrapped-${id}`);
});

test("spacehub job-exec runs a launch file's command in its sandbox on the node", { skip: SKIP }, async () => {
  const jobDir = path.join(dir, "data", "jobs", "it1", "slurm");
  mkdirSync(jobDir, { recursive: true, mode: 0o700 });
  chmodSync(jobDir, 0o700);
  mkdirSync(path.join(dir, "data", "app"), { recursive: true });
  const logPath = path.join(dir, "data", "jobs", "it1", "run.log");
  const launch = {
    version: 1,
    job_id: "it1",
    instance: {
      key: "job-it1", app_dir: path.join(dir, "data", "app"), data_dir: "",
      limits: { memory_bytes: 256 * 1024 * 1024, cpu_millis: 1000, pids: 64 },
      devices: [], log_path: logPath,
      argv: ["/bin/sh", "-c", "echo hello from $(hostname) $SECRET; exit 3"],
      env: [["PATH", "/usr/bin:/bin"], ["SECRET", "sk_it_SLURM_1"]],
      port: 7860, files: [], ids_base: 0, tmp_bytes: 16 * 1024 * 1024, log_cap: 0,
    },
    redact: ["sk_it_SLURM_1"],
    resources: { flavor: "cpu-basic", cpus: 1, memory_mb: 256, gpus: 0, partition: "", gres: "" },
    timeout_seconds: 600,
  };
  const launchFile = path.join(jobDir, "launch.json");
  writeFileSync(launchFile, JSON.stringify(launch), { mode: 0o600, flag: "wx" });
  const script = path.join(jobDir, "batch.sh");
  writeFileSync(script, `#!/bin/sh\nexec '${SPACEHUB_BIN}' job-exec '${launchFile}'\n`, { mode: 0o700 });
  const id = slurm("sbatch", ["--parsable", "--no-requeue", `--chdir=${jobDir}`, `--output=${path.join(jobDir, "slurm.out")}`, script]).trim();
  await waitFor("the job-exec job to end", () => FINAL.has(job(id).JobState));
  const j = job(id);
  assert.equal(j.JobState, "FAILED", readFileSync(path.join(jobDir, "slurm.out"), "utf8"));
  assert.equal(j.ExitCode, "3:0");
  const log = readFileSync(logPath, "utf8");
  assert.match(log, /^\d+ hello from \S+ \*\*\*$/m);
  assert.match(log, /spacehub: the app exited with code 3/);
  assert.doesNotMatch(log, /sk_it_SLURM_1/);
  assert.equal(existsSync(launchFile), false, "job-exec deletes the launch file");
});

test("the Slurm job backend submits, follows, cancels and forgets jobs on the cluster", { skip: SKIP || (!existsSync(RUNTIME_TEST) && "the unit test binary is not built") }, () => {
  const r = spawnSync(RUNTIME_TEST, ["--gtest_filter=SlurmClusterTest.*"], {
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, SPACEHUB_TEST_SLURM_CONF: env.SLURM_CONF, SPACEHUB_TEST_BIN: SPACEHUB_BIN },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\[  PASSED  \] 3 tests/);
});

test("stop cancels the jobs and stops every daemon", { skip: SKIP }, async () => {
  const id = slurm("sbatch", ["--parsable", "--output=/dev/null", "--wrap", "exec sleep 300"]).trim();
  await waitFor("the sleeper to run", () => job(id).JobState === "RUNNING");
  const pids = ["munged", "slurmctld", "slurmd", "slurmrestd"].map((d) => Number(readFileSync(path.join(dir, "run", `${d}.pid`), "utf8")));
  const stop = cluster("stop");
  assert.equal(stop.status, 0, stop.stderr);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), undefined, `pid ${pid} still runs`);
  const steps = spawnSync("pgrep", ["-x", "slurmstepd"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
  for (const p of steps) {
    let environ = "";
    try {
      environ = readFileSync(`/proc/${p}/environ`, "utf8");
    } catch {}
    assert.ok(!environ.split("\0").includes(`SLURM_CONF=${env.SLURM_CONF}`), `slurmstepd ${p} of this cluster still runs`);
  }
  assert.notEqual(cluster("status").status, 0);
});
