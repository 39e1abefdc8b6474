// `spacehub jobs` end to end (issue #16): the CLI, through the spacehub::client library, against a
// real hub running jobs in the local sandbox on a Space's built environment — run follows the log
// and exits 0 only for COMPLETED, env and secrets reach the job (the secret's value never shows in
// the log), -d / ps / cancel / inspect / logs, hardware, and a scheduled job created, listed,
// suspended, resumed, triggered and deleted. Usage errors are refused before anything is sent.
// Skipped where bwrap is absent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

import { startHub, makeTempDir, removeTempDir, uniqueName, SPACEHUB_BIN } from "./harness.mjs";
import { HAVE_BWRAP, HELLO_APP, createSpace, waitStage, waitFor as waitForOnce } from "./runtime_lib.mjs";

const SECRET = "sk_live_JOBS_CLI_SECRET_5521";
let hub;
let hfHome;
let space;

function run(args, { env = {} } = {}) {
  return new Promise((resolve) => {
    execFile(
      SPACEHUB_BIN,
      args,
      {
        timeout: 120_000,
        maxBuffer: 16 << 20,
        env: {
          PATH: process.env.PATH,
          HF_ENDPOINT: hub.endpoint,
          HF_TOKEN: hub.token,
          HF_HOME: hfHome,
          SPACEHUB_CLIENT_RETRY_SCALE: "0.02",
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
async function ok(args, opts) {
  const r = await run(args, opts);
  assert.equal(r.code, 0, `spacehub ${args.join(" ")} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}
// (Not for `run`: after IMAGE every argument is the job's command, --json too, as with `hf jobs run`.)
const okJson = async (args) => JSON.parse((await ok([...args, "--json"])).stdout);
const jobIdOf = (stdout) => /Job started with ID: (\S+)/.exec(stdout)?.[1];
const image = () => `hf.co/spaces/admin/${space}`;
// A wait on the hub's job engine that times out says what the hub was doing (its threads, its
// children, its log): these waits failed once in CI and never again when rerun.
async function waitFor(what, fn, ms) {
  try {
    return await waitForOnce(what, fn, ms);
  } catch (e) {
    e.message += `\n${hub.diagnose()}`;
    throw e;
  }
}
const inspect = async (id) => (await okJson(["jobs", "inspect", id]))[0];

before(async () => {
  if (!HAVE_BWRAP) return;
  hfHome = makeTempDir("spacehub-jobs-home-");
  hub = await startHub({ args: ["--space-runtime", "local", "--jobs-backend", "local"] });
  space = uniqueName("jobs-env");
  await createSpace(hub, space, [{ path: "app.py", content: HELLO_APP }]);
  await waitStage(hub, space, ["RUNNING"]);
});

after(async () => {
  if (hub) assert.ok(!hub.stdout.includes(SECRET) && !hub.stderr.includes(SECRET), "secret value in server output");
  await hub?.stop();
  if (hfHome) removeTempDir(hfHome);
});

test("run follows the log to COMPLETED; env and secrets reach the job, the secret stays out of the log", { skip: !HAVE_BWRAP && "bwrap is not installed" }, async () => {
  const envFile = path.join(hfHome, "job.env");
  writeFileSync(envFile, "# the file's variables\nFROM_FILE=\"file value\"\n");
  const r = await ok([
    "jobs", "run", "-e", "GREETING=hello there", "--env-file", envFile, "-s", `TOKEN_X=${SECRET}`, "--timeout", "5m",
    image(), "python", "-c",
    "import os; print('greeting:', os.environ['GREETING']); print('file:', os.environ['FROM_FILE']); " +
      "print('secret:', os.environ['TOKEN_X']); print('has job id:', bool(os.environ.get('JOB_ID')))",
  ]);
  const id = jobIdOf(r.stdout);
  assert.ok(id, r.stdout);
  assert.match(r.stdout, new RegExp(`View at: ${hub.endpoint}/jobs/admin/${id}`));
  assert.match(r.stdout, /greeting: hello there/);
  assert.match(r.stdout, /file: file value/);
  assert.match(r.stdout, /has job id: True/);
  assert.ok(!r.stdout.includes(SECRET), "the secret's value is in the log");
  const job = await inspect(id);
  assert.equal(job.status.stage, "COMPLETED");
  assert.equal(job.spaceId, `admin/${space}`);
  assert.equal(job.environment.GREETING, "hello there");
  assert.ok(!JSON.stringify(job).includes(SECRET), "the secret's value is in the job");

  // The finished job's log, again, without following: it ends by itself.
  const logs = await ok(["jobs", "logs", id]);
  assert.match(logs.stdout, /greeting: hello there/);
  // -n N: the last N lines of the same log (the hub may end it with a line of its own).
  const lines = (s) => s.split("\n").filter(Boolean);
  const tail = await ok(["jobs", "logs", id, "-n", "2"]);
  assert.deepEqual(lines(tail.stdout), lines(logs.stdout).slice(-2));
});

test("run exits non-zero when the job fails", { skip: !HAVE_BWRAP && "bwrap is not installed" }, async () => {
  const r = await run(["jobs", "run", image(), "python", "-c", "import sys; print('about to fail', flush=True); sys.exit(3)"]);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /about to fail/);
  assert.match(r.stderr, /ended ERROR/);
  assert.equal((await inspect(jobIdOf(r.stdout))).status.stage, "ERROR");
});

test("-d returns at once; ps lists running jobs, cancel stops one, ps -a keeps it", { skip: !HAVE_BWRAP && "bwrap is not installed" }, async () => {
  const r = await ok(["jobs", "run", "-d", image(), "python", "-c", "import time; time.sleep(600)"]);
  const id = jobIdOf(r.stdout);
  assert.ok(id, r.stdout);
  const ps = await ok(["jobs", "ps"]);
  assert.match(ps.stdout, /JOB ID\s+IMAGE\/SPACE\s+COMMAND\s+CREATED\s+STATUS/);
  assert.match(ps.stdout, new RegExp(`${id}\\s+admin/${space}\\s+python -c import time`));
  await ok(["jobs", "cancel", id]);
  await waitFor("the job to be canceled", async () => (await inspect(id)).status.stage === "CANCELED");
  assert.ok(!(await okJson(["jobs", "ps"])).some((j) => j.id === id), "a canceled job in ps");
  assert.ok((await okJson(["jobs", "ps", "-a"])).some((j) => j.id === id), "ps -a lacks the job");
  // NAMESPACE/ID works as well as ID.
  assert.equal((await inspect(`admin/${id}`)).id, id);
});

test("hardware lists the flavors", { skip: !HAVE_BWRAP && "bwrap is not installed" }, async () => {
  const flavors = await okJson(["jobs", "hardware"]);
  assert.ok(flavors.some((f) => f.name === "cpu-basic"), JSON.stringify(flavors));
  const table = await ok(["jobs", "hardware"]);
  assert.match(table.stdout, /^NAME\s+PRETTY NAME\s+CPU\s+RAM\s+ACCELERATOR\s+COST/);
});

test("a scheduled job: created, listed, suspended, resumed, triggered, deleted", { skip: !HAVE_BWRAP && "bwrap is not installed" }, async () => {
  const created = JSON.parse((await ok(["jobs", "scheduled", "run", "--json", "0 0 1 1 *", image(), "python", "-c", "print('scheduled run')"])).stdout);
  const sid = created.id;
  assert.ok(sid);
  assert.equal(created.schedule, "0 0 1 1 *");
  assert.ok((await okJson(["jobs", "scheduled", "ps"])).some((s) => s.id === sid));

  await ok(["jobs", "scheduled", "suspend", sid]);
  assert.ok(!(await okJson(["jobs", "scheduled", "ps"])).some((s) => s.id === sid), "suspended but listed");
  assert.ok((await okJson(["jobs", "scheduled", "ps", "-a"])).some((s) => s.id === sid));
  assert.equal((await okJson(["jobs", "scheduled", "inspect", sid]))[0].suspend, true);
  await ok(["jobs", "scheduled", "resume", sid]);
  assert.equal((await okJson(["jobs", "scheduled", "inspect", sid]))[0].suspend, false);

  const triggered = await ok(["jobs", "scheduled", "trigger", sid]);
  const id = jobIdOf(triggered.stdout);
  assert.ok(id, triggered.stdout);
  await waitFor("the triggered run to finish", async () => (await inspect(id)).status.stage === "COMPLETED", 90_000);
  assert.match((await ok(["jobs", "logs", id])).stdout, /scheduled run/);

  await ok(["jobs", "scheduled", "delete", sid]);
  const gone = await run(["jobs", "scheduled", "inspect", sid]);
  assert.notEqual(gone.code, 0, gone.stdout);
});

test("bad input is refused: usage errors before sending, the hub's 400s as exit 7", { skip: !HAVE_BWRAP && "bwrap is not installed" }, async () => {
  const usage = [
    ["jobs", "run", "--timeout", "5x", image(), "true"],
    ["jobs", "run", "-e", "=nokey", image(), "true"],
    ["jobs", "run"],
    ["jobs", "logs"],
  ];
  for (const args of usage) {
    const r = await run(args);
    assert.equal(r.code, 2, `spacehub ${args.join(" ")} → ${r.code}\n${r.stderr}`);
  }
  const badSchedule = await run(["jobs", "scheduled", "run", "0 0 30 2 *", image(), "true"]);
  assert.equal(badSchedule.code, 7, badSchedule.stderr);
  assert.match(badSchedule.stderr, /day-of-month/);
  const badFlavor = await run(["jobs", "run", "--flavor", "no-such-flavor", image(), "true"]);
  assert.equal(badFlavor.code, 7, badFlavor.stderr);
  // -s HF_TOKEN with no saved token anywhere: refused locally (exit 3), nothing sent.
  const noToken = await run(["jobs", "run", "-s", "HF_TOKEN", "--token", "", image(), "true"], { env: { HF_TOKEN: "" } });
  assert.equal(noToken.code, 3, noToken.stderr);
});
