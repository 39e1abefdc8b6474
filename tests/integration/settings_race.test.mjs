// Issue 13 item 8 over HTTP: many Space settings changes sent at once all land (none overwrites
// another), and Spaces racing for the last unit of a flavor never get more than its capacity.
// Requests are fired together; only the final state is asserted, never a timing. The threaded
// proof over the service and the SQLite store is service/space_settings_race_test.cc.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { startHub, uniqueName } from "./harness.mjs";
import { spacePath } from "./runtime_lib.mjs";

let hub;

async function create(name) {
  const r = await hub.api("POST", "/api/repos/create", { token: hub.token, json: { type: "space", sdk: "static", name } });
  assert.equal(r.status, 200, r.text);
  return `admin/${name}`;
}
const post = (id, suffix, json) => hub.api("POST", spacePath(id, suffix), { token: hub.token, json });
const runtime = async (id) => (await hub.api("GET", spacePath(id, "/runtime"), { token: hub.token })).json;

before(async () => {
  hub = await startHub();
  // The nodes have one t4-small: the "last GPU" the Spaces race for.
  const file = path.join(hub.dataDir, "hardware.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(/(- name: t4-small[\s\S]*?capacity: )0/, "$11"));
  // The hub re-reads the catalog when its mtime changes: wait until it shows (bounded).
  for (let i = 0; ; i++) {
    const list = await hub.api("GET", "/api/spaces/hardware");
    if (list.json.find((f) => f.name === "t4-small")?.capacity === 1) break;
    assert.ok(i < 200, "the hub never re-read hardware.yaml");
    writeFileSync(file, readFileSync(file, "utf8")); // a new mtime, in case the first was equal
    await new Promise((r) => setTimeout(r, 25));
  }
});

after(async () => hub && (await hub.stop()));

test("concurrent changes of different settings of one Space are all kept", async () => {
  const id = await create(uniqueName("race-settings"));
  // Upgraded hardware first, so a custom sleep time is valid whatever the hardware request does.
  assert.equal((await post(id, "/hardware", { flavor: "cpu-upgrade" })).status, 200);
  const calls = [];
  for (let i = 0; i < 8; i++) calls.push(post(id, "/variables", { key: `VAR_${i}`, value: `v${i}` }));
  for (let i = 0; i < 4; i++) calls.push(post(id, "/secrets", { key: `SECRET_${i}`, value: `s${i}` }));
  calls.push(post(id, "/hardware", { flavor: "t4-small" }));
  calls.push(post(id, "/sleeptime", { seconds: 3600 }));
  calls.push(post(id, "/storage", { tier: "small" }));
  calls.push(hub.api("POST", spacePath(id, "/restart?factory=true"), { token: hub.token }));
  const answers = await Promise.all(calls);
  for (const a of answers) assert.equal(a.status, 200, a.text);

  const rt = await runtime(id);
  assert.deepEqual(rt.hardware, { current: "t4-small", requested: "t4-small" });
  assert.equal(rt.gcTimeout, 3600);
  assert.equal(rt.storage, "small");
  assert.notEqual(rt.stage, "PAUSED");
  const vars = await hub.api("GET", spacePath(id, "/variables"), { token: hub.token });
  assert.deepEqual(Object.keys(vars.json).sort(), [...Array(8).keys()].map((i) => `VAR_${i}`));
  const secrets = await hub.api("GET", spacePath(id, "/secrets"), { token: hub.token });
  assert.deepEqual(Object.keys(secrets.json).sort(), [...Array(4).keys()].map((i) => `SECRET_${i}`));
  // Give the unit back for the next test.
  assert.equal((await post(id, "/hardware", { flavor: "cpu-basic" })).status, 200);
});

test("Spaces racing for the last unit of a flavor: exactly one gets it", async () => {
  const ids = [];
  for (let i = 0; i < 8; i++) ids.push(await create(uniqueName(`race-gpu-${i}`)));
  const answers = await Promise.all(ids.map((id) => post(id, "/hardware", { flavor: "t4-small" })));
  for (const a of answers) assert.equal(a.status, 200, a.text);
  const placed = answers.filter((a) => a.json.hardware.current === "t4-small");
  assert.equal(placed.length, 1, JSON.stringify(answers.map((a) => a.json.hardware)));
  const now = await Promise.all(ids.map(runtime));
  assert.equal(now.filter((r) => r.hardware.current === "t4-small").length, 1);
  for (const r of now.filter((r) => r.hardware.current !== "t4-small")) {
    assert.match(r.message, /Waiting for hardware/);
  }
  // The legitimate use beside it: the holder lets go and the earliest waiting request is placed.
  const holder = ids[now.findIndex((r) => r.hardware.current === "t4-small")];
  assert.equal((await post(holder, "/hardware", { flavor: "cpu-basic" })).status, 200);
  const after = await Promise.all(ids.map(runtime));
  assert.equal(after.filter((r) => r.hardware.current === "t4-small").length, 1);
});
