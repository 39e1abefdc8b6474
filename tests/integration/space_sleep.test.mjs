// Sleep after inactivity (issue #6, the engine's side): a Space with a short sleep time stops its
// processes and reports SLEEPING, stays asleep across a hub restart, and a commit or a restart wakes
// it; a pause while asleep wins. A visit through the proxy wakes it (50 at once: one start), but
// never a paused Space.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { startHub, commit, uniqueName, removeTempDir, hostRequest, spaceHost } from "./harness.mjs";
import {
  HAVE_BWRAP,
  HELLO_APP,
  RUNTIME_ARGS,
  createSpace,
  runtime,
  spaceProcesses,
  spacePath,
  waitNoProcesses,
  waitStage,
} from "./runtime_lib.mjs";

const ARGS = [...RUNTIME_ARGS, "--space-min-sleep-seconds", "1"];
const skip = !HAVE_BWRAP && "no bwrap";
let hub;
const name = uniqueName("sleepy");

before(async () => {
  if (!HAVE_BWRAP) return;
  hub = await startHub({ args: ARGS });
  await createSpace(hub, name, [{ path: "app.py", content: HELLO_APP }], {
    hardware: "cpu-upgrade",
    sleepTimeSeconds: 2,
  });
});

after(async () => {
  if (!hub) return;
  await hub.stop();
  removeTempDir(hub.dataDir);
  assert.deepEqual(spaceProcesses(name), [], "the Space outlived the hub");
});

// The engine looks at every Space in a full reconcile pass, and a Space it has never seen is only
// listed by one: once a Space created now runs, a full pass has looked at `name` since. That is the
// event that "nothing happened to `name`" is checked after, instead of a sleep that hopes a pass ran.
async function aFullPassLater() {
  const control = uniqueName("pass");
  await createSpace(hub, control, [{ path: "app.py", content: HELLO_APP }]);
  await waitStage(hub, control, ["RUNNING"]);
  const p = await hub.api("POST", spacePath(`admin/${control}`, "/pause"), { token: hub.token });
  assert.equal(p.status, 200, p.text);
  await waitNoProcesses(control);
}

test("an idle Space falls asleep after its sleep time and frees its processes", { skip }, async () => {
  const running = await waitStage(hub, name, ["RUNNING"]);
  assert.equal(running.gcTimeout, 2);
  assert.ok(spaceProcesses(name).length > 0);
  const asleep = await waitStage(hub, name, ["SLEEPING"], 15_000);
  assert.equal(asleep.errorMessage, null);
  await waitNoProcesses(name);
});

test("a sleeping Space stays asleep across a hub restart", { skip }, async () => {
  await waitStage(hub, name, ["SLEEPING"], 15_000);
  const { dataDir, token } = hub;
  await hub.stop({ keepData: true });
  hub = await startHub({ dataDir, token, args: ARGS });
  await aFullPassLater();
  assert.equal((await runtime(hub, name)).stage, "SLEEPING");
  assert.deepEqual(spaceProcesses(name), []);
});

test("a commit wakes a sleeping Space, which sleeps again when left alone", { skip }, async () => {
  await waitStage(hub, name, ["SLEEPING"], 15_000);
  await commit(hub, { type: "space", id: `admin/${name}`, token: hub.token, files: [{ path: "notes.txt", content: "v2\n" }] });
  await waitStage(hub, name, ["RUNNING"]);
  assert.ok(spaceProcesses(name).length > 0);
  await waitStage(hub, name, ["SLEEPING"], 15_000);
  await waitNoProcesses(name);
});

const startsInRunLog = async () => {
  const r = await hub.api("GET", spacePath(`admin/${name}`, "/logs/run?follow=false&tail=100000"), { token: hub.token });
  return (r.text.match(/spacehub: starting/g) ?? []).length;
};

test("a visit wakes a sleeping Space: 50 simultaneous requests, one start, 50 answers", { skip }, async () => {
  await waitStage(hub, name, ["SLEEPING"], 15_000);
  await waitNoProcesses(name);
  const before = await startsInRunLog();
  const t0 = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 50 }, () =>
      hostRequest(hub, spaceHost(`admin/${name}`), "/").catch((e) => ({ status: 0, text: String(e.cause ?? e) })),
    ),
  );
  const wakeMs = Date.now() - t0;
  for (const a of answers) {
    assert.equal(a.status, 200, a.text);
    assert.equal(a.text, `hello from admin/${name}`);
  }
  assert.equal(await startsInRunLog(), before + 1, "one start for 50 visits");
  assert.equal((await runtime(hub, name)).stage, "RUNNING");
  console.log(`# woke by 50 simultaneous visits in ${wakeMs} ms`);
});

test("a visit never wakes a paused Space", { skip }, async () => {
  await waitStage(hub, name, ["SLEEPING", "RUNNING"], 15_000);
  const p = await hub.api("POST", spacePath(`admin/${name}`, "/pause"), { token: hub.token });
  assert.equal(p.status, 200, p.text);
  await waitNoProcesses(name);
  const r = await hostRequest(hub, spaceHost(`admin/${name}`), "/");
  assert.notEqual(r.status, 200);
  await aFullPassLater();
  assert.equal((await runtime(hub, name)).stage, "PAUSED");
  assert.deepEqual(spaceProcesses(name), []);
  const restart = await hub.api("POST", spacePath(`admin/${name}`, "/restart"), { token: hub.token });
  assert.equal(restart.status, 200, restart.text);
  await waitStage(hub, name, ["RUNNING"]);
});

test("pausing a sleeping Space keeps it paused; a restart starts it", { skip }, async () => {
  await waitStage(hub, name, ["SLEEPING"], 15_000);
  const p = await hub.api("POST", spacePath(`admin/${name}`, "/pause"), { token: hub.token });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.stage, "PAUSED");
  await aFullPassLater();
  assert.equal((await runtime(hub, name)).stage, "PAUSED");
  assert.deepEqual(spaceProcesses(name), []);
  const r = await hub.api("POST", spacePath(`admin/${name}`, "/restart"), { token: hub.token });
  assert.equal(r.status, 200, r.text);
  await waitStage(hub, name, ["RUNNING"]);
});
