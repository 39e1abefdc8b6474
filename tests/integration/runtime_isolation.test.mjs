// Space runtime isolation, limits and storage (issue #5), against the real kernel: hostile and
// faulty Python apps (standard library only) run by `serve --space-runtime local` with a tiny
// flavor (1 vCPU, 1 GiB), a 64-process limit and 32/48/64 MiB storage tiers. Checked from inside
// the sandbox (results written to /data, read from the host): other Spaces' files, the hub's data
// and keys and other Spaces' ports are out of reach; the limits are readable where libraries look;
// a write past the tier fails with ENOSPC, and an upgraded tier is larger with the data kept.
// From outside: a memory hog is killed at its limit and ends in RUNTIME_ERROR saying so, a fork
// bomb stops at the process limit, the hub keeps answering, a printed secret is redacted in the
// errorMessage, and `kill -9` of the hub leaves no process, cgroup or mount behind once it is back.
// Needs bwrap, root, writable cgroups and loop mounts; each part says so when it skips.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { startHub, commit, uniqueName, sleep, removeTempDir } from "./harness.mjs";
import * as lib from "./runtime_lib.mjs";
import { HAVE_BWRAP, IS_ROOT, spaceProcesses, waitFor } from "./runtime_lib.mjs";

const SECRET = "sk_live_ISOLATION_SECRET_4471";
const SKIP = !HAVE_BWRAP ? "no bwrap on this machine" : !IS_ROOT ? "the local runtime's checks need root" : false;
const HUB_ARGS = [
  "--space-runtime", "local",
  "--space-pids-limit", "64",
  "--space-storage-tiers", "small=32M,medium=48M,large=64M",
];
const MiB = 1024 * 1024;

let hub;
let limitsOn = false;
let loopOn = false;
const names = {};
const sp = (name, suffix = "") => `/api/spaces/admin/${name}${suffix}`;

// Reports everything it can see as JSON in /data/<RESULT_FILE>, then serves its port.
const PROBE_APP = `
import errno, json, os, socket, http.server
r = {"uid": os.getuid(), "env": {k: os.environ.get(k) for k in ("CPU_CORES", "MEMORY", "SPACE_ID")}}
hub = os.environ["HUB_DATA"]
r["visible"] = [p for p in (hub, hub + "/hub.db", hub + "/keys", hub + "/keys/lfs-url.key", hub + "/spaces",
                             os.environ["VICTIM_APP"], os.environ["VICTIM_DATA"]) if os.path.exists(p)]
found = []
for top in ("/", "/tmp", "/home", "/data", "/app"):
    for d, dirs, files in os.walk(top):
        dirs[:] = [x for x in dirs if os.path.join(d, x) not in ("/proc", "/sys", "/usr", "/dev")]
        found += [os.path.join(d, f) for f in files if f == "victim-secret.txt"]
r["victim_files_found"] = found
def connect(port):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return "connected"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()
r["connect_other_space"] = connect(7860)
r["connect_hub"] = connect(int(os.environ["HUB_PORT"]))
def read(p):
    try:
        with open(p) as f:
            return f.read().strip()
    except OSError as e:
        return "error: " + e.strerror
r["limits"] = {
    "memory": read("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    "memory_v2": read("/sys/fs/cgroup/memory.max"),
    "pids": read("/sys/fs/cgroup/pids/pids.max"),
    "pids_v2": read("/sys/fs/cgroup/pids.max"),
    "cpu_quota": read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
    "cpu_v2": read("/sys/fs/cgroup/cpu.max"),
}
try:
    with open("/sys/fs/cgroup/pids/pids.max", "w") as f:
        f.write("100000")
    r["raise_own_limit"] = "allowed"
except OSError as e:
    r["raise_own_limit"] = errno.errorcode.get(e.errno, str(e))
st = os.stat("/data")
vfs = os.statvfs("/data")
r["data"] = {"owner": st.st_uid, "total": vfs.f_blocks * vfs.f_frsize}
r["kept_from_before"] = os.path.exists("/data/kept.txt")
with open("/data/kept.txt", "w") as f:
    f.write("still here")
written = 0
try:
    with open("/data/fill.bin", "wb") as f:
        chunk = b"x" * (1 << 20)
        for _ in range(200):
            f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
            written += len(chunk)
    r["fill"] = "no error"
except OSError as e:
    r["fill"] = errno.errorcode.get(e.errno, str(e))
r["fill_written"] = written
os.remove("/data/fill.bin")
with open("/data/" + os.environ["RESULT_FILE"], "w") as f:
    json.dump(r, f)
print("probe done", flush=True)
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

const VICTIM_APP = `
import os, http.server
with open("/data/victim-secret.txt", "w") as f:
    f.write("the victim's data")
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

// Takes memory 32 MiB at a time (touched, so it is really used) until something stops it.
const HOG_APP = `
import sys
held = []
while True:
    held.append(b"x" * (32 << 20))
    print("holding %d MiB" % (32 * len(held)), flush=True)
`;

// Forks children that stay, until fork fails; then serves its port (single-threaded: no thread
// could be started at the limit).
const BOMB_APP = `
import os, time, http.server
n, err = 0, None
try:
    while n < 100000:
        pid = os.fork()
        if pid == 0:
            time.sleep(3600)
            os._exit(0)
        n += 1
except OSError as e:
    err = e.strerror
print("forked %d children, then: %s" % (n, err), flush=True)
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

const LEAKY_APP = `
import os, sys
print("connecting with token " + os.environ["API_TOKEN"], flush=True)
sys.exit(2)
`;

const createSpace = (name, app, extra = {}) =>
  lib.createSpace(hub, name, [
    { path: "README.md", content: "---\nsdk: gradio\nstartup_duration_timeout: 1m\n---\n" },
    { path: "app.py", content: app },
  ], extra);
// Every runtime answer is also checked to hold no secret value.
const runtime = (name) => lib.runtime(hub, name, [SECRET]);
const waitStage = (name, stages, timeoutMs = 60_000) => lib.waitStage(hub, name, stages, timeoutMs, [SECRET]);

function mountsUnder(dir) {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((p) => p && (p === dir || p.startsWith(dir + "/")));
}

function spaceDirs() {
  const root = path.join(hub.dataDir, "spaces");
  return existsSync(root) ? readdirSync(root).filter((d) => !d.startsWith(".")) : [];
}

// The uid directory of the Space whose /data holds `file` (found from the host).
function dirWith(file) {
  for (const uid of spaceDirs()) {
    if (existsSync(path.join(hub.dataDir, "spaces", uid, "data", file))) return uid;
  }
  return null;
}

function readResult(file) {
  const uid = dirWith(file);
  return uid ? JSON.parse(readFileSync(path.join(hub.dataDir, "spaces", uid, "data", file), "utf8")) : null;
}

function writeTinyFlavor() {
  // The catalog is re-read when it changes: every Space here gets 1 vCPU and 1 GiB.
  writeFileSync(
    path.join(hub.dataDir, "hardware.yaml"),
    "default: cpu-basic\nflavors:\n  - name: cpu-basic\n    pretty_name: \"CPU basic\"\n" +
      "    vcpu: 1\n    memory_gb: 1\n    disk_gb: 50\n    free: true\n",
  );
}

before(async () => {
  if (SKIP) return;
  hub = await startHub({ args: HUB_ARGS });
  limitsOn = /limits: cgroup v[12]/.test(hub.stderr + hub.stdout);
  loopOn = /storage: \/data as loop-mounted ext4/.test(hub.stderr + hub.stdout);
  writeTinyFlavor();
  for (const k of ["victim", "probe", "hog", "bomb", "leaky"]) names[k] = uniqueName(k);
  await createSpace(names.victim, VICTIM_APP, { storageTier: "small" });
  await waitStage(names.victim, ["RUNNING"]);
  const victimUid = dirWith("victim-secret.txt");
  const victimBuild = readdirSync(path.join(hub.dataDir, "spaces", victimUid, "builds"))[0];
  await Promise.all([
    createSpace(names.probe, PROBE_APP, {
      storageTier: "small",
      variables: [
        { key: "HUB_DATA", value: hub.dataDir },
        { key: "HUB_PORT", value: String(hub.port) },
        { key: "RESULT_FILE", value: "probe-1.json" },
        { key: "VICTIM_APP", value: path.join(hub.dataDir, "spaces", victimUid, "builds", victimBuild, "app.py") },
        { key: "VICTIM_DATA", value: path.join(hub.dataDir, "spaces", victimUid, "data", "victim-secret.txt") },
      ],
    }),
    createSpace(names.hog, HOG_APP),
    createSpace(names.bomb, BOMB_APP),
    createSpace(names.leaky, LEAKY_APP, { secrets: [{ key: "API_TOKEN", value: SECRET }] }),
  ]);
});

after(async () => {
  if (!hub) return;
  assert.ok(!hub.stdout.includes(SECRET) && !hub.stderr.includes(SECRET), "secret value in server output");
  await hub.stop();
  // Whatever a failed test left mounted must not be deleted through its mount.
  for (const m of mountsUnder(hub.dataDir).reverse()) {
    try {
      execFileSync("umount", ["-l", m]);
    } catch {}
  }
  removeTempDir(hub.dataDir);
  for (const k of Object.keys(names)) assert.deepEqual(spaceProcesses(names[k]), [], `${k} outlived the hub`);
});

test("the hub says how it limits Spaces and stores /data", { skip: SKIP }, () => {
  assert.match(hub.stderr + hub.stdout, /space runtime: limits: (cgroup v[12] \(|no limits)/);
  assert.match(hub.stderr + hub.stdout, /space runtime: storage: \/data as (loop-mounted ext4|plain directories)/);
});

test("a Space sees neither other Spaces, the hub's data and keys, nor other Spaces' ports", { skip: SKIP }, async () => {
  await waitStage(names.probe, ["RUNNING"]);
  const r = await waitFor("the probe's result", () => readResult("probe-1.json"));
  assert.equal(r.uid, 1000);
  assert.equal(r.env.SPACE_ID, `admin/${names.probe}`);
  assert.deepEqual(r.visible, [], "host paths visible inside the Space");
  assert.deepEqual(r.victim_files_found, [], "another Space's /data is visible");
  assert.equal(r.connect_other_space, "ECONNREFUSED", "reached another Space's port 7860");
  // The hub itself is reachable inside, on purpose: its API at HF_ENDPOINT (a listener the hub
  // makes inside this Space's own network), never another Space.
  assert.equal(r.connect_hub, "connected", "the hub's API is not reachable at HF_ENDPOINT");
  // The victim really is listening, and its file really is there on the host.
  assert.equal((await runtime(names.victim)).stage, "RUNNING");
  assert.ok(dirWith("victim-secret.txt"));
});

test("the flavor's limits are in force and readable inside; the Space cannot raise them", { skip: SKIP }, async (t) => {
  if (!limitsOn) return t.skip("cgroups are not writable here: the hub runs Spaces without limits");
  const r = await waitFor("the probe's result", () => readResult("probe-1.json"));
  assert.equal(r.env.CPU_CORES, "1");
  assert.equal(r.env.MEMORY, "1Gi");
  const mem = r.limits.memory.startsWith("error") ? r.limits.memory_v2 : r.limits.memory;
  assert.equal(Number(mem), 1024 * MiB, JSON.stringify(r.limits));
  const pids = r.limits.pids.startsWith("error") ? r.limits.pids_v2 : r.limits.pids;
  assert.equal(pids, "64");
  const cpu = r.limits.cpu_quota.startsWith("error") ? r.limits.cpu_v2.split(" ")[0] : r.limits.cpu_quota;
  assert.equal(cpu, "100000"); // 1 vCPU over a 100 ms period
  assert.notEqual(r.raise_own_limit, "allowed");
});

test("/data is the tier's size: a write past it fails with ENOSPC inside", { skip: SKIP }, async (t) => {
  if (!loopOn) return t.skip("loop mounts do not work here: /data is a plain directory");
  const r = await waitFor("the probe's result", () => readResult("probe-1.json"));
  assert.equal(r.data.owner, 1000, "/data is not the app's");
  assert.ok(r.data.total > 24 * MiB && r.data.total <= 32 * MiB, `size ${r.data.total}`);
  assert.equal(r.fill, "ENOSPC");
  assert.ok(r.fill_written < 32 * MiB, `wrote ${r.fill_written}`);
  assert.equal(r.kept_from_before, false);
  const uid = dirWith("probe-1.json");
  const image = path.join(hub.dataDir, "spaces", uid, "storage.ext4");
  assert.ok(existsSync(image));
  assert.equal(mountsUnder(path.join(hub.dataDir, "spaces", uid)).length, 1);
});

test("a larger tier grows /data and keeps its files", { skip: SKIP }, async (t) => {
  if (!loopOn) return t.skip("loop mounts do not work here");
  await waitFor("the probe's result", () => readResult("probe-1.json"));
  // The running app wrote its result; the restarted one writes it again (on the grown volume).
  const uid = dirWith("probe-1.json");
  rmSync(path.join(hub.dataDir, "spaces", uid, "data", "probe-1.json"));
  const s = await hub.api("POST", sp(names.probe, "/storage"), { token: hub.token, json: { tier: "medium" } });
  assert.equal(s.status, 200, s.text);
  const r = await waitFor("the probe's second result", () => readResult("probe-1.json"), 60_000);
  assert.equal(r.kept_from_before, true, "the data did not survive the upgrade");
  assert.ok(r.data.total > 36 * MiB && r.data.total <= 48 * MiB, `size ${r.data.total}`);
  assert.equal(r.fill, "ENOSPC");
  assert.ok(r.fill_written > 32 * MiB, `wrote ${r.fill_written}`);
});

test("GET /metrics reports the running Space's CPU, memory, processes and /data use", { skip: SKIP }, async (t) => {
  await waitStage(names.probe, ["RUNNING"]);
  const r = await hub.api("GET", sp(names.probe, "/metrics?follow=false"), { token: hub.token });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get("content-type"), /text\/event-stream/);
  assert.match(r.text, /^event: metric\ndata: \{/);
  const m = JSON.parse(r.text.split("\n").find((l) => l.startsWith("data: ")).slice(6));
  if (limitsOn) {
    assert.equal(m.memory_total_bytes, 1024 * MiB);
    assert.ok(m.memory_used_bytes > 0 && m.memory_used_bytes < 1024 * MiB, JSON.stringify(m));
    assert.ok(m.pids >= 2 && m.pids <= 64, JSON.stringify(m));
    assert.ok(m.cpu_usage_ns > 0 && m.cpu_millicores >= 0, JSON.stringify(m));
  }
  // Followed (the default), a new metric comes about once a second while the Space runs.
  const ac = new AbortController();
  const live = await fetch(hub.endpoint + sp(names.probe, "/metrics"), {
    headers: { authorization: `Bearer ${hub.token}` },
    signal: ac.signal,
  });
  const reader = live.body.getReader();
  let streamed = "";
  const until = Date.now() + 30_000; // generous: a loaded machine delays events, it does not lose them
  while ((streamed.match(/event: metric/g) ?? []).length < 3 && Date.now() < until) {
    const { value, done } = await reader.read();
    if (done) break;
    streamed += new TextDecoder().decode(value);
  }
  ac.abort();
  assert.ok((streamed.match(/event: metric/g) ?? []).length >= 3, streamed);
  if (!loopOn) return t.skip("no storage volume here");
  assert.ok(m.storage_total_bytes > 16 * MiB && m.storage_total_bytes <= 48 * MiB, JSON.stringify(m));
  assert.ok(m.storage_used_bytes > 0 && m.storage_used_bytes < m.storage_total_bytes, JSON.stringify(m));
  // Others may not read them; a Space that does not run has none.
  const anon = await hub.api("GET", sp(names.probe, "/metrics"));
  assert.ok([401, 403, 404].includes(anon.status), `${anon.status}`);
  const leaky = await hub.api("GET", sp(names.leaky, "/metrics"), { token: hub.token });
  assert.equal(leaky.status, 200);
  assert.equal(leaky.text, "");
});

test("a memory hog is killed at its limit and ends in RUNTIME_ERROR saying so; the hub keeps serving", { skip: SKIP }, async (t) => {
  if (!limitsOn) return t.skip("cgroups are not writable here");
  const deadline = Date.now() + 90_000;
  let rt;
  while (Date.now() < deadline) {
    rt = await runtime(names.hog);
    if (rt.stage === "RUNTIME_ERROR") break;
    // Meanwhile everyone else is served.
    assert.equal((await hub.api("GET", "/api/whoami-v2", { token: hub.token })).status, 200);
    await sleep(500);
  }
  assert.equal(rt.stage, "RUNTIME_ERROR", JSON.stringify(rt));
  assert.match(rt.errorMessage, /out of memory at its limit of 1024 MiB/);
  const held = [...rt.errorMessage.matchAll(/holding (\d+) MiB/g)].map((m) => Number(m[1]));
  assert.ok(held.length > 0 && Math.max(...held) <= 1024, rt.errorMessage);
  assert.equal((await runtime(names.victim)).stage, "RUNNING");
});

test("a fork bomb stops at the process limit; pause takes all of it down", { skip: SKIP }, async (t) => {
  if (!limitsOn) return t.skip("cgroups are not writable here");
  await waitStage(names.bomb, ["RUNNING"]);
  const log = await hub.api("GET", sp(names.bomb, "/logs/run?follow=false"), { token: hub.token });
  const m = /forked (\d+) children, then: (.*?)"/.exec(log.text);
  assert.ok(m, log.text);
  assert.ok(Number(m[1]) < 64, `forked ${m[1]}`);
  assert.match(m[2], /Resource temporarily unavailable/);
  assert.ok(spaceProcesses(names.bomb).length <= 64);
  assert.equal((await hub.api("GET", "/api/whoami-v2", { token: hub.token })).status, 200);
  const p = await hub.api("POST", sp(names.bomb, "/pause"), { token: hub.token });
  assert.equal(p.status, 200, p.text);
  await waitFor("the bomb's processes to go", () => spaceProcesses(names.bomb).length === 0, 15_000);
});

test("an app that prints a secret and exits: RUNTIME_ERROR with the value redacted", { skip: SKIP }, async () => {
  const rt = await waitStage(names.leaky, ["RUNTIME_ERROR"]);
  assert.match(rt.errorMessage, /connecting with token \*\*\*/);
  assert.ok(!JSON.stringify(rt).includes(SECRET));
  const log = await hub.api("GET", sp(names.leaky, "/logs/run?follow=false"), { token: hub.token });
  assert.ok(!log.text.includes(SECRET));
  assert.match(log.text, /connecting with token \*\*\*/);
});

test("kill -9 of the hub: no process, cgroup or mount outlives it once it is back", { skip: SKIP }, async () => {
  await waitStage(names.victim, ["RUNNING"]);
  await waitStage(names.probe, ["RUNNING"]);
  const before = [...spaceProcesses(names.victim), ...spaceProcesses(names.probe)];
  assert.ok(before.length > 0);
  await hub.kill9();
  await waitFor("the Spaces to die with their hub", () => before.every((pid) => !existsSync(`/proc/${pid}`)), 10_000);
  const { dataDir, token } = hub;
  hub = await startHub({ dataDir, token, args: HUB_ARGS });
  // The probe's and the victim's /data (each has a tier).
  if (loopOn) assert.match(hub.stderr, /unmounted 2 volume\(s\) left mounted by a previous run/);
  if (limitsOn) assert.match(hub.stderr, /removed \d+ cgroup\(s\) left by a previous run/);
  await waitStage(names.victim, ["RUNNING"]);
  await waitStage(names.probe, ["RUNNING"]);
  for (const pid of before) assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} from before the kill`);
  // Two mounts: the running probe's and victim's /data, each mounted once (not on a leftover).
  if (loopOn) assert.equal(mountsUnder(path.join(dataDir, "spaces")).length, 2);
});

test("deleting Spaces removes their files, volume and mount", { skip: SKIP }, async () => {
  const probeUid = dirWith("kept.txt");
  const victimUid = dirWith("victim-secret.txt");
  assert.ok(probeUid && victimUid);
  for (const name of [names.probe, names.victim]) {
    const d = await hub.api("DELETE", "/api/repos/delete", {
      token: hub.token,
      json: { name, organization: "admin", type: "space" },
    });
    assert.equal(d.status, 200, d.text);
  }
  await waitFor("the deleted Spaces' directories to go", () => !spaceDirs().includes(probeUid) && !spaceDirs().includes(victimUid), 15_000);
  assert.deepEqual(mountsUnder(path.join(hub.dataDir, "spaces")), []);
  assert.deepEqual(spaceProcesses(names.probe), []);
});

test("without loop mounts or cgroups: plain /data with usage checks, no limits, and the hub says so", { skip: SKIP }, async () => {
  const plain = await startHub({
    args: [...HUB_ARGS, "--space-storage-mode", "plain", "--space-no-limits"],
  });
  try {
    assert.match(plain.stderr, /limits: no limits \(switched off\)/);
    assert.match(plain.stderr, /storage: \/data as plain directories with usage checks/);
    const name = uniqueName("plainfill");
    const r = await plain.api("POST", "/api/repos/create", {
      token: plain.token,
      json: { type: "space", sdk: "gradio", name, storageTier: "small" },
    });
    assert.equal(r.status, 200, r.text);
    // Nothing stops the write in this mode; the next start refuses the Space over its tier.
    const app = `
import os, http.server
with open("/data/fill.bin", "wb") as f:
    f.write(os.urandom(40 << 20))
print("wrote 40 MiB", flush=True)
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;
    await commit(plain, {
      type: "space",
      id: `admin/${name}`,
      token: plain.token,
      files: [{ path: "app.py", content: app }],
    });
    const stage = async () => (await plain.api("GET", `/api/spaces/admin/${name}/runtime`, { token: plain.token })).json;
    let rt;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (rt = await stage()).stage !== "RUNNING") await sleep(250);
    assert.equal(rt.stage, "RUNNING", JSON.stringify(rt));
    const log = async () => (await plain.api("GET", `/api/spaces/admin/${name}/logs/run?follow=false`, { token: plain.token })).text;
    while (Date.now() < deadline && !(await log()).includes("wrote 40 MiB")) await sleep(250);
    const restart = await plain.api("POST", `/api/spaces/admin/${name}/restart`, { token: plain.token });
    assert.equal(restart.status, 200, restart.text);
    while (Date.now() < deadline && (rt = await stage()).stage !== "RUNTIME_ERROR") await sleep(250);
    assert.equal(rt.stage, "RUNTIME_ERROR", JSON.stringify(rt));
    assert.match(rt.errorMessage, /its \/data holds 40 MiB, more than its storage tier \(32 MiB\)/);
  } finally {
    await plain.stop();
  }
});
