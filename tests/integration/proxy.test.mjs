// The Space proxy (issue #6): visitors reach real Spaces built and run by `serve --space-runtime
// local`, by Host ({ns}-{name}.localhost) only: the path route (/spaces/{ns}/{name}/app/...) on the
// hub's origin redirects there (issue #13: apps never run on the hub's origin). Requests,
// keep-alive, a chunked response and an SSE stream arriving piece by piece, a large upload
// streamed to the app, a websocket echo, a static Space, private Spaces, missing Spaces, a request
// held while its Space starts; and the faults: an app that dies mid-response, never answers, sends
// garbage, a visitor that drops an upload, a websocket dropped by either side, a huge header —
// with the hub's open descriptors counted before and after. A visitor's hub credentials never
// reach an app (issue #13). Skipped where bwrap is absent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { startHub, uniqueName, sleep, removeTempDir } from "./harness.mjs";
import * as lib from "./runtime_lib.mjs";
import { HAVE_BWRAP, IS_ROOT } from "./runtime_lib.mjs";

const SKIP = (!HAVE_BWRAP && "no bwrap") || (!IS_ROOT && "the local runtime enters Spaces' namespaces: needs root");
const APP = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "proxy_app.py"), "utf8");

let hub;
let port;
const names = {};
const hostOf = (name) => `admin-${name}.localhost`;

const createSpace = (name, files, extra = {}) => lib.createSpace(hub, name, files, extra);
const waitRunning = (name, timeoutMs = 40_000) => lib.waitStage(hub, name, ["RUNNING"], timeoutMs);

/**
 * One HTTP request to the hub; `chunks` records when each piece of the body arrived; `onFirstData`
 * is called when the first piece did (the rest may still be on its way).
 */
function request({ host, method = "GET", path: p = "/", headers = {}, body, agent = false, timeoutMs = 15_000, onFirstData }) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: p, agent, headers: { ...(host ? { host } : {}), ...headers } },
      (res) => {
        const chunks = [];
        res.on("data", (d) => {
          chunks.push({ at: Date.now(), data: d });
          if (chunks.length === 1) onFirstData?.();
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            chunks,
            reused: req.reusedSocket,
            text: Buffer.concat(chunks.map((c) => c.data)).toString(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    if (body) req.end(body);
    else req.end();
  });
}

/**
 * A streamed answer from the app (proxy_app.py, ?gate=): the app writes its first piece, then waits
 * until this visitor, having received that piece, releases it through a second request. A proxy
 * that buffers the answer never delivers the first piece alone, so the app marks the answer
 * "unreleased": proof by events, not by how far apart the pieces arrived.
 */
async function streamed(host, p, agent = false) {
  const gate = uniqueName("gate");
  let released;
  const answer = await request({
    host,
    path: `${p}?gate=${gate}`,
    agent,
    timeoutMs: 120_000,
    onFirstData: () => (released = request({ host, path: `/release?gate=${gate}` })),
  });
  assert.ok(released, "no piece arrived");
  assert.equal((await released).text, "released");
  return answer;
}

// The hub's log is flushed every second: wait (bounded) for a line rather than bet on the flush.
async function logShows(re, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(hub.stdout + hub.stderr) && Date.now() < deadline) await sleep(100);
  return hub.stdout + hub.stderr;
}

const hubFds = () => readdirSync(`/proc/${hub.child.pid}/fd`).length;

// Descriptors settle once closed sockets are reaped and the app pool's idle sockets age out.
async function fdsSettleTo(limit, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  let n = hubFds();
  while (n > limit && Date.now() < deadline) {
    await sleep(200);
    n = hubFds();
  }
  return n;
}

/** A minimal websocket client (RFC 6455): handshake, masked text frames out, frames in. */
function wsConnect(host, p) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port });
    const key = randomBytes(16).toString("base64");
    let buf = Buffer.alloc(0);
    let open = false;
    const waiters = [];
    const frames = [];
    const deliver = () => {
      while (frames.length && waiters.length) waiters.shift().resolve(frames.shift());
    };
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (!open) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        if (!/^HTTP\/1\.1 101/.test(head)) return reject(new Error(`no upgrade: ${head}`));
        const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
        if (!head.includes(accept)) return reject(new Error("bad Sec-WebSocket-Accept"));
        open = true;
        resolve(ws);
      }
      while (buf.length >= 2) {
        const n = buf[1] & 0x7f;
        const hl = n === 126 ? 4 : 2;
        if (buf.length < hl) break;
        const len = n === 126 ? buf.readUInt16BE(2) : n;
        if (buf.length < hl + len) break;
        frames.push({ opcode: buf[0] & 0x0f, data: buf.subarray(hl, hl + len).toString() });
        buf = buf.subarray(hl + len);
      }
      deliver();
    });
    sock.on("close", () => {
      ws.closed = true;
      for (const w of waiters.splice(0)) w.resolve(null);
    });
    sock.on("error", (e) => (open ? null : reject(e)));
    sock.on("connect", () =>
      sock.write(
        `GET ${p} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
      ),
    );
    const ws = {
      closed: false,
      send(text) {
        const payload = Buffer.from(text);
        const mask = randomBytes(4);
        const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
        const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
        sock.write(Buffer.concat([head, mask, masked]));
      },
      next(timeoutMs = 5_000) {
        return new Promise((res, rej) => {
          const t = setTimeout(() => rej(new Error("no frame in time")), timeoutMs);
          waiters.push({ resolve: (f) => (clearTimeout(t), res(f)) });
          deliver();
        });
      },
      destroy: () => sock.destroy(),
    };
  });
}

before(async () => {
  if (SKIP) return;
  // One io_context per thread here (the other suites run the shared one), so both are exercised.
  hub = await startHub({ args: ["--space-runtime", "local", "--space-proxy-read-timeout", "2", "--io-context-per-thread"] });
  port = Number(new URL(hub.endpoint).port);
  for (const k of ["app", "priv", "stat"]) names[k] = uniqueName(k);
  const readme = "---\nsdk: gradio\nstartup_duration_timeout: 1m\n---\n";
  await Promise.all([
    createSpace(names.app, [
      { path: "README.md", content: readme },
      { path: "app.py", content: APP },
    ]),
    createSpace(names.priv, [
      { path: "README.md", content: readme },
      { path: "app.py", content: APP },
    ], { private: true }),
    createSpace(names.stat, [{ path: "index.html", content: "<h1>static</h1>\n" }, { path: "css/site.css", content: "h1{}" }], { sdk: "static" }),
  ]);
  await Promise.all([waitRunning(names.app), waitRunning(names.priv), waitRunning(names.stat)]);
});

after(async () => {
  if (!hub) return;
  await hub.stop();
  removeTempDir(hub.dataDir);
});

test("requests reach the app by Host, with X-Forwarded-* and keep-alive", { skip: SKIP }, async () => {
  const byHost = await request({ host: hostOf(names.app), path: "/headers?x=1", headers: { "x-forwarded-for": "6.6.6.6", connection: "keep-alive, x-hop", "x-hop": "secret" } });
  assert.equal(byHost.status, 200, byHost.text);
  const seen = JSON.parse(byHost.text);
  assert.equal(seen.path, "/headers?x=1");
  const h = Object.fromEntries(Object.entries(seen.headers).map(([k, v]) => [k.toLowerCase(), v]));
  assert.equal(h["x-forwarded-for"], "127.0.0.1", "the visitor's own X-Forwarded-For is not trusted");
  assert.equal(h["x-forwarded-proto"], "http");
  assert.equal(h["x-forwarded-host"], hostOf(names.app));
  assert.equal(h["x-hop"], undefined, "a header named in Connection is hop-by-hop");
  assert.equal(h["x-forwarded-prefix"], undefined);

  const withPort = await request({ host: `${hostOf(names.app)}:${port}`, path: "/" });
  assert.equal(withPort.text, "hello from the app\n");
  const upper = await request({ host: hostOf(names.app).toUpperCase(), path: "/" });
  assert.equal(upper.status, 200);

  // One visitor connection carries several proxied requests.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = await request({ host: hostOf(names.app), path: "/", agent });
  const second = await request({ host: hostOf(names.app), path: "/headers", agent });
  const third = await request({ host: hostOf(names.app), path: "/", method: "HEAD", agent });
  agent.destroy();
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  assert.equal(third.status, 200);
  assert.equal(third.text, "");
  assert.ok(second.reused && third.reused, "the visitor's connection was kept alive");
});

test("one kept-alive visitor connection: later plain requests (the fast lane) get the same answers", { skip: SKIP }, async () => {
  // After a first request by Host to a public Space, the connection's next bodiless requests to
  // that Host skip the general path (src/proxy/app_link.h); what the app and the visitor see must
  // not change, and bodies, other Spaces and a Space turned private still take the general path.
  const host = hostOf(names.app);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await request({ host, path: "/", agent });
    assert.equal(first.text, "hello from the app\n");

    const seen = await request({
      host, path: "/headers?lane=1", agent,
      headers: { "x-forwarded-for": "6.6.6.6", forwarded: "for=6.6.6.6", connection: "keep-alive, x-hop", "x-hop": "secret", "x-request-id": "lane-test-1" },
    });
    assert.equal(seen.status, 200, seen.text);
    assert.ok(seen.reused, "the visitor's connection was kept alive");
    const body = JSON.parse(seen.text);
    assert.equal(body.path, "/headers?lane=1");
    const h = Object.fromEntries(Object.entries(body.headers).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(h["x-forwarded-for"], "127.0.0.1");
    assert.equal(h["x-forwarded-proto"], "http");
    assert.equal(h["x-forwarded-host"], host);
    assert.equal(h.forwarded, undefined);
    assert.equal(h["x-hop"], undefined, "a header named in Connection is hop-by-hop");
    assert.equal(h.connection, undefined);
    assert.equal(h["x-request-id"], "lane-test-1", "end-to-end headers reach the app");

    const chunked = await streamed(host, "/chunked", agent);
    assert.equal(chunked.text, [0, 1, 2, 3, 4].map((i) => `part ${i}\n`).join(""), "pieces arrive as the app sends them");
    assert.ok(chunked.chunks.length >= 2, `pieces arrive as the app sends them (${chunked.chunks.length})`);

    // A head that arrives in pieces, and an obsolete fold (passed on unfolded, as the general path does).
    const split = await request({ host, path: "/split", agent });
    assert.equal(split.status, 200);
    assert.equal(split.text, "split");
    const folded = await request({ host, path: "/folded", agent });
    assert.equal(folded.status, 200);
    assert.equal(folded.headers["x-fold"], "one two");
    assert.equal(folded.text, "ok");
    // A malformed escape is the general path's 400, not the app's business.
    assert.equal((await request({ host, path: "/a%zz", agent })).status, 400);

    const headReq = await request({ host, path: "/", method: "HEAD", agent });
    assert.equal(headReq.status, 200);
    assert.equal(headReq.headers["content-length"], "19");
    assert.equal(headReq.text, "");

    const payload = randomBytes(300_000);
    const upload = await request({ host, path: "/upload", method: "POST", body: payload, agent });
    assert.equal(JSON.parse(upload.text).sha256, createHash("sha256").update(payload).digest("hex"));

    const other = await request({ host: hostOf(names.stat), path: "/", agent });
    assert.match(other.text, /<h1>static<\/h1>/, "another Host on the same connection goes to its Space");
    const back = await request({ host, path: "/", agent });
    assert.equal(back.text, "hello from the app\n");
    const again = await request({ host, path: "/", agent });
    assert.equal(again.text, "hello from the app\n");
    // The path route on the hub's origin is a redirect even on a connection with a lane.
    const viaPath = await request({ path: `/spaces/admin/${names.app}/app/headers?p=1`, agent });
    assert.equal(viaPath.status, 307);
    assert.equal(viaPath.text, "");
    const api = await request({ path: "/api/models", agent });
    assert.equal(api.status, 200, "the hub's own API on the same connection");
    const log = await logShows(/rid=lane-test-1 .* raw=1/);
    assert.match(log, /rid=lane-test-1 method=GET path=\/headers status=200 bytes=\d+ ms=\d+ raw=1/, "served by the fast lane, and in the access log");

    // Turned private: within the proxy's 1 s cache, the same connection gets the 404 of a missing Space.
    const set = (priv) => hub.api("PUT", `/api/spaces/admin/${names.app}/settings`, { token: hub.token, json: { private: priv } });
    assert.equal((await set(true)).status, 200);
    try {
      const deadline = Date.now() + 5_000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        status = (await request({ host, path: "/", agent })).status;
        if (status === 200) await sleep(100);
      }
      assert.equal(status, 404, "a Space turned private is closed to the kept connection too");
    } finally {
      assert.equal((await set(false)).status, 200);
      // Public again once the proxy's visibility cache (1 s) catches up.
      const deadline = Date.now() + 5_000;
      while ((await request({ host, path: "/" })).status !== 200 && Date.now() < deadline) await sleep(100);
    }
  } finally {
    agent.destroy();
  }
});

test("a chunked response and an SSE stream arrive piece by piece", { skip: SKIP }, async () => {
  const chunked = await streamed(hostOf(names.app), "/chunked");
  assert.equal(chunked.status, 200);
  assert.equal(chunked.text, [0, 1, 2, 3, 4].map((i) => `part ${i}\n`).join(""), "the chunks were buffered");
  assert.ok(chunked.chunks.length >= 2, `chunks arrived in ${chunked.chunks.length} piece(s)`);

  // The first event reached the visitor before the app wrote the second (see streamed()).
  const sse = await streamed(hostOf(names.app), "/sse");
  assert.equal(sse.status, 200);
  assert.match(sse.headers["content-type"], /text\/event-stream/);
  const events = sse.text.split("\n\n").filter(Boolean);
  assert.equal(events.length, 5, `events were buffered: ${sse.text}`);
  assert.ok(sse.chunks.length >= 2, `SSE arrived in ${sse.chunks.length} piece(s)`);
});

test("a large upload is streamed to the app (Content-Length and chunked)", { skip: SKIP }, async () => {
  const data = randomBytes(48 * 1024 * 1024);
  const digest = createHash("sha256").update(data).digest("hex");
  const r = await request({ host: hostOf(names.app), method: "POST", path: "/upload", body: data, timeoutMs: 60_000 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(JSON.parse(r.text), { size: data.length, sha256: digest });

  const chunked = await new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/upload", headers: { host: hostOf(names.app) } }, (res) => {
      let t = "";
      res.on("data", (d) => (t += d));
      res.on("end", () => resolve({ status: res.statusCode, text: t }));
    });
    req.on("error", reject);
    for (let i = 0; i < 8; i++) req.write(data.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    req.end();
  });
  assert.equal(chunked.status, 200, chunked.text);
  assert.equal(JSON.parse(chunked.text).size, 8 * 1024 * 1024);
});

test("a websocket echoes through the proxy", { skip: SKIP }, async () => {
  const ws = await wsConnect(hostOf(names.app), "/ws");
  for (const msg of ["hello", "x".repeat(1000)]) {
    ws.send(msg);
    const f = await ws.next();
    assert.equal(f.data, msg);
  }
  ws.destroy();
  // The path route on the hub's origin never upgrades to the app: it redirects.
  await assert.rejects(wsConnect("127.0.0.1", `/spaces/admin/${names.app}/app/ws`), /no upgrade: HTTP\/1\.1 307/);
});

// Issue #13 item 3: apps on the hub's own origin could register a service worker for `/` and read
// or set the hub's cookies. The path route on the hub's origin only redirects to the Space's own
// origin (query kept, method kept by 307); no app byte is ever served there.
test("the path route on the hub's origin redirects to the Space's own origin and never serves the app", { skip: SKIP }, async () => {
  const origin = `http://${hostOf(names.app)}:${port}`;
  for (const [p, want] of [
    [`/spaces/admin/${names.app}/app/headers?y=2&z=%2F`, `${origin}/headers?y=2&z=%2F`],
    [`/spaces/admin/${names.app}/app/`, `${origin}/`],
    [`/spaces/admin/${names.app}/app?q=1`, `${origin}/?q=1`],
    [`/spaces/admin/${names.app}/app/sw.js`, `${origin}/sw.js`],
  ]) {
    for (const method of ["GET", "POST", "HEAD"]) {
      const r = await request({ path: p, method, body: method === "POST" ? "x=1" : undefined, headers: { accept: "text/html" } });
      assert.equal(r.status, 307, `${method} ${p}`);
      assert.equal(r.headers.location, want, `${method} ${p}`);
      assert.ok(!r.text.includes("hello from the app") && !r.text.includes('"headers"'), r.text);
    }
  }
  // Host-header games on the hub's origin do not change where the redirect points.
  const evil = await request({ host: "evil.example", path: `/spaces/admin/${names.app}/app/` });
  assert.equal(evil.status, 307);
  assert.equal(evil.headers.location, `${origin}/`);
  // The legitimate use: the app on its own origin (what the redirect points at).
  const own = await request({ host: hostOf(names.app), path: "/headers?y=2" });
  assert.equal(own.status, 200, own.text);
  assert.equal(JSON.parse(own.text).path, "/headers?y=2");
});

// Issue #13 item 2: a visitor's hub token and hub session cookie never reach an app, on the general
// path, on the fast lane (a kept connection's later plain requests) and in a websocket upgrade; the
// app's own credentials and cookies still reach it, and a private Space's owner still gets in with
// the token (the proxy authenticates, then strips).
test("a visitor's hub credentials never reach the app; the app's own do", { skip: SKIP }, async () => {
  const low = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
  const hubToken = `Bearer ${hub.token}`;
  const basicToken = `Basic ${Buffer.from(`admin:${hub.token}`).toString("base64")}`;
  const cookie = "theme=dark; spacehub_session=hubsecret; lang=en";
  const seenBy = (r) => {
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes(hub.token), "the hub token reached the app");
    assert.ok(!r.text.includes("hubsecret"), "the hub session cookie reached the app");
    return low(JSON.parse(r.text).headers);
  };

  // The general path (a fresh connection each), Bearer and Basic.
  for (const authorization of [hubToken, basicToken]) {
    const h = seenBy(await request({ host: hostOf(names.app), path: "/headers", headers: { authorization, cookie } }));
    assert.equal(h.authorization, undefined);
    assert.equal(h.cookie, "theme=dark; lang=en", "the visitor's other cookies pass");
  }
  // The app's own credentials are the app's business.
  const own = seenBy(await request({ host: hostOf(names.app), path: "/headers", headers: { authorization: "Bearer app-key-123", cookie: "theme=dark" } }));
  assert.equal(own.authorization, "Bearer app-key-123");
  assert.equal(own.cookie, "theme=dark");

  // The fast lane: a first request arms it, the next ones are relayed from the raw head.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.equal((await request({ host: hostOf(names.app), path: "/", agent })).status, 200);
    for (let i = 0; i < 3; i++) {
      const r = await request({ host: hostOf(names.app), path: "/headers", agent, headers: { authorization: hubToken, cookie, "x-request-id": `cred-lane-${i}` } });
      assert.ok(r.reused);
      const h = seenBy(r);
      assert.equal(h.authorization, undefined);
      assert.equal(h.cookie, "theme=dark; lang=en");
    }
    const laneLine = /rid=cred-lane-2 method=GET path=\/headers status=200 bytes=\d+ ms=\d+ raw=1/;
    assert.match(await logShows(laneLine), laneLine, "the fast lane served it");
    // An app cannot set the hub's session cookie, on the lane or the general path.
    const planted = await request({ host: hostOf(names.app), path: "/set-cookie", agent });
    assert.deepEqual(planted.headers["set-cookie"], ["app=1; Path=/"]);
  } finally {
    agent.destroy();
  }
  const planted = await request({ host: hostOf(names.app), path: "/set-cookie" });
  assert.deepEqual(planted.headers["set-cookie"], ["app=1; Path=/"]);

  // A websocket upgrade.
  const ws = await new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port }, () =>
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: ${hostOf(names.app)}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
          `Authorization: ${hubToken}\r\nCookie: ${cookie}\r\n\r\n`,
      ),
    );
    let buf = Buffer.alloc(0);
    let sent = false;
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (!sent) {
        if (!/^HTTP\/1\.1 101/.test(buf.toString())) return reject(new Error(buf.toString()));
        buf = buf.subarray(end + 4);
        sent = true;
        const mask = randomBytes(4);
        const payload = Buffer.from("headers").map((b, i) => b ^ mask[i % 4]);
        sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | 7]), mask, payload]));
      }
    });
    const frame = () => {
      if (buf.length < 2) return null;
      const n = buf[1] & 0x7f;
      const hl = n === 126 ? 4 : 2;
      const len = n === 126 ? buf.readUInt16BE(2) : n;
      return buf.length >= hl + len ? buf.subarray(hl, hl + len).toString() : null;
    };
    sock.on("data", () => {
      const f = sent && frame();
      if (f) {
        sock.destroy();
        resolve(f);
      }
    });
    sock.on("error", reject);
    sock.setTimeout(10_000, () => sock.destroy(new Error("no frame")));
  });
  const wsHeaders = low(JSON.parse(ws));
  assert.equal(wsHeaders.upgrade, "websocket");
  assert.equal(wsHeaders.authorization, undefined, "the upgrade carried the hub token to the app");
  assert.equal(wsHeaders.cookie, "theme=dark; lang=en");

  // A private Space: the owner's token opens it, and stops at the proxy.
  for (const authorization of [hubToken, basicToken]) {
    const h = seenBy(await request({ host: hostOf(names.priv), path: "/headers", headers: { authorization, cookie } }));
    assert.equal(h.authorization, undefined);
    assert.equal(h.cookie, "theme=dark; lang=en");
  }
  assert.equal((await request({ host: hostOf(names.priv), path: "/headers", headers: { cookie } })).status, 404, "a cookie alone opens nothing yet");
});

test("a static Space is served by the hub: index, types, Range, no escape", { skip: SKIP }, async () => {
  const page = await request({ host: hostOf(names.stat), path: "/" });
  assert.equal(page.status, 200);
  assert.match(page.headers["content-type"], /text\/html/);
  // window.huggingface.variables comes first (the page has no <head>).
  assert.match(page.text, /^<script>window\.huggingface = \{"variables":\{.*\}\};<\/script><h1>static<\/h1>\n$/);
  const css = await request({ host: hostOf(names.stat), path: "/css/site.css", headers: { range: "bytes=0-1" } });
  assert.equal(css.status, 206);
  assert.equal(css.text, "h1");
  for (const bad of ["/..%2F..%2Fhub.db", "/.spacehub-build-ok", "/missing.html", "/css/..%2F..%2F..%2Fhub.db"]) {
    assert.equal((await request({ host: hostOf(names.stat), path: bad })).status, 404, bad);
  }
  assert.equal((await request({ host: hostOf(names.stat), path: "/", method: "POST", body: "x" })).status, 405);
  const byPath = await request({ path: `/spaces/admin/${names.stat}/app/` });
  assert.equal(byPath.status, 307, "a static Space is not served on the hub's origin either");
  assert.equal(byPath.headers.location, `http://${hostOf(names.stat)}:${port}/`);
  assert.equal(byPath.text, "");
});

test("a private Space: 404 like a missing one for others, the app for readers (without the token)", { skip: SKIP }, async () => {
  const anon = await request({ host: hostOf(names.priv), path: "/headers" });
  const missing = await request({ host: "nobody-nothing-here.localhost", path: "/headers" });
  assert.equal(anon.status, 404);
  assert.equal(missing.status, 404);
  assert.equal(anon.text, missing.text, "a private Space must look missing");
  const bad = await request({ host: hostOf(names.priv), path: "/", headers: { authorization: "Bearer hf_notavalidtoken000000000000000000000" } });
  assert.equal(bad.status, 404);
  const byPath = await request({ path: `/spaces/admin/${names.priv}/app/` });
  assert.equal(byPath.status, 307, "the path route's redirect says nothing about the Space");

  const ok = await request({ host: hostOf(names.priv), path: "/headers", headers: { authorization: `Bearer ${hub.token}` } });
  assert.equal(ok.status, 200, ok.text);
  assert.ok(!ok.text.includes(hub.token), "the hub token reached the app");
  const basic = Buffer.from(`admin:${hub.token}`).toString("base64");
  const okBasic = await request({ host: hostOf(names.priv), path: "/headers", headers: { authorization: `Basic ${basic}` } });
  assert.equal(okBasic.status, 200, okBasic.text);
  assert.ok(!okBasic.text.toLowerCase().includes("authorization"), okBasic.text);
});

test("a request for a missing Space is a 404 and wakes nothing", { skip: SKIP }, async () => {
  const html = await request({ host: "admin-no-such-space.localhost", headers: { accept: "text/html" } });
  assert.equal(html.status, 404);
  assert.match(html.headers["content-type"], /text\/html/);
  const json = await request({ host: "admin-no-such-space.localhost", path: "/" });
  assert.equal(json.status, 404);
  assert.equal(json.headers["x-error-code"], "RepoNotFound");
  const byPath = await request({ path: "/spaces/admin/no-such-space/app/" });
  assert.equal(byPath.status, 307, "a redirect like any other: the path route looks nothing up");
  const rt = await hub.api("GET", "/api/spaces/admin/no-such-space/runtime", { token: hub.token });
  assert.equal(rt.status, 404);
});

test("a request to a starting Space is held until the app answers; browsers get a page that reloads", { skip: SKIP }, async () => {
  const name = uniqueName("late");
  await createSpace(name, [
    { path: "README.md", content: "---\nsdk: gradio\n---\n" },
    { path: "app.py", content: "import time\ntime.sleep(2)\n" + APP },
  ]);
  const t0 = Date.now();
  const [browser, program] = await Promise.all([
    request({ host: hostOf(name), path: "/", headers: { accept: "text/html,application/xhtml+xml" } }),
    request({ host: hostOf(name), path: "/", timeoutMs: 40_000 }),
  ]);
  assert.equal(browser.status, 503);
  assert.equal(browser.headers["retry-after"], "1");
  assert.match(browser.text, /http-equiv="refresh"/);
  assert.equal(program.status, 200, program.text);
  assert.equal(program.text, "hello from the app\n");
  assert.ok(Date.now() - t0 >= 1000);
});

test("faults: an app that dies mid-response, never answers, or sends garbage", { skip: SKIP }, async () => {
  await request({ host: hostOf(names.app), path: "/" }); // warm the pool
  const before = hubFds();
  const died = await request({ host: hostOf(names.app), path: "/die" }).catch((e) => ({ error: e }));
  assert.ok(died.error || died.text.length < 100000, "a cut response must not look whole");

  // The app never answers: only the hub's read timeout (2 s) ends the wait, well inside this
  // request's own 60 s; a 504 rather than this request timing out is the proof.
  const t0 = Date.now();
  const hang = await request({ host: hostOf(names.app), path: "/hang", timeoutMs: 60_000 });
  assert.equal(hang.status, 504);
  assert.equal(hang.headers["x-error-code"], "GatewayTimeout");
  assert.ok(Date.now() - t0 >= 1_500, "the read timeout did not fire early");

  const garbage = await request({ host: hostOf(names.app), path: "/garbage" });
  assert.equal(garbage.status, 502);
  assert.equal(garbage.headers["x-error-code"], "BadGateway");

  // The hub and the app are fine afterwards.
  assert.equal((await request({ host: hostOf(names.app), path: "/" })).status, 200);
  assert.ok((await fdsSettleTo(before + 1)) <= before + 1, `descriptors: ${before} before, ${hubFds()} after`);
});

test("faults: a visitor that drops an upload, websockets dropped by either side, a huge header", { skip: SKIP }, async () => {
  await request({ host: hostOf(names.app), path: "/" });
  const before = hubFds();

  await new Promise((resolve) => {
    const sock = net.connect({ host: "127.0.0.1", port }, () => {
      sock.write(`POST /upload HTTP/1.1\r\nHost: ${hostOf(names.app)}\r\nContent-Length: 10000000\r\n\r\n`);
      sock.write(randomBytes(1024 * 1024), () => setTimeout(() => (sock.destroy(), resolve()), 200));
    });
    sock.on("error", () => resolve());
  });

  const ws1 = await wsConnect(hostOf(names.app), "/ws");
  ws1.send("one");
  assert.equal((await ws1.next()).data, "one");
  ws1.destroy(); // the visitor drops it

  const ws2 = await wsConnect(hostOf(names.app), "/ws");
  ws2.send("drop"); // the app drops it
  assert.equal(await ws2.next(), null, "the visitor sees the app's side close");
  assert.ok(ws2.closed);

  const huge = await new Promise((resolve) => {
    const sock = net.connect({ host: "127.0.0.1", port }, () => {
      sock.write(`GET / HTTP/1.1\r\nHost: ${hostOf(names.app)}\r\nX-Big: ${"a".repeat(200 * 1024)}\r\n\r\n`);
    });
    let raw = "";
    sock.on("data", (d) => (raw += d));
    sock.on("close", () => resolve(raw));
    sock.on("error", () => resolve(raw));
  });
  assert.match(huge, /^HTTP\/1\.1 431/);

  assert.equal((await request({ host: hostOf(names.app), path: "/" })).status, 200);
  assert.ok((await fdsSettleTo(before + 1)) <= before + 1, `descriptors: ${before} before, ${hubFds()} after`);
});
