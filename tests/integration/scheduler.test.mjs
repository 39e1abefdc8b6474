// The hardware scheduler (issue #5): with the node's CPUs declared in hardware.yaml, non-free
// flavors reserve them; a request that does not fit waits with a reason, and freed hardware goes
// to the waiting requests in the order they were made. Free flavors share and never wait.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, statSync, utimesSync } from "node:fs";
import path from "node:path";

import { startHub, uniqueName } from "./harness.mjs";
import { spacePath } from "./runtime_lib.mjs";

let hub;
const ids = {};

async function create(name) {
  const r = await hub.api("POST", "/api/repos/create", { token: hub.token, json: { type: "space", sdk: "static", name } });
  assert.equal(r.status, 200, r.text);
  return `admin/${name}`;
}
const request = (id, flavor) => hub.api("POST", spacePath(id, "/hardware"), { token: hub.token, json: { flavor } });
const runtime = async (id) => (await hub.api("GET", spacePath(id, "/runtime"), { token: hub.token })).json;

before(async () => {
  hub = await startHub();
  // A node with 10 vCPU for Spaces on non-free flavors: one cpu-upgrade (8 vCPU) at a time.
  // The hub re-reads the file when its mtime changes: set one that differs from what it read,
  // rather than hope the clock moved on (a write in the same clock tick keeps the old mtime).
  const file = path.join(hub.dataDir, "hardware.yaml");
  const { atime, mtimeMs } = statSync(file);
  appendFileSync(file, "node:\n  cpu: 10\n");
  utimesSync(file, atime, new Date(mtimeMs + 2000));
  for (const k of ["a", "b", "c"]) ids[k] = await create(uniqueName(`sched-${k}`));
});

after(async () => hub && (await hub.stop()));

test("a request that does not fit the node waits with the reason", async () => {
  const a = await request(ids.a, "cpu-upgrade");
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(a.json.hardware, { current: "cpu-upgrade", requested: "cpu-upgrade" });
  const b = await request(ids.b, "cpu-upgrade");
  assert.deepEqual(b.json.hardware, { current: "cpu-basic", requested: "cpu-upgrade" });
  assert.match(b.json.message, /Waiting for hardware: 'cpu-upgrade' needs 8 vCPU and only 2 of the node's 10 are free/);
  await new Promise((r) => setTimeout(r, 5)); // c's request is strictly later than b's
  const c = await request(ids.c, "cpu-upgrade");
  assert.match(c.json.message, /Waiting for hardware/);
  // Free hardware is shared: never waits.
  const free = await request(ids.c, "cpu-basic");
  assert.deepEqual(free.json.hardware, { current: "cpu-basic", requested: "cpu-basic" });
  const again = await request(ids.c, "cpu-upgrade");
  assert.match(again.json.message, /Waiting for hardware/);
});

test("freed hardware goes to the earliest waiting request", async () => {
  const down = await request(ids.a, "cpu-basic");
  assert.deepEqual(down.json.hardware, { current: "cpu-basic", requested: "cpu-basic" });
  // c asks first after the room frees, but b's request is older: c keeps waiting, b is placed.
  const c = await runtime(ids.c);
  assert.deepEqual(c.hardware, { current: "cpu-basic", requested: "cpu-upgrade" });
  const b = await runtime(ids.b);
  assert.deepEqual(b.hardware, { current: "cpu-upgrade", requested: "cpu-upgrade" });
  // Pausing b frees its reservation: c is next.
  const p = await hub.api("POST", spacePath(ids.b, "/pause"), { token: hub.token });
  assert.equal(p.status, 200, p.text);
  const c2 = await runtime(ids.c);
  assert.deepEqual(c2.hardware, { current: "cpu-upgrade", requested: "cpu-upgrade" });
});
