// Helpers shared by the Space runtime tests (runtime, sleep, proxy…): create a Space from files,
// read its runtime, wait for a stage, find its processes from the host. Every function takes the
// hub handle of harness.mjs first, since tests restart hubs.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { commit, sleep } from "./harness.mjs";

export const HAVE_BWRAP = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"].some((p) => existsSync(p));
export const IS_ROOT = process.getuid?.() === 0;
export const RUNTIME_ARGS = ["--space-runtime", "local"];

export const spacePath = (id, suffix = "") => `/api/spaces/${id}${suffix}`;

// A Python standard-library app answering on $PORT (what a gradio app looks like to the hub).
export const HELLO_APP = `
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from " + os.environ["SPACE_ID"]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
class S(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # Python's default of 5 drops SYNs when 50 visitors arrive at once
S(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`;

export async function createSpace(hub, name, files, extra = {}) {
  const r = await hub.api("POST", "/api/repos/create", {
    token: hub.token,
    json: { type: "space", sdk: "gradio", name, ...extra },
  });
  assert.equal(r.status, 200, r.text);
  await commit(hub, { type: "space", id: `admin/${name}`, token: hub.token, files });
}

export async function runtime(hub, name, forbidden = []) {
  const r = await hub.api("GET", spacePath(`admin/${name}`, "/runtime"), { token: hub.token });
  assert.equal(r.status, 200, r.text);
  for (const f of forbidden) assert.ok(!r.text.includes(f), "secret value in the runtime");
  return r.json;
}

export async function waitStage(hub, name, stages, timeoutMs = 90_000, forbidden = []) {
  const deadline = Date.now() + timeoutMs;
  let rt;
  while (Date.now() < deadline) {
    rt = await runtime(hub, name, forbidden);
    if (stages.includes(rt.stage)) return rt;
    await sleep(100);
  }
  throw new Error(`${name}: stage ${rt?.stage} (${rt?.errorMessage ?? rt?.message}), wanted ${stages}`);
}

// Polls `fn` (sync or async) until it returns something truthy, and returns that; throws naming
// `what` once `timeoutMs` passed. For conditions the hub reaches on its own (never to prove that
// something did not happen).
export async function waitFor(what, fn, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// Processes (seen from the host) whose environment says they belong to this Space.
export function spaceProcesses(name) {
  const needle = `SPACE_ID=admin/${name}\0`;
  const found = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(needle)) found.push(pid);
    } catch {}
  }
  return found;
}

export async function waitNoProcesses(name, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (spaceProcesses(name).length && Date.now() < deadline) await sleep(100);
  assert.deepEqual(spaceProcesses(name), [], `${name} still has processes`);
}

// A Space's build or run log lines (the `data` of each SSE event, replay only), checked to hold
// none of the `forbidden` values.
export async function spaceLogs(hub, name, kind, forbidden = []) {
  const r = await hub.api("GET", spacePath(`admin/${name}`, `/logs/${kind}?follow=false`), { token: hub.token });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get("content-type"), /text\/event-stream/);
  for (const f of forbidden) assert.ok(!r.text.includes(f), `secret value in the ${kind} log`);
  return r.text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)).data);
}

// The env.json a test app wrote into its /data, found from the host: { env, uid, file } or null.
export function appEnvFile(hub, name) {
  for (const uid of readdirSync(path.join(hub.dataDir, "spaces"))) {
    const file = path.join(hub.dataDir, "spaces", uid, "data", "env.json");
    if (!existsSync(file)) continue;
    const env = JSON.parse(readFileSync(file, "utf8"));
    if (env.SPACE_ID === `admin/${name}`) return { env, uid, file };
  }
  return null;
}
