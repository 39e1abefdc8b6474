// Space runtime (issue #5): real Spaces built and run by `serve --space-runtime local` in bubblewrap
// sandboxes — a Python standard-library app reaching RUNNING with its environment, secret and /data,
// pause and restart, an app that exits at once, a requirements.txt that needs a download, a static
// Space (served from its build), and logs over SSE with every secret value redacted. Skipped where bwrap is absent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";

import { startHub, uniqueName, sleep, removeTempDir, hostRequest, spaceHost } from "./harness.mjs";
import {
  HAVE_BWRAP,
  createSpace as createSpaceOn,
  runtime as runtimeOf,
  appEnvFile,
  spaceLogs,
  spaceProcesses,
  spacePath as sp,
  waitStage as waitStageOf,
} from "./runtime_lib.mjs";

const SECRET = "sk_live_RUNTIME_SECRET_913";
let hub;
const names = {};

const APP = `
import http.server, json, os, sys
env = dict(os.environ)
env["_uid"] = os.getuid()
env["_cwd"] = os.getcwd()
env["_probe_exists"] = os.path.exists(os.environ.get("PROBE_PATH", "/nonexistent"))
# The hub's API from inside the Space's own network, at HF_ENDPOINT (retried: the hub starts
# listening there right after the sandbox exists).
import time, urllib.request
for _ in range(40):
    try:
        env["_hub_status"] = urllib.request.urlopen(os.environ["HF_ENDPOINT"] + "/api/models?limit=1", timeout=2).status
        break
    except Exception as e:
        env["_hub_status"] = repr(e)
        time.sleep(0.05)
with open("/data/env.json", "w") as f:
    json.dump(env, f)
print("starting; the secret is " + os.environ.get("MY_SECRET", ""), flush=True)
port = int(os.environ["PORT"])
http.server.ThreadingHTTPServer(("0.0.0.0", port), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

const createSpace = (name, files, extra) => createSpaceOn(hub, name, files, extra);
const runtime = (name) => runtimeOf(hub, name, [SECRET]);
const waitStage = (name, stages, timeoutMs) => waitStageOf(hub, name, stages, timeoutMs, [SECRET]);

const logs = (name, kind) => spaceLogs(hub, name, kind, [SECRET]);

const appEnv = (name) => appEnvFile(hub, name)?.env ?? null;

before(async () => {
  if (!HAVE_BWRAP) return;
  hub = await startHub({ args: ["--space-runtime", "local"] });
  for (const k of ["app", "crash", "pip", "stat", "mute"]) names[k] = uniqueName(k);
  // All Spaces are created up front so their builds overlap.
  await Promise.all([
    createSpace(
      names.app,
      [
        { path: "README.md", content: "---\ntitle: My Runtime App\nsdk: gradio\nstartup_duration_timeout: 1m\n---\n" },
        { path: "app.py", content: APP },
      ],
      {
        // /data exists only with persistent storage, as on the Hub.
        storageTier: "small",
        secrets: [{ key: "MY_SECRET", value: SECRET }],
        variables: [{ key: "MY_VAR", value: "hello" }, { key: "PROBE_PATH", value: path.join(hub.dataDir, "hub.db") }],
      },
    ),
    createSpace(names.crash, [{ path: "app.py", content: "import sys\nprint('boom: the model file is missing', flush=True)\nsys.exit(3)\n" }]),
    createSpace(names.pip, [
      { path: "app.py", content: "print('never runs')\n" },
      { path: "requirements.txt", content: "spacehub-offline-test-package==1.0\n" },
    ]),
    createSpace(names.mute, [
      { path: "README.md", content: "---\nsdk: gradio\nstartup_duration_timeout: 3s\n---\n" },
      { path: "app.py", content: "import time\nprint('thinking', flush=True)\ntime.sleep(600)\n" },
    ]),
    createSpace(names.stat, [{ path: "index.html", content: "<h1>hi</h1>\n" }], {
      sdk: "static",
      variables: [{ key: "GREETING", value: "hi </script><b>" }],
      secrets: [{ key: "STATIC_SECRET", value: SECRET }],
    }),
  ]);
});

after(async () => {
  if (!hub) return;
  assert.ok(!hub.stdout.includes(SECRET) && !hub.stderr.includes(SECRET), "secret value in server output");
  await hub.stop();
  removeTempDir(hub.dataDir);
  for (const k of Object.keys(names)) assert.deepEqual(spaceProcesses(names[k]), [], `${k} outlived the hub`);
});

test("a Python app reaches RUNNING in its sandbox with its env, secret and /data", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  const rt = await waitStage(names.app, ["RUNNING"]);
  assert.equal(rt.errorMessage, null);
  assert.equal(rt.replicas.current, 1);
  const env = appEnv(names.app);
  assert.ok(env, "the app wrote /data/env.json");
  assert.equal(env.SPACE_ID, `admin/${names.app}`);
  assert.equal(env.SPACE_AUTHOR_NAME, "admin");
  assert.equal(env.SPACE_REPO_NAME, names.app);
  assert.equal(env.SPACE_TITLE, "My Runtime App");
  assert.match(env.SPACE_HOST, new RegExp(`^admin-${names.app}\\.`));
  assert.equal(env.SYSTEM, "spaces");
  assert.equal(env.PORT, "7860");
  assert.equal(env.GRADIO_SERVER_PORT, "7860");
  assert.equal(env.CPU_CORES, "2");
  assert.equal(env.MEMORY, "16Gi");
  assert.equal(env.ACCELERATOR, "none");
  assert.equal(env.MY_VAR, "hello");
  assert.equal(env.MY_SECRET, SECRET);
  assert.equal(env._uid, 1000);
  assert.equal(env._cwd, "/app");
  assert.equal(env._probe_exists, false, "the hub's database is visible inside the Space");
  assert.match(env.HF_ENDPOINT, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(env._hub_status, 200, "the hub's API is reachable at HF_ENDPOINT inside the Space");
  const run = await logs(names.app, "run");
  assert.ok(run.some((l) => l.includes("the secret is ***")), run.join("\n"));
  const build = await logs(names.app, "build");
  assert.ok(build.some((l) => l.includes("build complete")), build.join("\n"));
  assert.ok(spaceProcesses(names.app).length > 0);
});

test("pause stops the process; restart brings it back to RUNNING", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  await waitStage(names.app, ["RUNNING"]);
  const p = await hub.api("POST", sp(`admin/${names.app}`, "/pause"), { token: hub.token });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.stage, "PAUSED");
  const deadline = Date.now() + 10_000;
  while (spaceProcesses(names.app).length && Date.now() < deadline) await sleep(100);
  assert.deepEqual(spaceProcesses(names.app), [], "the paused Space still has processes");
  const r = await hub.api("POST", sp(`admin/${names.app}`, "/restart"), { token: hub.token });
  assert.equal(r.status, 200, r.text);
  assert.notEqual(r.json.stage, "PAUSED");
  assert.notEqual(r.json.stage, "RUNNING", "a restart cannot be RUNNING before the app answers");
  await waitStage(names.app, ["RUNNING"]);
  assert.ok(spaceProcesses(names.app).length > 0);
});

test("the run log follows live output; a finished build log ends by itself", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  await waitStage(names.app, ["RUNNING"]);
  const ac = new AbortController();
  const res = await fetch(hub.endpoint + sp(`admin/${names.app}`, "/logs/run?tail=1"), {
    headers: { authorization: `Bearer ${hub.token}` },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const readUntil = async (re, ms, from = 0) => {
    const deadline = Date.now() + ms;
    while (!re.test(seen.slice(from))) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not seen ${re} in: ${seen}`);
      const chunk = await Promise.race([reader.read(), sleep(left).then(() => ({ timeout: true }))]);
      if (chunk.timeout) continue;
      if (chunk.done) throw new Error(`stream ended before ${re}: ${seen}`);
      seen += decoder.decode(chunk.value);
    }
  };
  await readUntil(/data: \{/, 5_000); // the replayed tail
  const before = seen.length;
  const r = await hub.api("POST", sp(`admin/${names.app}`, "/restart"), { token: hub.token });
  assert.equal(r.status, 200, r.text);
  // Lines the restarted app prints arrive on the open stream, secrets redacted.
  await readUntil(/spacehub: starting[\s\S]*the secret is \*\*\*/, 20_000, before);
  assert.ok(!seen.includes(SECRET));
  ac.abort();
  await waitStage(names.app, ["RUNNING"]);
  // A build that failed will not grow: following its log ends after the replay.
  await waitStage(names.pip, ["BUILD_ERROR"]);
  const done = await hub.api("GET", sp(`admin/${names.pip}`, "/logs/build"), { token: hub.token });
  assert.equal(done.status, 200);
  assert.match(done.text, /spacehub-offline-test-package/);
  const bad = await hub.api("GET", sp(`admin/${names.pip}`, "/logs/build?follow=maybe"), { token: hub.token });
  assert.equal(bad.status, 400);
});

test("an app that exits at once ends in RUNTIME_ERROR with its output", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  const rt = await waitStage(names.crash, ["RUNTIME_ERROR"]);
  assert.match(rt.errorMessage, /exited 4 times/);
  assert.match(rt.errorMessage, /boom: the model file is missing/);
});

test("a requirement that needs a download is a BUILD_ERROR with pip's error", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  const rt = await waitStage(names.pip, ["BUILD_ERROR"]);
  assert.match(rt.errorMessage, /spacehub-offline-test-package/);
  const build = await logs(names.pip, "build");
  assert.ok(build.some((l) => /No matching distribution|Could not find a version/.test(l)), build.join("\n"));
  assert.deepEqual(spaceProcesses(names.pip), []);
});

test("an app that never opens its port ends in RUNTIME_ERROR after startup_duration_timeout", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  const rt = await waitStage(names.mute, ["RUNTIME_ERROR"]);
  assert.match(rt.errorMessage, /did not answer on port 7860/);
  assert.match(rt.errorMessage, /thinking/);
  const deadline = Date.now() + 5_000;
  while (spaceProcesses(names.mute).length && Date.now() < deadline) await sleep(100);
  assert.deepEqual(spaceProcesses(names.mute), []);
});

test("a static Space is RUNNING without any process", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  const rt = await waitStage(names.stat, ["RUNNING"]);
  assert.equal(rt.sdk, "static");
  assert.deepEqual(spaceProcesses(names.stat), []);
  // On the Space's own origin (by Host), never on the hub's.
  const page = await hostRequest(hub, spaceHost(`admin/${names.stat}`), "/");
  assert.equal(page.status, 200, page.text);
  assert.match(page.headers["content-type"], /text\/html/);
  // The Hub's window.huggingface.variables, put first (the page has no <head>); never a secret,
  // and no variable value can close the script element.
  const m = /^<script>window\.huggingface = (.*?);<\/script><h1>hi<\/h1>\n$/s.exec(page.text);
  assert.ok(m, page.text);
  assert.deepEqual(JSON.parse(m[1]), { variables: { GREETING: "hi </script><b>" } });
  assert.ok(!page.text.includes(SECRET));
  for (const bad of ["../../../hub.db", "..%2F..%2Fhub.db", ".spacehub-build-ok", "missing.html"]) {
    const r = await hostRequest(hub, spaceHost(`admin/${names.stat}`), `/${bad}`);
    assert.equal(r.status, 404, `${bad}: ${r.status}`);
  }
  assert.equal((await hostRequest(hub, spaceHost(`admin/${names.app}`), "/index.html")).status, 404);
});

test("kill -9 of the hub leaves no Space behind; on restart running Spaces come back, paused ones stay", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  await waitStage(names.app, ["RUNNING"]);
  const p = await hub.api("POST", sp(`admin/${names.crash}`, "/pause"), { token: hub.token });
  assert.equal(p.json.stage, "PAUSED");
  await hub.kill9();
  const deadline = Date.now() + 5_000;
  while (spaceProcesses(names.app).length && Date.now() < deadline) await sleep(100);
  assert.deepEqual(spaceProcesses(names.app), [], "a Space outlived its hub");
  const { dataDir, token } = hub;
  hub = await startHub({ dataDir, token, args: ["--space-runtime", "local"] });
  await waitStage(names.app, ["RUNNING"]);
  assert.ok(spaceProcesses(names.app).length > 0);
  assert.equal((await runtime(names.crash)).stage, "PAUSED");
  assert.equal((await runtime(names.stat)).stage, "RUNNING");
  await waitStage(names.pip, ["BUILD_ERROR"]); // a failed build is tried again after a restart
});
