// Issue #5 speed: commit to RUNNING for a static Space and for a small Python app, next to the
// app's own start time measured the same way (spawn -> first accepted connection) outside the hub;
// the difference is the hub's overhead (build + sandbox + probe). Then hub memory with N running
// Python Spaces, and M paused + sleeping Spaces costing no process at all.
//
//   node bench/space_start.mjs            RUNS=5 RUNNING=50 IDLE=100 (env knobs)
// Prints one line per measure and a summary; talks to 127.0.0.1 only.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { startHub, commit, uniqueName, hostRequest, spaceHost } from "../tests/integration/harness.mjs";

const RUNS = Number(process.env.RUNS ?? 5);
const RUNNING = Number(process.env.RUNNING ?? 50);
const IDLE = Number(process.env.IDLE ?? 100);
const ms = (t) => Number(t) / 1e6;
const now = () => process.hrtime.bigint();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const sleep = (t) => new Promise((r) => setTimeout(r, t));

const APP = (tag) => `
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
# ${tag}
http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`;

const freePort = () =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const accepts = (port) =>
  new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
  });

// The app alone: /usr/bin/python3 app.py on the host (the interpreter Spaces' venvs use), until it accepts a connection (polled every 1 ms).
async function appAlone() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-app-"));
  writeFileSync(path.join(dir, "app.py"), APP("alone"));
  const port = await freePort();
  const t0 = now();
  const child = spawn("/usr/bin/python3", ["app.py"], { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
  while (!(await accepts(port))) await sleep(1);
  const t = ms(now() - t0);
  child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  return t;
}

async function stage(hub, id) {
  const r = await hub.api("GET", `/api/spaces/${id}/runtime`, { token: hub.token });
  return r.json.stage;
}

// Commit -> RUNNING on the new commit, polled every 2 ms from the moment the commit call returned:
// the runtime says RUNNING and the logs name the commit (static: its build completed; app: the
// instance started for it, which is the one RUNNING after the swap).
async function commitToRunning(hub, id, files, app) {
  const { commitOid } = await commit(hub, { type: "space", id, token: hub.token, files });
  const t0 = now();
  const done = async () => {
    if ((await stage(hub, id)) !== "RUNNING") return false;
    const kind = app ? "run" : "build";
    const log = await hub.api("GET", `/api/spaces/${id}/logs/${kind}?follow=false&tail=50`, { token: hub.token });
    const want = app ? `commit ${commitOid.slice(0, 12)}` : `at commit ${commitOid}`;
    const at = log.text.lastIndexOf(want);
    return at >= 0 && (app || log.text.indexOf("build complete", at) >= 0);
  };
  for (;;) {
    if (await done()) return ms(now() - t0);
    const s = await stage(hub, id);
    if (/ERROR/.test(s)) throw new Error(`${id}: ${s}`);
    await sleep(2);
  }
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

function processesOf(ids) {
  const needles = ids.map((id) => `SPACE_ID=${id}\0`);
  let n = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "latin1");
      if (needles.some((x) => env.includes(x))) n++;
    } catch {}
  }
  return n;
}

async function create(hub, sdk, files, extra = {}) {
  const name = uniqueName(`bench-${sdk}`);
  const r = await hub.api("POST", "/api/repos/create", { token: hub.token, json: { type: "space", sdk, name, ...extra } });
  if (r.status !== 200) throw new Error(r.text);
  const id = `admin/${name}`;
  if (files) await commit(hub, { type: "space", id, token: hub.token, files });
  return id;
}

async function waitAll(hub, ids, stages, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (const id of ids) {
    while (!stages.includes(await stage(hub, id))) {
      if (Date.now() > deadline) throw new Error(`${id} never reached ${stages}`);
      await sleep(50);
    }
  }
}

const hub = await startHub({ args: ["--space-runtime", "local", "--space-min-sleep-seconds", "1"] });
hub.api("GET", "/api/whoami-v2", { token: hub.token }); // warm
try {
  // 1. Static Space: every commit is checked out and served; no process.
  const statId = await create(hub, "static", [{ path: "index.html", content: "<h1>0</h1>" }]);
  await waitAll(hub, [statId], ["RUNNING"], 30_000);
  const statics = [];
  for (let i = 1; i <= RUNS; i++) statics.push(await commitToRunning(hub, statId, [{ path: "index.html", content: `<h1>${i}</h1>` }], false));
  // 2. Small Python app: app alone vs commit -> RUNNING (each commit a rollout of a new build).
  const alone = [];
  for (let i = 0; i < RUNS; i++) alone.push(await appAlone());
  const pyId = await create(hub, "gradio", [{ path: "app.py", content: APP("v0") }]);
  await waitAll(hub, [pyId], ["RUNNING"], 60_000);
  const pys = [];
  for (let i = 1; i <= RUNS; i++) pys.push(await commitToRunning(hub, pyId, [{ path: "app.py", content: APP(`v${i}`) }], true));
  console.log(`static commit->RUNNING ms: ${statics.map((x) => x.toFixed(1)).join(" ")} (median ${median(statics).toFixed(1)})`);
  console.log(`python app alone (spawn->accept) ms: ${alone.map((x) => x.toFixed(1)).join(" ")} (median ${median(alone).toFixed(1)})`);
  console.log(`python commit->RUNNING ms: ${pys.map((x) => x.toFixed(1)).join(" ")} (median ${median(pys).toFixed(1)})`);
  console.log(`python hub overhead beyond the app's start (median): ${(median(pys) - median(alone)).toFixed(1)} ms (goal < 100)`);

  // 2b. Wake to first byte through the proxy: a sleeping Python app (sleep time 1 s) vs the app's
  // own start; a static Space has no process, so its "wake" is its first byte.
  const wakes = [];
  const sleepy = await create(hub, "gradio", [{ path: "app.py", content: APP("sleepy") }], { hardware: "cpu-upgrade", sleepTimeSeconds: 1 });
  for (let i = 0; i < RUNS; i++) {
    await waitAll(hub, [sleepy], ["SLEEPING"], 60_000);
    const t0 = now();
    const r = await hostRequest(hub, spaceHost(sleepy), "/");
    if (r.status !== 200) throw new Error(`wake: ${r.status}`);
    wakes.push(ms(now() - t0));
  }
  const firstBytes = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = now();
    await hostRequest(hub, spaceHost(statId), "/");
    firstBytes.push(ms(now() - t0));
  }
  console.log(`python wake to first byte ms: ${wakes.map((x) => x.toFixed(1)).join(" ")} (median ${median(wakes).toFixed(1)}; beyond the app's own start: ${(median(wakes) - median(alone)).toFixed(1)} ms, goal < 50)`);
  console.log(`static first byte through the proxy ms: ${firstBytes.map((x) => x.toFixed(1)).join(" ")} (static Spaces run no process and never sleep)`);

  // 3. Hub memory with RUNNING Python Spaces.
  const rss0 = rssKiB(hub.child.pid);
  const running = [];
  for (let i = 0; i < RUNNING; i++) running.push(await create(hub, "gradio", [{ path: "app.py", content: APP(`r${i}`) }]));
  await waitAll(hub, running, ["RUNNING"], 600_000);
  const rss1 = rssKiB(hub.child.pid);
  console.log(`hub RSS: ${(rss0 / 1024).toFixed(1)} MiB with 2 Spaces, ${(rss1 / 1024).toFixed(1)} MiB with ${RUNNING + 2} running (${((rss1 - rss0) / RUNNING).toFixed(0)} KiB per Space); Space processes: ${processesOf(running)}`);
  // 4. Paused and sleeping Spaces cost no process.
  for (const id of running) await hub.api("POST", `/api/spaces/${id}/pause`, { token: hub.token });
  const idle = [...running];
  for (let i = running.length; i < IDLE; i++) {
    const id = await create(hub, "gradio", [{ path: "app.py", content: APP(`i${i}`) }]);
    await hub.api("POST", `/api/spaces/${id}/pause`, { token: hub.token });
    idle.push(id);
  }
  await waitAll(hub, idle, ["PAUSED"], 120_000);
  await sleep(2000);
  console.log(`${idle.length} paused Spaces: ${processesOf(idle)} processes; hub RSS ${(rssKiB(hub.child.pid) / 1024).toFixed(1)} MiB`);
} finally {
  await hub.stop();
}
