// Builds run the owner's code (issue #12 item 8), tried as an attacker would: a Space whose
// requirements.txt installs a local in-tree package with its own PEP 517 backend (pyproject's
// `backend-path = ["."]`, `requires = []`), so pip runs that backend during the build. The backend
// tries to reach the hub's port and another loopback service the test runs, fetches the package
// index, and plants links in its build directory: `.spacehub-build-ok` (where the hub used to
// append its marker, following links) to a host file, and a link to a host directory (which the
// hub removes with the old build after the next commit). The hub runs with a package index
// (`--space-pip-index-url`): a tiny PEP 503 index served by this test on 127.0.0.1.
// Checked: from the build only the index answers (hub port and the other service refuse at once),
// the index is reached (by the backend and by pip itself for a legitimate Space), the host file and
// directory are untouched, the build's files belong to the Space's own host uid (not root), and
// the legitimate uses still work: a Space without requirements and one installing from the index
// both build and run. Skipped without bwrap, or when not root (the relay needs its own network
// namespace).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { startHub, commit, uniqueName, removeTempDir } from "./harness.mjs";
import { HAVE_BWRAP, HELLO_APP, RUNTIME_ARGS, createSpace as createSpaceOn, spaceLogs, waitStage as waitStageOf } from "./runtime_lib.mjs";

const skip = !HAVE_BWRAP ? "bwrap is not installed" : process.getuid() !== 0 ? "the build network relay needs root" : false;
if (skip) console.log(`# build_isolation.test.mjs skipped: ${skip}`);

const BUILD_TIMEOUT = 180_000;
let hub;
let scratch;
let index;
let service;
const indexRequests = [];
let serviceConnections = 0;
const names = {};

const createSpace = (name, files) => createSpaceOn(hub, name, files);
const waitStage = (name, stages) => waitStageOf(hub, name, stages, BUILD_TIMEOUT - 30_000);
const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

// A wheel of the pure-Python module spacehub_hello, made with the standard library's zipfile.
function makeWheel(dir) {
  const script = `
import base64, hashlib, sys, zipfile
dist = "spacehub_hello-1.0.dist-info"
files = {
    "spacehub_hello.py": "GREETING = 'hello from the package index'\\n",
    dist + "/METADATA": "Metadata-Version: 2.1\\nName: spacehub-hello\\nVersion: 1.0\\n",
    dist + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: spacehub-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
for p, c in files.items():
    d = base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{p},sha256={d},{len(c.encode())}")
files[dist + "/RECORD"] = "\\n".join(record + [dist + "/RECORD,,"]) + "\\n"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for p, c in files.items():
        z.writestr(p, c)
`;
  const file = path.join(dir, "spacehub_hello-1.0-py3-none-any.whl");
  execFileSync("/usr/bin/python3", ["-c", script, file]);
  return file;
}

// The in-tree backend: it probes at import (every hook pip calls imports it), then builds a
// minimal valid wheel so that the build succeeds and the hub completes it.
function backendPy({ hubPort, servicePort, indexPort, victim, victimDir }) {
  return `
import base64, hashlib, json, os, socket, urllib.request, zipfile
NAME, VERSION = "evilpkg", "1.0"
DIST = NAME + "-" + VERSION + ".dist-info"

def _probe():
    out = {"uid_inside": os.getuid()}
    for name, port in (("hub", ${hubPort}), ("service", ${servicePort}), ("index", ${indexPort})):
        s = socket.socket()
        s.settimeout(10)
        try:
            s.connect(("127.0.0.1", port))
            out[name] = "connected"
        except OSError as e:
            out[name] = type(e).__name__
        finally:
            s.close()
    try:
        with urllib.request.urlopen("http://127.0.0.1:${indexPort}/simple/?from=backend", timeout=10) as r:
            out["index_http"] = r.status
    except Exception as e:
        out["index_http"] = repr(e)
    for link, target in ((".spacehub-build-ok", ${JSON.stringify(victim)}), ("victim-dir-link", ${JSON.stringify(victimDir)})):
        try:
            os.symlink(target, "/app/" + link)
            out[link] = "made"
        except FileExistsError:
            out[link] = "made"
        except OSError as e:
            out[link] = repr(e)
    with open("/app/probe.json", "w") as f:
        json.dump(out, f)
    print("PROBE " + json.dumps(out), flush=True)

_probe()

def _metadata():
    return "Metadata-Version: 2.1\\nName: " + NAME + "\\nVersion: " + VERSION + "\\n"

def get_requires_for_build_wheel(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, DIST)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(_metadata())
    return DIST

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {
        NAME + "_marker.py": "BUILT = True\\n",
        DIST + "/METADATA": _metadata(),
        DIST + "/WHEEL": "Wheel-Version: 1.0\\nGenerator: spacehub-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    for p, c in files.items():
        d = base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode()
        record.append(p + ",sha256=" + d + "," + str(len(c.encode())))
    files[DIST + "/RECORD"] = "\\n".join(record + [DIST + "/RECORD,,"]) + "\\n"
    name = NAME + "-" + VERSION + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for p, c in files.items():
            z.writestr(p, c)
    return name
`;
}

// The build directories of the Space whose build left probe.json (found from the host).
function attackBuilds() {
  const spaces = path.join(hub.dataDir, "spaces");
  for (const uid of readdirSync(spaces)) {
    const builds = path.join(spaces, uid, "builds");
    if (!existsSync(builds)) continue;
    for (const sha of readdirSync(builds)) {
      if (existsSync(path.join(builds, sha, "probe.json"))) return { uid, builds, sha };
    }
  }
  return null;
}

before(async () => {
  if (skip) return;
  scratch = mkdtempSync(path.join(os.tmpdir(), "spacehub-build-iso-"));
  const victim = path.join(scratch, "victim.txt");
  writeFileSync(victim, "original\n");
  const victimDir = path.join(scratch, "victim-dir");
  mkdirSync(victimDir);
  writeFileSync(path.join(victimDir, "keep.txt"), "keep\n");
  const wheel = makeWheel(scratch);
  const wheelBytes = readFileSync(wheel);
  const wheelName = path.basename(wheel);
  const wheelSha = createHash("sha256").update(wheelBytes).digest("hex");
  index = http.createServer((req, res) => {
    indexRequests.push(req.url);
    const page = (body) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!DOCTYPE html><html><body>${body}</body></html>`);
    };
    if (req.url.startsWith("/simple/?") || req.url === "/simple/") return page('<a href="/simple/spacehub-hello/">spacehub-hello</a>');
    if (req.url === "/simple/spacehub-hello/") return page(`<a href="/files/${wheelName}#sha256=${wheelSha}">${wheelName}</a>`);
    if (req.url === `/files/${wheelName}`) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": wheelBytes.length });
      return res.end(wheelBytes);
    }
    res.writeHead(404);
    res.end();
  });
  service = net.createServer((s) => {
    serviceConnections++;
    s.end("a loopback service of the host\n");
  });
  const indexPort = await listen(index);
  const servicePort = await listen(service);
  hub = await startHub({ args: [...RUNTIME_ARGS, "--space-pip-index-url", `http://127.0.0.1:${indexPort}/simple/`] });
  const hubPort = Number(new URL(hub.endpoint).port);
  for (const k of ["plain", "indexed", "attack"]) names[k] = uniqueName(`build-${k}`);
  const readme = "---\nsdk: gradio\n---\n";
  await Promise.all([
    createSpace(names.plain, [
      { path: "README.md", content: readme },
      { path: "app.py", content: HELLO_APP },
    ]),
    createSpace(names.indexed, [
      { path: "README.md", content: readme },
      { path: "requirements.txt", content: "spacehub-hello\n" },
      { path: "app.py", content: `import spacehub_hello\nprint(spacehub_hello.GREETING, flush=True)\n${HELLO_APP}` },
    ]),
    createSpace(names.attack, [
      { path: "README.md", content: readme },
      { path: "requirements.txt", content: "./evilpkg\n" },
      { path: "evilpkg/pyproject.toml", content: '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n' },
      { path: "evilpkg/backend.py", content: backendPy({ hubPort, servicePort, indexPort, victim, victimDir }) },
      { path: "app.py", content: HELLO_APP },
    ]),
  ]);
});

after(async () => {
  if (hub) {
    await hub.stop({ keepData: true });
    removeTempDir(hub.dataDir);
  }
  index?.close();
  service?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("a build reaches the package index only: not the hub's port, not other loopback services", { skip, timeout: BUILD_TIMEOUT }, async () => {
  await waitStage(names.attack, ["RUNNING"]);
  const found = attackBuilds();
  assert.ok(found, "the backend's probe.json is in no build directory");
  const probe = JSON.parse(readFileSync(path.join(found.builds, found.sha, "probe.json"), "utf8"));
  assert.equal(probe.hub, "ConnectionRefusedError", `the build reached the hub's port: ${JSON.stringify(probe)}`);
  assert.equal(probe.service, "ConnectionRefusedError", `the build reached a loopback service: ${JSON.stringify(probe)}`);
  assert.equal(probe.index, "connected", JSON.stringify(probe));
  assert.equal(probe.index_http, 200, JSON.stringify(probe));
  assert.ok(indexRequests.includes("/simple/?from=backend"), `the index saw: ${indexRequests}`);
  assert.equal(serviceConnections, 0, "the loopback service was reached");
  const build = await spaceLogs(hub, names.attack, "build");
  assert.ok(build.some((l) => /reaches only the package index 127\.0\.0\.1:\d+/.test(l)), build.join("\n"));
  // The owner's code ran as the Space's own host uid (uid 1000 inside), never as root.
  assert.equal(probe.uid_inside, 1000);
  const owner = statSync(path.join(found.builds, found.sha, "probe.json")).uid;
  assert.notEqual(owner, 0, "the build's files belong to root");
  assert.ok(owner >= 65536, `the build ran as host uid ${owner}, not one of the Space's own block`);
});

test("links a build plants are never followed: the marker and old-build removal stay in the build", { skip, timeout: 2 * BUILD_TIMEOUT }, async () => {
  await waitStage(names.attack, ["RUNNING"]);
  const first = attackBuilds();
  const dir = path.join(first.builds, first.sha);
  const probe = JSON.parse(readFileSync(path.join(dir, "probe.json"), "utf8"));
  assert.equal(probe[".spacehub-build-ok"], "made", JSON.stringify(probe));
  assert.equal(probe["victim-dir-link"], "made", JSON.stringify(probe));
  // The hub completed the build (RUNNING) without writing through the planted link.
  assert.equal(readFileSync(path.join(scratch, "victim.txt"), "utf8"), "original\n", "the hub wrote into a host file through the build's link");
  assert.ok(existsSync(path.join(first.builds, `${first.sha}.ok`)), "the build marker is beside the build");
  // A new commit: the old build (with its link to a host directory) is removed.
  await commit(hub, { type: "space", id: `admin/${names.attack}`, files: [{ path: "notes.txt", content: "second commit\n" }] });
  await waitStage(names.attack, ["RUNNING_BUILDING", "BUILDING"]);
  await waitStage(names.attack, ["RUNNING"]);
  assert.ok(!existsSync(dir), "the old build is still there");
  assert.ok(!existsSync(path.join(first.builds, `${first.sha}.ok`)), "the old build's marker is still there");
  assert.equal(readFileSync(path.join(scratch, "victim-dir", "keep.txt"), "utf8"), "keep\n", "removing the old build followed its link");
  assert.equal(readFileSync(path.join(scratch, "victim.txt"), "utf8"), "original\n");
});

test("legitimate builds still work: no requirements, and requirements from the configured index", { skip, timeout: BUILD_TIMEOUT }, async () => {
  await waitStage(names.plain, ["RUNNING"]);
  const rt = await waitStage(names.indexed, ["RUNNING"]);
  assert.equal(rt.errorMessage, null);
  // pip itself fetched the project page and the wheel through the relay.
  assert.ok(indexRequests.includes("/simple/spacehub-hello/"), `the index saw: ${indexRequests}`);
  assert.ok(indexRequests.some((u) => u.startsWith("/files/spacehub_hello-1.0")), `the index saw: ${indexRequests}`);
  const build = await spaceLogs(hub, names.indexed, "build");
  assert.ok(build.some((l) => l.includes("Successfully installed spacehub-hello-1.0")), build.join("\n"));
  assert.ok(build.some((l) => /\d+ connection\(s\) to the package index/.test(l)), build.join("\n"));
  const run = await spaceLogs(hub, names.indexed, "run");
  assert.ok(run.some((l) => l.includes("hello from the package index")), run.join("\n"));
});
