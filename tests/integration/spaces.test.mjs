// Space management (issue #4): every call of the "Manage your Space" guide with the request bodies
// the Python client sends (hub-api.md §2.1, §2.5, §4), the exact response shapes, secrets that never
// come back, hardware grants and the permission matrix.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";

import { startHub, commit } from "./harness.mjs";

const SECRET = "hf_api_SUPER_SECRET_VALUE_42";
let hub;
const tok = {};

const sp = (id, suffix = "") => `/api/spaces/${id}${suffix}`;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertRuntimeShape(rt) {
  assert.equal(typeof rt.stage, "string");
  assert.equal(typeof rt.hardware, "object");
  assert.notEqual(rt.hardware, null, "hardware must never be null");
  assert.ok("current" in rt.hardware && "requested" in rt.hardware);
  for (const k of ["gcTimeout", "storage", "errorMessage", "sdk", "sdkVersion", "replicas", "devMode"]) {
    assert.ok(k in rt, `runtime lacks ${k}`);
  }
  assert.equal(rt.devMode, false);
}

async function create(json, token = tok.alice) {
  const r = await hub.api("POST", "/api/repos/create", { token, json: { type: "space", sdk: "gradio", ...json } });
  return r;
}

before(async () => {
  // The settings API without a runtime (`none` stays an option): stages come from the config only.
  hub = await startHub({ args: ["--space-runtime", "none", "--space-min-sleep-seconds", "60"] });
  for (const u of ["alice", "bob", "carol", "dave"]) tok[u] = await hub.createUser(u);
  tok.aliceRead = await hub.admin(["token", "create", "alice", "--role", "read"]);
  await hub.admin(["org", "create", "team", "--member", "alice:admin", "--member", "bob:write", "--member", "carol:read"]);
});

after(async () => {
  if (!hub) return;
  // No secret value anywhere in what the server logged.
  assert.ok(!hub.stdout.includes(SECRET) && !hub.stderr.includes(SECRET), "secret value in server output");
  await hub.stop();
});

test("create with Space params (numbers as strings), runtime shape, info.runtime", async () => {
  await hub.admin(["hardware", "grant", "alice", "cpu-upgrade"]);
  const r = await create({
    name: "guide", organization: "alice", private: false, hardware: "cpu-upgrade", storageTier: "small",
    sleepTimeSeconds: "7200", secrets: [{ key: "HF_TOKEN", value: SECRET, description: "token" }],
    variables: [{ key: "MODEL_REPO_ID", value: "user/repo" }],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.url, `${hub.endpoint}/spaces/alice/guide`);
  const rt = await hub.api("GET", sp("alice/guide", "/runtime"), { token: tok.alice });
  assert.equal(rt.status, 200);
  assertRuntimeShape(rt.json);
  assert.deepEqual(rt.json.hardware, { current: "cpu-upgrade", requested: "cpu-upgrade" });
  assert.equal(rt.json.gcTimeout, 7200);
  assert.equal(rt.json.storage, "small");
  assert.equal(rt.json.stage, "NO_APP_FILE"); // a new gradio Space has no app.py
  assert.match(rt.json.errorMessage, /app\.py/);
  const info = await hub.api("GET", sp("alice/guide"), { token: tok.alice });
  assertRuntimeShape(info.json.runtime);
  assert.ok(!info.text.includes(SECRET));
  // Stage follows the config at head: app file present → STOPPED (no runtime engine yet), never RUNNING.
  await commit(hub, { type: "space", id: "alice/guide", token: tok.alice, files: [{ path: "app.py", content: "print(1)\n" }] });
  let st = await hub.api("GET", sp("alice/guide", "/runtime"), { token: tok.alice });
  assert.equal(st.json.stage, "STOPPED");
  assert.equal(st.json.errorMessage, null);
  await commit(hub, { type: "space", id: "alice/guide", token: tok.alice, files: [{ path: "README.md", content: "---\nsdk: gradio\napp_port: 99999\n---\n" }] });
  st = await hub.api("GET", sp("alice/guide", "/runtime"), { token: tok.alice });
  assert.equal(st.json.stage, "CONFIG_ERROR");
  assert.match(st.json.errorMessage, /app_port/);
  await commit(hub, { type: "space", id: "alice/guide", token: tok.alice, files: [{ path: "README.md", content: "---\nsdk: gradio\n---\n" }] });
  // Refused params leave nothing behind.
  for (const [json, status, re] of [
    [{ name: "bad1", hardware: "warp-drive" }, 400, /cpu-basic.*t4-medium/],
    [{ name: "bad2", sleepTimeSeconds: 3600 }, 400, /48 hours/],
    [{ name: "bad3", storageTier: "huge" }, 400, /small, medium or large/],
    [{ name: "bad4", hardware: "a10g-large" }, 403, /grant/],
    [{ name: "bad5", secrets: [{ key: "1BAD", value: SECRET }] }, 400, /Invalid key/],
  ]) {
    const b = await create(json);
    assert.equal(b.status, status, `${JSON.stringify(json)} → ${b.text}`);
    assert.match(b.headers.get("x-error-message"), re);
    assert.ok(!b.text.includes(SECRET));
    assert.equal((await hub.api("GET", sp(`alice/${json.name}`), { token: tok.alice })).status, 404);
  }
  const dup = await create({ name: "guide" });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.url, `${hub.endpoint}/spaces/alice/guide`);
});

test("secrets: write-only, encrypted at rest, exact shapes", async () => {
  const id = "alice/guide";
  const add = await hub.api("POST", sp(id, "/secrets"), { token: tok.alice, json: { key: "OTHER", value: SECRET } });
  assert.equal(add.status, 200);
  assert.deepEqual(add.json, {});
  const list = await hub.api("GET", sp(id, "/secrets"), { token: tok.alice });
  assert.deepEqual(Object.keys(list.json).sort(), ["HF_TOKEN", "OTHER"]);
  assert.equal(list.json.HF_TOKEN.description, "token");
  assert.match(list.json.HF_TOKEN.updatedAt, ISO);
  assert.ok(!("value" in list.json.HF_TOKEN));
  assert.ok(!list.text.includes(SECRET));
  const del = await hub.api("DELETE", sp(id, "/secrets"), { token: tok.alice, json: { key: "OTHER" } });
  assert.equal(del.status, 200);
  const missing = await hub.api("DELETE", sp(id, "/secrets"), { token: tok.alice, json: { key: "NOPE" } });
  assert.equal(missing.status, 200);
  // At rest: the database holds only sealed values.
  const db = readFileSync(path.join(hub.dataDir, "hub.db"));
  const wal = (() => { try { return readFileSync(path.join(hub.dataDir, "hub.db-wal")); } catch { return Buffer.alloc(0); } })();
  assert.ok(!db.includes(SECRET) && !wal.includes(SECRET), "plaintext secret in the database");
  // Rotation re-seals every secret under the new key.
  const out = await hub.admin(["secrets", "rotate-key"]);
  assert.match(out, /master key 2 active; \d+ secrets re-sealed/);
  const again = await hub.api("GET", sp(id, "/secrets"), { token: tok.alice });
  assert.deepEqual(Object.keys(again.json), ["HF_TOKEN"]);
});

test("variables: exact shapes of §4.2", async () => {
  const id = "alice/guide";
  const g = await hub.api("GET", sp(id, "/variables"), { token: tok.alice });
  assert.equal(g.json.MODEL_REPO_ID.value, "user/repo");
  assert.match(g.json.MODEL_REPO_ID.updatedAt, ISO);
  const a = await hub.api("POST", sp(id, "/variables"), { token: tok.alice, json: { key: "B", value: "2", description: "bee" } });
  assert.deepEqual(Object.keys(a.json).sort(), ["B", "MODEL_REPO_ID"]);
  assert.deepEqual({ ...a.json.B, updatedAt: undefined }, { value: "2", description: "bee", updatedAt: undefined });
  const d = await hub.api("DELETE", sp(id, "/variables"), { token: tok.alice, json: { key: "MODEL_REPO_ID" } });
  assert.deepEqual(Object.keys(d.json), ["B"]);
  const d2 = await hub.api("DELETE", sp(id, "/variables"), { token: tok.alice, json: { key: "NOPE" } });
  assert.equal(d2.status, 200);
  assert.deepEqual(Object.keys(d2.json), ["B"]);
});

test("hardware catalog, requests, capacity, grants", async () => {
  const list = await hub.api("GET", "/api/spaces/hardware");
  assert.equal(list.status, 200);
  const names = list.json.map((f) => f.name);
  for (const n of ["cpu-basic", "cpu-upgrade", "t4-small", "t4-medium", "a10g-large", "a100-large", "l4x1", "zero-a10g"]) assert.ok(names.includes(n), n);
  const t4 = list.json.find((f) => f.name === "t4-medium");
  for (const k of ["prettyName", "cpu", "ram", "unitCostMicroUSD", "unitCostUSD", "unitLabel"]) assert.ok(k in t4, k);
  assert.deepEqual(t4.accelerator, { type: "gpu", model: "T4", quantity: "1", vram: "16 GB", manufacturer: "Nvidia" });

  const id = "alice/guide";
  const unknown = await hub.api("POST", sp(id, "/hardware"), { token: tok.alice, json: { flavor: "warp" } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.error, /cpu-basic, cpu-upgrade/);
  const denied = await hub.api("POST", sp(id, "/hardware"), { token: tok.alice, json: { flavor: "t4-medium" } });
  assert.equal(denied.status, 403);
  assert.match(denied.json.error, /grant/);
  await hub.admin(["hardware", "grant", "alice", "t4-medium"]);
  assert.match(await hub.admin(["hardware", "grants", "alice"]), /alice t4-medium/);
  const waiting = await hub.api("POST", sp(id, "/hardware"), { token: tok.alice, json: { flavor: "t4-medium", sleepTimeSeconds: 3600 } });
  assert.equal(waiting.status, 200, waiting.text);
  assertRuntimeShape(waiting.json);
  assert.deepEqual(waiting.json.hardware, { current: "cpu-upgrade", requested: "t4-medium" });
  assert.match(waiting.json.message, /Waiting for hardware/);
  assert.equal(waiting.json.gcTimeout, 3600);
  // The administrator gives the nodes one t4-medium: the request is placed.
  const file = path.join(hub.dataDir, "hardware.yaml");
  const yaml = readFileSync(file, "utf8").replace(/(- name: t4-medium[\s\S]*?capacity: )0/, "$11");
  // The hub re-reads the file when its mtime changes: set one that differs from what it read,
  // rather than hope the clock moved on (a write in the same clock tick keeps the old mtime).
  const { atime, mtimeMs } = statSync(file);
  writeFileSync(file, yaml);
  utimesSync(file, atime, new Date(mtimeMs + 2000));
  const placed = await hub.api("GET", sp(id, "/runtime"), { token: tok.alice });
  assert.deepEqual(placed.json.hardware, { current: "t4-medium", requested: "t4-medium" });
  // Back to free hardware: the fixed 48 h sleep time returns.
  const basic = await hub.api("POST", sp(id, "/hardware"), { token: tok.alice, json: { flavor: "cpu-basic" } });
  assert.deepEqual(basic.json.hardware, { current: "cpu-basic", requested: "cpu-basic" });
  assert.equal(basic.json.gcTimeout, 172800);
});

test("sleep time, pause, restart, storage", async () => {
  const id = "alice/guide";
  const refused = await hub.api("POST", sp(id, "/sleeptime"), { token: tok.alice, json: { seconds: 3600 } });
  assert.equal(refused.status, 400);
  assert.match(refused.json.error, /48 hours/);
  await hub.api("POST", sp(id, "/hardware"), { token: tok.alice, json: { flavor: "cpu-upgrade" } });
  for (const [seconds, status, gc] of [[3600, 200, 3600], ["120", 200, 120], [59, 400], [-1, 200, null], [null, 200, null]]) {
    const r = await hub.api("POST", sp(id, "/sleeptime"), { token: tok.alice, json: { seconds } });
    assert.equal(r.status, status, `${seconds}: ${r.text}`);
    if (status === 200) assert.equal(r.json.gcTimeout, gc);
  }
  const paused = await hub.api("POST", sp(id, "/pause"), { token: tok.alice });
  assert.equal(paused.json.stage, "PAUSED");
  assert.equal(paused.json.hardware.current, null);
  assert.equal(paused.json.hardware.requested, "cpu-upgrade");
  assert.equal((await hub.api("GET", sp(id, "/runtime"), { token: tok.alice })).json.stage, "PAUSED");
  const restarted = await hub.api("POST", sp(id, "/restart?factory=true"), { token: tok.alice });
  assert.equal(restarted.status, 200);
  assert.notEqual(restarted.json.stage, "PAUSED");
  assert.notEqual(restarted.json.stage, "RUNNING");
  for (const [tier, status] of [["small", 200], ["large", 200], ["medium", 400], ["huge", 400]]) {
    const r = await hub.api("POST", sp(id, "/storage"), { token: tok.alice, json: { tier } });
    assert.equal(r.status, status, `${tier}: ${r.text}`);
    if (tier === "medium") assert.match(r.json.error, /Delete the storage first/);
  }
  const del = await hub.api("DELETE", sp(id, "/storage"), { token: tok.alice });
  assert.equal(del.json.storage, null);
  const small = await hub.api("POST", sp(id, "/storage"), { token: tok.alice, json: { tier: "small" } });
  assert.equal(small.json.storage, "small");
});

test("duplicate: files, variables, never secrets; 409 with url", async () => {
  const r = await hub.api("POST", sp("alice/guide", "/duplicate"), {
    token: tok.dave, json: { repository: "dave/copy", private: true, storageTier: "small", variables: [{ key: "EXTRA", value: "x" }] },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.url, `${hub.endpoint}/spaces/dave/copy`);
  const info = await hub.api("GET", sp("dave/copy"), { token: tok.dave });
  assert.equal(info.json.private, true);
  assert.ok(info.json.siblings.some((s) => s.rfilename === "app.py"));
  const vars = await hub.api("GET", sp("dave/copy", "/variables"), { token: tok.dave });
  assert.deepEqual(Object.keys(vars.json).sort(), ["B", "EXTRA"]);
  const secrets = await hub.api("GET", sp("dave/copy", "/secrets"), { token: tok.dave });
  assert.deepEqual(secrets.json, {});
  const again = await hub.api("POST", sp("alice/guide", "/duplicate"), { token: tok.dave, json: { repository: "dave/copy" } });
  assert.equal(again.status, 409);
  assert.equal(again.json.url, `${hub.endpoint}/spaces/dave/copy`);
  // Target namespace defaults to the caller.
  const bare = await hub.api("POST", sp("alice/guide", "/duplicate"), { token: tok.dave, json: { repository: "copy2" } });
  assert.equal(bare.json.url, `${hub.endpoint}/spaces/dave/copy2`);
  assert.equal((await hub.api("POST", sp("alice/guide", "/duplicate"), { json: { repository: "x/y" } })).status, 401);
});

test("events: every action recorded, SSE lines, no secret values", async () => {
  const r = await hub.api("GET", sp("alice/guide", "/events"), { token: tok.alice });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/event-stream/);
  assert.ok(!r.text.includes(SECRET));
  const events = r.text.split("\n\n").filter(Boolean).map((l) => {
    assert.ok(l.startsWith("data: "), l);
    return JSON.parse(l.slice(6));
  });
  const actions = events.map((e) => e.action);
  for (const a of ["create", "secret.add", "secret.delete", "variable.add", "variable.delete", "hardware.request",
    "hardware.placed", "sleeptime.set", "pause", "restart", "storage.request", "storage.delete"]) {
    assert.ok(actions.includes(a), `missing event ${a}: ${actions}`);
  }
  const e = events[0];
  assert.match(e.timestamp, ISO);
  assert.equal(e.actor, "alice");
  assert.equal((await hub.api("GET", sp("alice/guide", "/events"), { token: tok.dave })).status, 403);
});

test("permission matrix for every call", async () => {
  await hub.admin(["hardware", "grant", "team", "cpu-upgrade"]);
  for (const [name, visibility] of [["pub", "public"], ["priv", "private"]]) {
    const r = await create({ name, organization: "team", private: visibility === "private" }, tok.bob);
    assert.equal(r.status, 200, r.text);
  }
  const calls = [
    ["GET", "/runtime", undefined, "read"],
    ["GET", "/secrets"], ["POST", "/secrets", { key: "K", value: SECRET }], ["DELETE", "/secrets", { key: "K" }],
    ["GET", "/variables"], ["POST", "/variables", { key: "V", value: "v" }], ["DELETE", "/variables", { key: "V" }],
    ["POST", "/hardware", { flavor: "cpu-upgrade" }], ["POST", "/sleeptime", { seconds: 3600 }],
    ["POST", "/pause"], ["POST", "/restart"], ["POST", "/storage", { tier: "small" }], ["DELETE", "/storage"],
    ["GET", "/events"],
  ];
  const callers = {
    owner: tok.alice, orgWriter: tok.bob, orgReader: tok.carol, outsider: tok.dave, anonymous: undefined, readToken: tok.aliceRead,
  };
  const canRead = { owner: true, orgWriter: true, orgReader: true, outsider: false, anonymous: false, readToken: true };
  const canManage = { owner: true, orgWriter: true, orgReader: false, outsider: false, anonymous: false, readToken: false };
  for (const space of ["pub", "priv"]) {
    for (const [method, suffix, json, need] of calls) {
      for (const [who, token] of Object.entries(callers)) {
        const r = await hub.api(method, sp(`team/${space}`, suffix), { token, json });
        let want;
        if (need === "read") want = space === "pub" || canRead[who] ? 200 : 404;
        // A write with a body and no credentials is refused from its head, before the body is
        // read (http_limits.test.mjs): 401 whether or not the Space exists.
        else if (who === "anonymous" && json !== undefined) want = 401;
        else if (canManage[who]) want = 200;
        else want = space === "priv" && !canRead[who] ? 404 : 403;
        assert.equal(r.status, want, `${who} ${method} team/${space}${suffix} → ${r.status} ${r.text}`);
        assert.ok(!r.text.includes(SECRET));
        if (want === 404) assert.equal(r.headers.get("x-error-code"), "RepoNotFound");
      }
    }
  }
  // Duplicate needs read on the source and write on the target namespace.
  assert.equal((await hub.api("POST", sp("team/priv", "/duplicate"), { token: tok.dave, json: { repository: "dave/p" } })).status, 404);
  assert.equal((await hub.api("POST", sp("team/priv", "/duplicate"), { token: tok.carol, json: { repository: "team/p" } })).status, 403);
  assert.equal((await hub.api("POST", sp("team/pub", "/duplicate"), { token: tok.dave, json: { repository: "team/p" } })).status, 403);
  assert.equal((await hub.api("POST", sp("team/pub", "/duplicate"), { token: tok.aliceRead, json: { repository: "alice/p" } })).status, 403);
  // Grants are per owner: dave has none, so his copy may not take upgraded hardware.
  const g = await hub.api("POST", sp("team/pub", "/duplicate"), { token: tok.dave, json: { repository: "dave/gpu", hardware: "cpu-upgrade" } });
  assert.equal(g.status, 403);
  assert.match(g.json.error, /grant/);
});
