// Test harness for spacehub integration tests.
//
// Starts the real server binary on 127.0.0.1 with port 0 and a fresh temporary data dir, reads
// HF_ENDPOINT / HF_TOKEN from its stdout and offers small helpers to talk to it over HTTP.
// Only loopback traffic: every URL used here comes from the hub's own HF_ENDPOINT line.
//
//   const hub = await startHub();            // { endpoint, token, adminPassword, dataDir, api, admin, stop, kill9, ... }
//   const r = await hub.api("GET", "/api/whoami-v2", { token: hub.token });
//   r.status, r.headers, r.text, r.json, r.bytes
//   await hub.stop();                         // SIGTERM + wait; removes the temp data dir
//
// Environment: SPACEHUB_BIN overrides the binary (default <repo>/build/src/cli/spacehub),
// SPACEHUB_IT_KEEP=1 keeps temp data dirs for debugging, SPACEHUB_IT_VERBOSE=1 echoes server output.

import { spawn, execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SPACEHUB_BIN = process.env.SPACEHUB_BIN
  ? path.resolve(process.env.SPACEHUB_BIN)
  : path.join(REPO_ROOT, "build", "src", "cli", "spacehub");

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;
const KEEP = process.env.SPACEHUB_IT_KEEP === "1";
const VERBOSE = process.env.SPACEHUB_IT_VERBOSE === "1";

// Every hub started by this process, so that a crashing test file never leaves servers behind.
const live = new Set();
const tempDirs = new Set();
process.on("exit", () => {
  for (const h of live) {
    try {
      h.child.kill("SIGKILL");
    } catch {}
  }
  if (!KEEP) for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

export function makeTempDir(prefix = "spacehub-it-") {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

export function removeTempDir(d) {
  tempDirs.delete(d);
  if (!KEEP) rmSync(d, { recursive: true, force: true });
}

/** Unique, valid repo / user name. */
export function uniqueName(prefix = "r") {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
/** Git blob id (SHA-1 of "blob <len>\0" + content). */
export const gitBlobSha1 = (buf) =>
  createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One line per thread of `pid` and per child process, from /proc (Linux; empty elsewhere).
function describeProcess(pid) {
  const read = (f) => {
    try {
      return readFileSync(f, "utf8").trim();
    } catch {
      return "?";
    }
  };
  // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
  const stat = (f) => {
    const s = read(f);
    const close = s.lastIndexOf(")");
    return { comm: s.slice(s.indexOf("(") + 1, close), rest: s.slice(close + 2).split(" ") };
  };
  let out = `--- hub process ${pid}: threads ---\n`;
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return `--- hub process ${pid} is gone ---\n`;
  }
  for (const t of tasks) {
    const { comm, rest } = stat(`/proc/${pid}/task/${t}/stat`);
    out += `${t} ${comm} ${rest[0]} wchan=${read(`/proc/${pid}/task/${t}/wchan`)}\n`;
  }
  out += "--- its children ---\n";
  for (const t of tasks) {
    for (const c of read(`/proc/${pid}/task/${t}/children`).split(/\s+/).filter((x) => /^\d+$/.test(x))) {
      const { comm, rest } = stat(`/proc/${c}/stat`);
      out += `${c} ${comm} ${rest[0]} wchan=${read(`/proc/${c}/wchan`)} ${read(`/proc/${c}/cmdline`).replaceAll("\0", " ").slice(0, 200)}\n`;
    }
  }
  return out;
}

/**
 * Start a hub.
 * @param {object} [opts]
 * @param {string} [opts.dataDir]  reuse this data dir (e.g. a restart); then HF_TOKEN is not expected on stdout
 * @param {string} [opts.token]    token to expose when reusing a data dir
 * @param {object} [opts.env]      extra environment
 * @param {string[]} [opts.args]   extra `serve` arguments
 * @param {string} [opts.publicUrl] passed as --public-url (nothing is sent there; the hub is reached where it listens)
 */
export async function startHub(opts = {}) {
  if (!existsSync(SPACEHUB_BIN)) {
    throw new Error(`spacehub binary not found at ${SPACEHUB_BIN} (build it or set SPACEHUB_BIN)`);
  }
  const freshDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? makeTempDir();
  // A fresh data dir must print HF_TOKEN; an existing one may not. We create the temp dir ourselves,
  // so "fresh" means "empty".
  const expectToken = freshDir || readdirSync(dataDir).length === 0;

  const child = spawn(
    SPACEHUB_BIN,
    ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir,
     ...(opts.publicUrl ? ["--public-url", opts.publicUrl] : []), ...(opts.args ?? [])],
    {
      cwd: dataDir,
      env: { ...cleanEnv(), ...(opts.env ?? {}) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );

  const hub = {
    child,
    dataDir,
    ownsDataDir: freshDir,
    endpoint: undefined,
    token: opts.token,
    stdout: "",
    stderr: "",
    exited: null, // Promise<{code, signal}>
    exitInfo: null,
  };
  hub.exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      hub.exitInfo = { code, signal };
      live.delete(hub);
      resolve(hub.exitInfo);
    });
  });
  live.add(hub);

  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    hub.stderr += d;
    if (hub.stderr.length > 1_000_000) hub.stderr = hub.stderr.slice(-500_000);
    if (VERBOSE) process.stderr.write(`[hub stderr] ${d}`);
  });

  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`hub did not print HF_ENDPOINT${expectToken ? "/HF_TOKEN" : ""} within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      const check = () => {
        // A hub given --public-url prints that as HF_ENDPOINT; tests reach it where it listens.
        const ep = opts.publicUrl
          ? /^spacehub listening on (http:\/\/127\.0\.0\.1:\d+)/m.exec(hub.stdout)
          : /^HF_ENDPOINT=(\S+)\s*$/m.exec(hub.stdout);
        const tok = /^HF_TOKEN=(hf_\S+)\s*$/m.exec(hub.stdout);
        if (ep) hub.endpoint = ep[1].replace(/\/+$/, "");
        if (tok) hub.token = tok[1];
        // The web UI's first password for admin (fresh data dir). serve.cc's Announce must write it
        // with the other lines, before their one fflush, so that it is here when startHub resolves.
        const pw = /^ADMIN_PASSWORD=(\S+)\s*$/m.exec(hub.stdout);
        if (pw) hub.adminPassword = pw[1];
        if (hub.endpoint && (!expectToken || tok)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", (d) => {
        hub.stdout += d;
        if (VERBOSE) process.stderr.write(`[hub stdout] ${d}`);
        check();
      });
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`hub exited during start-up (code ${code}, signal ${signal})`));
      });
    });
    const u = new URL(hub.endpoint);
    if (u.hostname !== "127.0.0.1" || u.protocol !== "http:" || !(Number(u.port) > 0)) {
      throw new Error(`unexpected HF_ENDPOINT ${hub.endpoint}: want http://127.0.0.1:<port>`);
    }
    hub.port = Number(u.port);
    // The endpoint line may come before the listener accepts; poll until it answers.
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const r = await fetch(`${hub.endpoint}/api/whoami-v2`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`hub at ${hub.endpoint} never answered: ${e.message}`);
        await sleep(100);
      }
    }
  } catch (e) {
    child.kill("SIGKILL");
    await hub.exited;
    if (freshDir) removeTempDir(dataDir);
    e.message += `\n--- hub stdout ---\n${hub.stdout.slice(-4000)}\n--- hub stderr ---\n${hub.stderr.slice(-4000)}`;
    throw e;
  }

  /** fetch wrapper; returns {status, headers, text, json, bytes, response}. */
  hub.api = async (method, p, o = {}) => {
    try {
      return await apiCall(hub.endpoint, method, p, o);
    } catch (e) {
      // Make a crashed server obvious in the test output.
      await Promise.race([hub.exited, sleep(200)]);
      if (hub.exitInfo) {
        e.message += ` [the hub process has exited: ${JSON.stringify(hub.exitInfo)}]\n--- hub stderr (tail) ---\n${hub.stderr.slice(-3000)}`;
      }
      throw e;
    }
  };

  /**
   * What the hub is doing now, for the message of a test that timed out waiting on it: each of its
   * threads (name, state, the kernel function it sleeps in), its child processes, and the tail of
   * its log. A wait that never ends (a stuck engine thread, a child that never exits) shows here.
   */
  hub.diagnose = () => describeProcess(child.pid) + `--- hub stderr (tail) ---\n${hub.stderr.slice(-6000)}`;

  /** Run `spacehub admin --data-dir <dataDir> ...args`; resolves to trimmed stdout. */
  hub.admin = (args) => runAdmin(dataDir, args);

  /** Create a user and return a token for it. */
  hub.createUser = async (name, role = "write") => {
    await hub.admin(["user", "create", name]);
    const out = await hub.admin(["token", "create", name, "--role", role]);
    const m = /(hf_[A-Za-z0-9_\-]+)/.exec(out);
    if (!m) throw new Error(`admin token create printed no hf_ token: ${JSON.stringify(out)}`);
    return m[1];
  };

  /** Graceful stop: SIGTERM, wait (SIGKILL after a timeout). Removes the temp data dir unless keepData. */
  hub.stop = async ({ keepData = false } = {}) => {
    if (!hub.exitInfo) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await hub.exited;
      clearTimeout(t);
    }
    if (hub.ownsDataDir && !keepData) removeTempDir(dataDir);
    return hub.exitInfo;
  };

  /** Hard kill (SIGKILL), data dir kept. */
  hub.kill9 = async () => {
    if (!hub.exitInfo) {
      child.kill("SIGKILL");
      await hub.exited;
    }
    return hub.exitInfo;
  };

  return hub;
}

/** The environment for spawned hubs: never inherit a real endpoint/token or hub settings from the shell. */
function cleanEnv() {
  const env = { ...process.env };
  for (const k of ["HF_ENDPOINT", "HF_TOKEN", "SPACEHUB_HOST", "SPACEHUB_PORT", "SPACEHUB_DATA_DIR"]) delete env[k];
  return env;
}

export function runAdmin(dataDir, args, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      SPACEHUB_BIN,
      ["admin", "--data-dir", dataDir, ...args],
      { timeout: timeoutMs, env: cleanEnv(), maxBuffer: 10 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          err.message += `\nspacehub admin ${args.join(" ")}\nstdout: ${stdout}\nstderr: ${stderr}`;
          reject(err);
        } else resolve(stdout.trim());
      },
    );
  });
}

/**
 * fetch wrapper.
 * opts: token, json (object → JSON body), body (string/Buffer/Uint8Array), headers, redirect, timeoutMs
 */
export async function apiCall(endpoint, method, p, opts = {}) {
  const url = /^https?:\/\//.test(p) ? p : endpoint + p;
  assertLoopback(url);
  const headers = { ...(opts.headers ?? {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, {
    method,
    headers,
    body,
    redirect: opts.redirect ?? "follow",
    signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString("utf8");
  let json;
  try {
    json = text.length ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, bytes, response, url };
}

/**
 * The host a Space is served on: `{ns}-{name}.localhost` (the hub's default --space-host-domain;
 * lowercase, `_` and `.` become `-`). Apps are served only on their own origin, never on the hub's.
 */
export const spaceHost = (id) => `${id.replace("/", "-").replace(/[_.]/g, "-").toLowerCase()}.localhost`;

/**
 * One request to the hub with the given Host header (how tests reach a Space's own origin without
 * wildcard DNS). Always sent to 127.0.0.1; redirects are not followed. Resolves to
 * {status, headers, text, bytes}.
 */
export function hostRequest(hub, host, p = "/", { method = "GET", headers = {}, body, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  const port = Number(new URL(hub.endpoint).port);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: p, agent: false, headers: { ...headers, host } }, (res) => {
      const chunks = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, text: bytes.toString("utf8"), bytes });
      });
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${host}${p} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

function assertLoopback(url) {
  const h = new URL(url).hostname;
  if (h !== "127.0.0.1" && h !== "localhost" && h !== "[::1]") {
    throw new Error(`refusing non-loopback URL in tests: ${url}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Hub-API helpers shared by the tests (plain HTTP, independent of @huggingface/hub)

export const TYPES = { model: "models", dataset: "datasets", space: "spaces" };
export const webPrefix = (type) => (type === "model" ? "" : `${type}s/`);

export async function createRepo(hub, { type = "model", name, organization, token = hub.token, visibility, sdk }) {
  const json = { name, type };
  if (organization) json.organization = organization;
  if (visibility) json.visibility = visibility;
  if (visibility === "private") json.private = true;
  if (type === "space") json.sdk = sdk ?? "static";
  return hub.api("POST", "/api/repos/create", { token, json });
}

/** Current head sha of a repo (revision defaults to the repo's default branch). */
export async function repoSha(hub, { type = "model", id, token = hub.token, revision }) {
  const p = `/api/${TYPES[type]}/${id}${revision ? `/revision/${encodeURIComponent(revision)}` : ""}`;
  const r = await hub.api("GET", p, { token });
  if (r.status !== 200) throw new Error(`GET ${p} → ${r.status} ${r.text}`);
  return r.json.sha;
}

/**
 * NDJSON commit. files: [{path, content: Buffer|string}], lfsFiles: [{path, oid, size}], deletedFiles: [path]
 * Returns the raw api() result.
 */
export async function commitRaw(
  hub,
  { type = "model", id, revision = "main", token = hub.token, summary = "test commit", parentCommit, files = [], lfsFiles = [], deletedFiles = [] },
) {
  const lines = [{ key: "header", value: { summary, description: "", ...(parentCommit ? { parentCommit } : {}) } }];
  for (const f of files) {
    lines.push({
      key: "file",
      value: { path: f.path, content: Buffer.from(f.content).toString("base64"), encoding: "base64" },
    });
  }
  for (const f of lfsFiles) lines.push({ key: "lfsFile", value: { path: f.path, algo: "sha256", oid: f.oid, size: f.size } });
  for (const p of deletedFiles) lines.push({ key: "deletedFile", value: { path: p } });
  const body = lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
  return hub.api("POST", `/api/${TYPES[type]}/${id}/commit/${encodeURIComponent(revision)}`, {
    token,
    body,
    headers: { "Content-Type": "application/x-ndjson" },
  });
}

/** Like commitRaw but throws unless 200; returns the response JSON ({commitOid, commitUrl}). */
export async function commit(hub, opts) {
  const r = await commitRaw(hub, opts);
  if (r.status !== 200) throw new Error(`commit → ${r.status} ${r.headers.get("x-error-message") ?? ""} ${r.text}`);
  return r.json;
}

/** LFS batch (upload). Returns the api() result. */
export async function lfsBatch(hub, { type = "model", id, token = hub.token, objects, ref = "main" }) {
  return hub.api("POST", `/${webPrefix(type)}${id}.git/info/lfs/objects/batch`, {
    token,
    body: JSON.stringify({
      operation: "upload",
      transfers: ["basic", "multipart"],
      hash_algo: "sha256",
      ...(ref ? { ref: { name: ref } } : {}),
      objects,
    }),
    headers: { Accept: "application/vnd.git-lfs+json", "Content-Type": "application/vnd.git-lfs+json" },
  });
}

/**
 * Upload one buffer through the LFS batch API (basic transfer), as the clients do: PUT to the href with
 * the action's headers and no Authorization, then call verify if offered. Returns {oid, size}.
 */
export async function lfsUpload(hub, { type = "model", id, token = hub.token, data }) {
  const oid = sha256(data);
  const size = data.length;
  const b = await lfsBatch(hub, { type, id, token, objects: [{ oid, size }] });
  if (b.status !== 200) throw new Error(`LFS batch → ${b.status} ${b.text}`);
  const obj = b.json.objects.find((o) => o.oid === oid);
  if (!obj) throw new Error(`LFS batch response lacks ${oid}: ${b.text}`);
  if (obj.error) throw new Error(`LFS batch error: ${JSON.stringify(obj.error)}`);
  const up = obj.actions?.upload;
  if (up) {
    if (up.header?.chunk_size) throw new Error("multipart LFS upload offered; the harness only does basic transfer");
    const r = await hub.api("PUT", up.href, { body: data, headers: { ...(up.header ?? {}) } });
    if (r.status < 200 || r.status >= 300) throw new Error(`LFS PUT → ${r.status} ${r.text}`);
    const v = obj.actions?.verify;
    if (v) {
      const vr = await hub.api("POST", v.href, {
        token,
        body: JSON.stringify({ oid, size }),
        headers: { "Content-Type": "application/vnd.git-lfs+json", Accept: "application/vnd.git-lfs+json", ...(v.header ?? {}) },
      });
      if (vr.status < 200 || vr.status >= 300) throw new Error(`LFS verify → ${vr.status} ${vr.text}`);
    }
  }
  return { oid, size };
}

/** Path of an LFS object in the data dir, per ARCHITECTURE.md (lfs/objects/aa/bb/<sha256>). */
export const lfsObjectPath = (dataDir, oid) => path.join(dataDir, "lfs", "objects", oid.slice(0, 2), oid.slice(2, 4), oid);

/**
 * Raw HTTP/1.1 over a socket, for what fetch cannot do (truncated bodies, oversized headers).
 * Sends `head` (string, must end with \r\n\r\n) then the `body` chunks; if `endEarly` the socket is
 * half-closed after writing (`untilHeaders`: resolve as soon as a response head arrived).
 * Resolves when the server closes or `timeoutMs` passes:
 * {status (number|null), raw, headers, error, timedOut}.
 */
export function rawHttp(endpoint, { head, body = [], endAfterWrite = true, timeoutMs = 10_000, closeAfterMs, untilHeaders = false }) {
  const u = new URL(endpoint);
  assertLoopback(endpoint);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    const chunks = [];
    let error = null;
    let done = false;
    const finish = (timedOut = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      const headEnd = raw.indexOf("\r\n\r\n");
      const headers = {};
      for (const line of raw.slice(0, headEnd < 0 ? raw.length : headEnd).split("\r\n").slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: m ? Number(m[1]) : null, raw, headers, error, timedOut });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    sock.on("data", (d) => {
      chunks.push(d);
      if (untilHeaders && Buffer.concat(chunks).includes("\r\n\r\n")) finish();
    });
    sock.on("error", (e) => {
      error = e;
      finish();
    });
    sock.on("close", () => finish());
    sock.on("connect", () => {
      sock.write(head);
      for (const c of body) sock.write(c);
      if (closeAfterMs !== undefined) setTimeout(() => finish(), closeAfterMs);
      else if (endAfterWrite) sock.end();
    });
  });
}

/** List files under a directory recursively. */
export function walkFiles(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) out.push(p);
    }
  }
  return out;
}

/** Bare git repos (directories named *.git) under a directory. */
export function findBareRepos(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(d, e.name);
      if (e.name.endsWith(".git") && existsSync(path.join(p, "HEAD"))) out.push(p);
      else stack.push(p);
    }
  }
  return out;
}

/** Names of the Xet xorbs a hub has stored (<dataDir>/xet/xorbs/<aa>/<bb>/<hash>). */
export function storedXorbs(dataDir) {
  const root = path.join(dataDir, "xet", "xorbs");
  const out = [];
  if (!existsSync(root)) return out;
  for (const a of readdirSync(root)) for (const b of readdirSync(path.join(root, a))) out.push(...readdirSync(path.join(root, a, b)));
  return out;
}

export async function fileSha256(p) {
  return sha256(await readFile(p));
}

export function execFileP(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 120_000, maxBuffer: 20 << 20, ...opts }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr, err }),
    );
  });
}

export { statSync };
