// Rollouts (issue #5): a new commit to a RUNNING app is built and started while the old version
// keeps running (RUNNING_BUILDING); the swap happens once the new version answers, and the old
// processes go away after the drain. Requests through the proxy during a rollout: proxy.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";

import { startHub, commit, uniqueName, removeTempDir, sleep } from "./harness.mjs";
import { HAVE_BWRAP, RUNTIME_ARGS, createSpace, spaceProcesses, waitStage } from "./runtime_lib.mjs";

const skip = !HAVE_BWRAP && "no bwrap";
let hub;
const name = uniqueName("roll");

// The app waits `delay` seconds before it opens its port, so the rollout is long enough to watch.
const app = (version, delay) => `
import http.server, os, time
time.sleep(${delay})
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"${version}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`;

before(async () => {
  if (!HAVE_BWRAP) return;
  hub = await startHub({ args: RUNTIME_ARGS });
  await createSpace(hub, name, [{ path: "app.py", content: app("v1", 0) }]);
});

after(async () => {
  if (!hub) return;
  await hub.stop();
  removeTempDir(hub.dataDir);
  assert.deepEqual(spaceProcesses(name), []);
});

test("a new commit rolls out while the old version keeps running", { skip }, async () => {
  await waitStage(hub, name, ["RUNNING"]);
  const oldPids = spaceProcesses(name);
  assert.ok(oldPids.length > 0);
  await commit(hub, { type: "space", id: `admin/${name}`, token: hub.token, files: [{ path: "app.py", content: app("v2", 3) }] });
  // The old version runs for the whole build and start of the new one.
  const rolling = await waitStage(hub, name, ["RUNNING_BUILDING"], 10_000);
  assert.equal(rolling.errorMessage, null);
  for (let i = 0; i < 10; i++) {
    assert.ok(oldPids.every((p) => existsSync(`/proc/${p}`)), "the old version stopped before the swap");
    const now = await waitStage(hub, name, ["RUNNING_BUILDING", "RUNNING"], 5_000);
    if (now.stage === "RUNNING") break;
    await sleep(200);
  }
  await waitStage(hub, name, ["RUNNING"], 20_000);
  // After the drain only the new version's processes are left.
  const deadline = Date.now() + 15_000;
  while (oldPids.some((p) => existsSync(`/proc/${p}`)) && Date.now() < deadline) await sleep(200);
  assert.ok(oldPids.every((p) => !existsSync(`/proc/${p}`)), "the old version outlived its drain");
  const newPids = spaceProcesses(name);
  assert.ok(newPids.length > 0);
  assert.ok(newPids.every((p) => !oldPids.includes(p)));
});
