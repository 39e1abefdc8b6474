// The sandbox holds (issue #12): each attack a Space owner tried from inside an app, written as a
// probe app that reports what it could do (to its /data, read from the host), and checked again
// from the host afterwards. Beside each attack, the legitimate use it must not break: the app binds
// its port, reaches HF_ENDPOINT, writes its /data (with a tier) and sees its variables and secrets.
// Needs bwrap and root (the hub gives every Space its own host uid); skips without them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import http from "node:http";
import os from "node:os";

import { startHub, commit, uniqueName, sleep } from "./harness.mjs";
import * as lib from "./runtime_lib.mjs";
import { createSpace as createSpaceOn, HAVE_BWRAP, IS_ROOT, spaceProcesses, waitStage } from "./runtime_lib.mjs";

const SKIP = !HAVE_BWRAP ? "no bwrap on this machine" : !IS_ROOT ? "own host uids need a root hub" : false;
const SECRET = "sk_live_SANDBOX_SECRET_9931";
const MiB = 1024 * 1024;
// No --space-runtime: the default runs Spaces.
const HUB_ARGS = [
  "--space-pids-limit", "64",
  "--space-storage-tiers", "small=32M,medium=48M,large=64M",
  "--space-tmp-size", "16M",
  "--space-log-size", "256K",
];

let hub;
let work; // the test's own host directory: the loader attack's library and its marker
const names = {};

// Everything the app tries, as an attacker would, reported as JSON in /data/result.json.
const PROBE_APP = `
import ctypes, errno, json, os, shutil, socket, subprocess, urllib.request, urllib.error, http.server
r = {"uid": os.getuid(), "gid": os.getgid()}
def err(fn):
    try:
        fn()
        return "allowed"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
r["fds"] = {fd: os.readlink("/proc/self/fd/" + fd) for fd in os.listdir("/proc/self/fd")
            if os.path.exists("/proc/self/fd/" + fd)}
def write(path, text):
    with open(path, "w") as f:
        f.write(text)
r["core_pattern"] = err(lambda: write("/proc/sys/kernel/core_pattern", "|/data/evil.sh"))
r["sysrq"] = err(lambda: write("/proc/sysrq-trigger", "h"))
r["sys_visible"] = os.path.exists("/sys/kernel")
r["unshare_user"] = subprocess.run(["unshare", "-Ur", "true"], capture_output=True).returncode
r["unshare_net"] = subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode
libc = ctypes.CDLL(None, use_errno=True)
def syscall(nr, *args):
    ctypes.set_errno(0)
    rc = libc.syscall(nr, *[ctypes.c_long(a) for a in args])
    return "allowed" if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
# x86_64 numbers: keyctl, bpf, userfaultfd, perf_event_open, io_uring_setup, unshare(CLONE_NEWUSER)
r["syscalls"] = {"keyctl": syscall(250, 0, 0, 0, 0, 0), "bpf": syscall(321, 0, 0, 0),
                 "userfaultfd": syscall(323, 0), "perf_event_open": syscall(298, 0, 0, -1, -1, 0),
                 "io_uring_setup": syscall(425, 1, 0), "unshare": syscall(272, 0x10000000)}
shutil.copy("/usr/bin/python3", "/data/py")
r["setuid"] = err(lambda: os.chmod("/data/py", 0o4755))
r["setgid"] = err(lambda: os.chmod("/data/py", 0o2755))
r["py_mode"] = oct(os.stat("/data/py").st_mode & 0o7777)
def fill(path):
    written = 0
    try:
        with open(path, "wb") as f:
            for _ in range(64):
                f.write(b"x" * (1 << 20))
                f.flush()
                written += 1 << 20
        return "no error", written
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e)), written
r["tmp_fill"] = fill("/tmp/fill.bin")
os.remove("/tmp/fill.bin")
r["data_fill"] = fill("/data/fill.bin")
os.remove("/data/fill.bin")
r["env"] = {k: os.environ.get(k) for k in ("LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "MY_VAR", "API_KEY")}
try:
    urllib.request.urlopen(os.environ["HF_ENDPOINT"] + "/api/whoami-v2", timeout=5)
    r["hf_endpoint"] = 200
except urllib.error.HTTPError as e:
    r["hf_endpoint"] = e.code
except OSError as e:
    r["hf_endpoint"] = str(e)
with open("/data/result.json", "w") as f:
    json.dump(r, f)
print("probe done", flush=True)
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

// A Space without a storage tier: as on the Hub, it has no /data (and nothing else on the host).
const NO_TIER_APP = `
import json, os, http.server
print("NOTIER " + json.dumps({"uid": os.getuid(), "data": os.path.exists("/data")}), flush=True)
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

// Prints far more than the run log keeps (about 3 MiB), then serves.
const FLOOD_APP = `
import os, sys, http.server
line = "flood " + "y" * 1000 + "\\n"
for i in range(3000):
    sys.stdout.write(str(i) + " " + line)
sys.stdout.flush()
print("flood done", flush=True)
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

const createSpace = (name, app, extra = {}) =>
  createSpaceOn(
    hub,
    name,
    [
      { path: "README.md", content: "---\nsdk: gradio\nstartup_duration_timeout: 1m\n---\n" },
      { path: "app.py", content: app },
    ],
    extra,
  );

const waitFor = (what, fn, timeoutMs = 60_000) => lib.waitFor(what, fn, timeoutMs);

function spaceDirs() {
  const root = path.join(hub.dataDir, "spaces");
  return existsSync(root) ? readdirSync(root).filter((d) => !d.startsWith(".")) : [];
}

function dirWith(file) {
  return spaceDirs().find((uid) => existsSync(path.join(hub.dataDir, "spaces", uid, "data", file))) ?? null;
}

function probeResult() {
  const uid = dirWith("result.json");
  return uid ? JSON.parse(readFileSync(path.join(hub.dataDir, "spaces", uid, "data", "result.json"), "utf8")) : null;
}

// The host uid and gid every process of a Space runs as (from /proc/<pid>/status).
function hostIds(name) {
  const ids = new Set();
  for (const pid of spaceProcesses(name)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const uid = /^Uid:\s+(.*)$/m.exec(status)[1].split(/\s+/);
      const gid = /^Gid:\s+(.*)$/m.exec(status)[1].split(/\s+/);
      ids.add(`${uid.join(",")}/${gid.join(",")}`);
    } catch {}
  }
  return [...ids];
}

async function runLog(name) {
  const r = await hub.api("GET", `/api/spaces/admin/${name}/logs/run?follow=false`, { token: hub.token });
  assert.equal(r.status, 200, r.text);
  return r.text;
}

// Runs `args` as an unprivileged local account (nobody), as a host user other than the hub would.
function asNobody(args) {
  return spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...args], { encoding: "utf8" });
}

function walk(dir, out = []) {
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) walk(p, out);
  }
  return out;
}

before(async () => {
  if (SKIP) return;
  work = mkdtempSync(path.join(os.tmpdir(), "spacehub-sandbox-"));
  // A library whose constructor would leave a marker on the host if any host process loaded it.
  writeFileSync(
    path.join(work, "evil.c"),
    `#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void evil(void) {\n` +
      `  int fd = open("${work}/MARKER", O_CREAT | O_WRONLY | O_APPEND, 0644);\n` +
      `  if (fd >= 0) { (void)!write(fd, "loaded\\n", 7); close(fd); }\n}\n` +
      `unsigned la_version(unsigned v) { return v; }\n`,
  );
  execFileSync("cc", ["-shared", "-fPIC", "-o", path.join(work, "evil.so"), path.join(work, "evil.c")]);
  hub = await startHub({ args: HUB_ARGS });
  for (const k of ["probe", "notier", "flood"]) names[k] = uniqueName(k);
  const evil = path.join(work, "evil.so");
  await Promise.all([
    createSpace(names.probe, PROBE_APP, {
      storageTier: "small",
      variables: [
        { key: "LD_PRELOAD", value: evil },
        { key: "LD_AUDIT", value: evil },
        { key: "LD_LIBRARY_PATH", value: work },
        { key: "MY_VAR", value: "visible" },
      ],
      secrets: [{ key: "API_KEY", value: SECRET }],
    }),
    createSpace(names.notier, NO_TIER_APP),
    createSpace(names.flood, FLOOD_APP),
  ]);
});

after(async () => {
  if (!hub) return;
  assert.ok(!hub.stdout.includes(SECRET) && !hub.stderr.includes(SECRET), "secret value in server output");
  await hub.stop();
  for (const k of Object.keys(names)) assert.deepEqual(spaceProcesses(names[k]), [], `${k} outlived the hub`);
  if (work) rmSync(work, { recursive: true, force: true });
});

test("each Space runs as its own unprivileged host uid, never root, never another Space's", { skip: SKIP }, async () => {
  assert.match(hub.stderr + hub.stdout, /space runtime: local \(bubblewrap\)/, "the default hub does not run Spaces");
  await waitStage(hub, names.probe, ["RUNNING"], 90_000, [SECRET]);
  await waitStage(hub, names.notier, ["RUNNING"]);
  const probe = hostIds(names.probe);
  const notier = hostIds(names.notier);
  assert.equal(probe.length, 1, JSON.stringify(probe));
  assert.equal(notier.length, 1, JSON.stringify(notier));
  for (const ids of [probe[0], notier[0]]) {
    const [uids, gids] = ids.split("/");
    for (const id of [...uids.split(","), ...gids.split(",")]) {
      assert.ok(Number(id) >= 1_000_000 && Number(id) !== 65534, `host id ${id} (${ids})`);
    }
  }
  assert.notEqual(probe[0], notier[0], "two Spaces share a host uid");
  // Inside, the app is uid 1000 as on the Hub.
  const r = await waitFor("the probe's result", probeResult);
  assert.equal(r.uid, 1000);
  assert.equal(r.gid, 1000);
});

test("the app inherits no descriptor of the hub (listening socket, visitors, other logs)", { skip: SKIP }, async () => {
  const r = await waitFor("the probe's result", probeResult);
  // 0 (/dev/null), 1 and 2 (the log pipe), and the one listdir itself opened.
  const fds = Object.keys(r.fds).map(Number).sort((a, b) => a - b);
  assert.deepEqual(fds.filter((fd) => fd > 2).length <= 1, true, JSON.stringify(r.fds));
  for (const [fd, target] of Object.entries(r.fds)) {
    assert.ok(!/^socket:/.test(target), `fd ${fd} is a socket: ${target}`);
    assert.ok(!/\.log$/.test(target), `fd ${fd} is a log file: ${target}`);
  }
  // From the host too: no process of the Space holds a socket it did not make (its server's own
  // listening socket is the only one).
  for (const pid of spaceProcesses(names.notier)) {
    const sockets = readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return /^socket:/.test(execFileSync("readlink", [`/proc/${pid}/fd/${fd}`], { encoding: "utf8" }));
      } catch {
        return false;
      }
    });
    assert.ok(sockets.length <= 1, `pid ${pid} holds ${sockets.length} sockets`);
  }
});

test("host-global kernel knobs are read-only; /sys is absent", { skip: SKIP }, async () => {
  const before = readFileSync("/proc/sys/kernel/core_pattern", "utf8");
  const r = await waitFor("the probe's result", probeResult);
  assert.notEqual(r.core_pattern, "allowed");
  assert.notEqual(r.sysrq, "allowed");
  assert.equal(r.sys_visible, false);
  assert.equal(readFileSync("/proc/sys/kernel/core_pattern", "utf8"), before);
  assert.ok(!before.includes("/data/evil.sh"));
});

test("no new namespaces inside, and the seccomp filter refuses the kernel's risky calls", { skip: SKIP }, async () => {
  const r = await waitFor("the probe's result", probeResult);
  assert.notEqual(r.unshare_user, 0, "unshare -Ur worked inside the Space");
  assert.notEqual(r.unshare_net, 0, "unshare -n worked inside the Space");
  for (const [call, result] of Object.entries(r.syscalls)) assert.equal(result, "EPERM", `${call}: ${result}`);
});

test("no setuid or setgid file can be made, and none is on the host", { skip: SKIP }, async () => {
  const r = await waitFor("the probe's result", probeResult);
  assert.equal(r.setuid, "EPERM");
  assert.equal(r.setgid, "EPERM");
  assert.equal(r.py_mode, "0o755");
  for (const p of walk(path.join(hub.dataDir, "spaces"))) {
    const st = lstatSync(p);
    if (st.isFile()) assert.equal(st.mode & 0o6000, 0, `${p} is setuid/setgid`);
  }
  // /data is mounted nosuid,nodev on the host where it is a volume.
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(hub.dataDir));
  for (const m of mounts) assert.match(m.split(" ")[5], /nosuid/, m);
});

test("what a Space writes is bounded: /tmp by its size, /data by its tier, no /data without one", { skip: SKIP }, async () => {
  const r = await waitFor("the probe's result", probeResult);
  assert.equal(r.tmp_fill[0], "ENOSPC", JSON.stringify(r.tmp_fill));
  assert.ok(r.tmp_fill[1] <= 16 * MiB, `wrote ${r.tmp_fill[1]} to /tmp`);
  const loop = /storage: \/data as loop-mounted ext4/.test(hub.stderr + hub.stdout);
  if (loop) {
    assert.equal(r.data_fill[0], "ENOSPC", JSON.stringify(r.data_fill));
    assert.ok(r.data_fill[1] <= 32 * MiB);
  }
  // The legitimate use: with a tier, /data is the app's and writable.
  assert.ok(dirWith("result.json"));
  const text = await waitFor("the no-tier app's report", async () => {
    const log = await runLog(names.notier);
    return log.includes("NOTIER") ? log : null;
  });
  const m = /NOTIER (\{.*?\})/.exec(text.replace(/\\"/g, '"'));
  assert.ok(m, text);
  assert.equal(JSON.parse(m[1]).data, false, "a Space without a tier has a /data");
});

test("loader variables reach the app only, never a host process", { skip: SKIP }, async () => {
  const r = await waitFor("the probe's result", probeResult);
  // The legitimate use: the owner's variables and secrets are in the app's environment.
  assert.equal(r.env.MY_VAR, "visible");
  assert.equal(r.env.API_KEY, SECRET);
  assert.equal(r.env.LD_PRELOAD, path.join(work, "evil.so"));
  assert.equal(r.env.LD_LIBRARY_PATH, work);
  // Inside, the path does not exist (the host's /tmp is not there); outside, nothing loaded it.
  assert.equal(existsSync(path.join(work, "MARKER")), false, "a host process loaded the owner's library");
  // Nor is any of it on a command line a host user could read.
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "latin1");
    } catch {}
    assert.ok(!cmd.includes(SECRET), `secret on the command line of ${pid}`);
    assert.ok(!cmd.includes("evil.so"), `the owner's variables on the command line of ${pid}`);
  }
});

test("the app binds its port, reaches HF_ENDPOINT and is served to visitors", { skip: SKIP }, async () => {
  const r = await waitFor("the probe's result", probeResult);
  assert.equal(r.hf_endpoint, 401); // the hub's API answered (no token sent)
  // A visitor on the app's own origin (Host: {ns}-{name}.localhost, sent to 127.0.0.1).
  const status = await new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port: hub.port, path: "/", headers: { host: `admin-${names.probe}.localhost` } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
  });
  assert.equal(status, 200);
});

test("the data directory is private: another local account reads nothing of it", { skip: SKIP }, async () => {
  const d = hub.dataDir;
  assert.equal(statSync(d).mode & 0o066, 0, `data dir mode ${(statSync(d).mode & 0o777).toString(8)}`);
  for (const name of ["hub.db", "repos", "lfs", "keys"]) {
    const st = statSync(path.join(d, name));
    assert.equal(st.mode & 0o077, 0, `${name} mode ${(st.mode & 0o777).toString(8)}`);
  }
  for (const args of [["cat", path.join(d, "hub.db")], ["ls", path.join(d, "repos")], ["ls", path.join(d, "spaces")]]) {
    const res = asNobody(args);
    assert.notEqual(res.status, 0, `nobody ran ${args.join(" ")}: ${res.stdout}`);
  }
  // The Spaces' own directories: nobody can list them or read a Space's logs or app.
  for (const uid of spaceDirs()) {
    for (const sub of ["", "logs", "builds", "data"]) {
      const p = path.join(d, "spaces", uid, sub);
      if (!existsSync(p)) continue;
      assert.notEqual(asNobody(["ls", p]).status, 0, `nobody listed ${p}`);
    }
  }
});

test("a Space's run log is capped and rotated; the newest lines stay readable", { skip: SKIP }, async () => {
  await waitStage(hub, names.flood, ["RUNNING"]);
  await waitFor("the flood to end", async () => (await runLog(names.flood)).includes("flood done"));
  const dir = spaceDirs()
    .map((uid) => path.join(hub.dataDir, "spaces", uid, "logs"))
    .find((p) => existsSync(path.join(p, "run.log")) && readFileSync(path.join(p, "run.log"), "utf8").includes("flood done"));
  assert.ok(dir, "the flood's run log");
  const files = readdirSync(dir).filter((f) => f.startsWith("run.log"));
  let total = 0;
  for (const f of files) {
    const size = statSync(path.join(dir, f)).size;
    assert.ok(size <= 256 * 1024, `${f} is ${size} bytes`);
    total += size;
  }
  assert.ok(files.length <= 2, files.join(","));
  assert.ok(total <= 512 * 1024 && total > 100 * 1024, `${total} bytes of run logs`);
});

test("with --public-url, a Space's HF_ENDPOINT still hands out URLs it can reach", { skip: SKIP }, async () => {
  // The public URL is a name nothing here resolves (no request is ever sent to it): the app can
  // only reach the hub at HF_ENDPOINT, so the hub's answers to it must point there.
  const other = await startHub({ args: HUB_ARGS, publicUrl: "http://hub.example.invalid" });
  try {
    for (const name of ["m1", "m2"]) {
      const r = await other.api("POST", "/api/repos/create", { token: other.token, json: { type: "model", name } });
      assert.equal(r.status, 200, r.text);
    }
    const app = `
import os, urllib.request, http.server
r = urllib.request.urlopen(os.environ["HF_ENDPOINT"] + "/api/models?limit=1", timeout=5)
print("LINK " + r.headers.get("Link", "none") + " ENDPOINT " + os.environ["HF_ENDPOINT"], flush=True)
http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler).serve_forever()
`;
    const name = uniqueName("pubapp");
    const c = await other.api("POST", "/api/repos/create", { token: other.token, json: { type: "space", sdk: "gradio", name } });
    assert.equal(c.status, 200, c.text);
    await commit(other, { type: "space", id: `admin/${name}`, token: other.token, files: [{ path: "app.py", content: app }] });
    const line = await waitFor("the app's report", async () => {
      const r = await other.api("GET", `/api/spaces/admin/${name}/logs/run?follow=false`, { token: other.token });
      return /LINK <([^>]+)>.* ENDPOINT (http:\/\/[0-9.:]+)/.exec(r.text);
    });
    assert.ok(line[1].startsWith(`${line[2]}/api/models`), `Link ${line[1]} for a Space at ${line[2]}`);
    // Outside, the same list points at the public URL (never at the client's Host).
    const outside = await other.api("GET", "/api/models?limit=1");
    assert.match(outside.headers.get("link"), /^<http:\/\/hub\.example\.invalid\/api\/models/);
  } finally {
    await other.stop();
  }
});
