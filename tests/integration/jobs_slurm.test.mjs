// Jobs on a Slurm cluster (issue #16): `serve --jobs-backend slurm` against the one-machine cluster
// of scripts/slurm-cluster.sh, started in a temporary directory for this file alone (its own
// ports and SLURM_CONF, so it runs beside slurm_cluster.test.mjs's cluster). The cases are the
// local backend's (jobs_lib.mjs), plus: a job outlives a hub killed with -9, and jobs get no
// HF_ENDPOINT (a node's sandbox has no way back to the hub). Needs root, bwrap and Debian's
// munge/slurmctld/slurmd/slurm-client (scripts/install-deps.sh); skips, saying which is missing.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";

import { REPO_ROOT, makeTempDir, removeTempDir } from "./harness.mjs";
import { waitFor } from "./runtime_lib.mjs";
import { defineJobTests } from "./jobs_lib.mjs";

const SCRIPT = path.join(REPO_ROOT, "scripts", "slurm-cluster.sh");

function missingTool() {
  for (const t of ["munged", "slurmctld", "slurmd", "sbatch", "scontrol", "scancel", "bwrap"]) {
    const found = spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    if (found.status !== 0) return t;
  }
  return null;
}
const MISSING = missingTool();
const SKIP =
  process.getuid() !== 0 ? "the cluster's daemons need root" : MISSING ? `${MISSING} is not installed (scripts/install-deps.sh)` : false;

// Made now: the hub's flags name the cluster's slurm.conf before the cluster runs.
const dir = SKIP ? "" : makeTempDir("spacehub-jobs-slurm-");
const conf = SKIP ? "" : path.join(dir, "etc", "slurm.conf");
// A node of 10 CPUs: two cpu-upgrade jobs (8 vCPU each) cannot run at once, so the queue case
// sees Slurm hold the second one.
const cluster = (action) =>
  spawnSync(SCRIPT, [action, dir], { encoding: "utf8", timeout: 120_000, env: { ...process.env, SLURM_CLUSTER_CPUS: "10" } });

// Registered before defineJobTests' own hook: node:test runs them in this order, so the cluster
// answers `scontrol ping` when the hub starts (a hub that cannot reach it refuses to start).
before(() => {
  if (SKIP) return;
  const r = cluster("start");
  assert.equal(r.status, 0, `slurm-cluster.sh start failed:\n${r.stdout}${r.stderr}`);
});

defineJobTests({
  hubArgs: ["--jobs-backend", "slurm", "--jobs-slurm-conf", conf],
  skip: SKIP,
  survivesRestart: true,
  hubEndpoint: false,
  clusterQueue: true,
  prepare: (hub) => waitFor("the hub's Slurm job engine", () => /jobs: engine started \(slurm backend\)/.test(hub.stderr), 20_000),
});

// After defineJobTests' hook (which stops the hub): the cluster goes last, its jobs with it.
after(() => {
  if (SKIP) return;
  const r = cluster("stop");
  removeTempDir(dir);
  assert.equal(r.status, 0, `slurm-cluster.sh stop failed:\n${r.stdout}${r.stderr}`);
});
