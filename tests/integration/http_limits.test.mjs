// The HTTP edge against hostile clients (issue 13, items 4 and 5), each attack beside the
// legitimate request it must not disturb:
// - framing (RFC 9112 §6): a head whose body delimitation is ambiguous (`Transfer-Encoding:
//   chunked, gzip`, TE with Content-Length, duplicated or garbled Content-Length) is refused with a
//   400 in the hub's error shape and the connection closes, for API routes and Space hosts alike;
// - bodies judged from the head: a write without (valid) credentials gets its 401, an oversized
//   body its 413, a body over the memory budget its 503 — while the client has sent only the head;
// - deadlines: a head or body trickled a byte at a time is cut off; an idle keep-alive connection
//   is not;
// - connections per client address.
// No assertion waits for something not to happen: "before the body" is proven by answers that
// arrive while the client has sent only the head; deadlines by a close within a generous bound of
// a small configured timeout.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startHub, uniqueName, createRepo, commit, commitRaw, sleep } from "./harness.mjs";

const T = { timeout: 120_000 };

/**
 * A raw connection to the hub (127.0.0.1, optionally from another loopback source address).
 * Collects what the server sends; `response()` resolves once a whole response head (after any
 * 100 Continue) is in, `closed` when the server has closed.
 */
function connect(hub, { localAddress } = {}) {
  const sock = net.connect({ host: "127.0.0.1", port: hub.port, ...(localAddress ? { localAddress } : {}) });
  const c = { sock, raw: "", error: null, closedAt: null };
  const waiters = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  c.connected = new Promise((resolve, reject) => {
    sock.once("connect", resolve);
    sock.once("error", reject);
  });
  sock.on("data", (d) => {
    c.raw += d.toString("latin1");
    wake();
  });
  sock.on("error", (e) => {
    c.error = e;
    wake();
  });
  c.closed = new Promise((resolve) =>
    sock.on("close", () => {
      c.closedAt = Date.now();
      wake();
      resolve();
    }),
  );
  /** Resolves when `pred(raw)` holds, or the socket closed, or `timeoutMs` passed. */
  c.until = (pred, timeoutMs = 15_000) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve(pred(c.raw));
      }
      const check = () => {
        if (pred(c.raw) || c.closedAt !== null || c.error) done();
        else waiters.push(check);
      };
      check();
    });
  /** The first final (non-1xx) response head: {status, headers, body-so-far} or null. */
  c.response = async (timeoutMs = 15_000) => {
    await c.until((r) => finalHead(r) !== null, timeoutMs);
    return finalHead(c.raw);
  };
  c.write = (s) => new Promise((resolve) => sock.write(s, () => resolve()));
  c.destroy = () => sock.destroy();
  return c;
}

/** Parses the first non-1xx response in `raw`. */
function finalHead(raw) {
  let at = 0;
  for (;;) {
    const end = raw.indexOf("\r\n\r\n", at);
    if (end < 0) return null;
    const head = raw.slice(at, end);
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!m) return null;
    const status = Number(m[1]);
    if (status >= 100 && status < 200) {
      at = end + 4;
      continue;
    }
    const headers = {};
    for (const line of head.split("\r\n").slice(1)) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const body = raw.slice(end + 4);
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status, headers, body, json };
  }
}

/** The hub's error shape: status, X-Error-Message, JSON {"error": …}, and the X-Error-Code. */
function assertErrorShape(res, status, code) {
  const ctx = JSON.stringify(res);
  assert.ok(res, "no response");
  assert.equal(res.status, status, ctx);
  if (code) assert.equal(res.headers["x-error-code"], code, ctx);
  assert.ok((res.headers["x-error-message"] ?? "").length > 0, ctx);
  assert.match(res.headers["content-type"] ?? "", /^application\/json/, ctx);
}

/** One plain request on a fresh connection; the whole response (server closes: Connection: close). */
async function oneRequest(hub, head, body = "", opts = {}) {
  const c = connect(hub, opts);
  await c.connected;
  await c.write(head + body);
  const res = await c.response();
  if (res) {
    const len = Number(res.headers["content-length"] ?? 0);
    await c.until(() => (finalHead(c.raw)?.body.length ?? 0) >= len);
  }
  const out = finalHead(c.raw);
  c.destroy();
  return out;
}

const jsonHead = (hub, { method = "POST", path, token, length, extra = "" }) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\n` +
  (token ? `Authorization: Bearer ${token}\r\n` : "") +
  `Content-Type: application/json\r\n` +
  (length !== undefined ? `Content-Length: ${length}\r\n` : "") +
  extra +
  "\r\n";

// ------------------------------------------------------------------------------------------------

describe("framing (RFC 9112 §6): ambiguous bodies are refused at the edge", () => {
  let hub;
  const repo = uniqueName("framing");
  const space = uniqueName("fspace");

  before(async () => {
    hub = await startHub();
    assert.equal((await createRepo(hub, { name: repo })).status, 200);
    assert.equal((await createRepo(hub, { type: "space", name: space })).status, 200);
  });
  after(async () => {
    await hub?.stop();
  });

  const chunkedBody = (s) => `${s.length.toString(16)}\r\n${s}\r\n0\r\n\r\n`;
  const payload = JSON.stringify({ paths: ["README.md"] });
  const bad = {
    "TE chunked, gzip": "Transfer-Encoding: chunked, gzip\r\n",
    "TE gzip": "Transfer-Encoding: gzip\r\n",
    "TE gzip, chunked (a coding the hub does not decode)": "Transfer-Encoding: gzip, chunked\r\n",
    "TE chunked twice": "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
    "TE with Content-Length": "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    "Content-Length before TE": "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    "two equal Content-Lengths": "Content-Length: 5\r\nContent-Length: 5\r\n",
    "Content-Length list": "Content-Length: 5, 5\r\n",
    "two different Content-Lengths": "Content-Length: 5\r\nContent-Length: 6\r\n",
    "signed Content-Length": "Content-Length: +5\r\n",
  };

  for (const [label, fields] of Object.entries(bad)) {
    test(`API route, ${label} → 400 BadRequestFraming, connection closed`, T, async () => {
      const c = connect(hub);
      await c.connected;
      await c.write(
        `POST /api/models/admin/${repo}/paths-info/main HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\n` +
          `Authorization: Bearer ${hub.token}\r\n${fields}\r\n` +
          chunkedBody(payload) +
          // What a smuggler hides behind an ambiguous body: it must never be served.
          `GET /api/whoami-v2 HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\n\r\n`,
      );
      const res = await c.response();
      assertErrorShape(res, 400, "BadRequestFraming");
      await c.until(() => false, 15_000); // returns once the server closed (bounded)
      assert.ok(c.closedAt !== null || c.error, "the connection must close after a framing error");
      assert.equal((c.raw.match(/HTTP\/1\.1 \d{3}/g) ?? []).length, 1, `only one answer: ${c.raw}`);
    });
  }

  test("Space host, TE chunked, gzip → 400 BadRequestFraming before the proxy", T, async () => {
    const res = await oneRequest(
      hub,
      `POST /submit HTTP/1.1\r\nHost: admin-${space}.localhost\r\nTransfer-Encoding: chunked, gzip\r\n\r\n`,
      chunkedBody("hello"),
    );
    assertErrorShape(res, 400, "BadRequestFraming");
    // The path route to the same Space, too.
    const viaPath = await oneRequest(
      hub,
      `POST /spaces/admin/${space}/app/submit HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\n` +
        `Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`,
      chunkedBody("hello"),
    );
    assertErrorShape(viaPath, 400, "BadRequestFraming");
  });

  test("legitimate framing still works: chunked, sized, HTTP/1.0 sized, Space host", T, async () => {
    const path = `/api/models/admin/${repo}/paths-info/main`;
    const chunked = await oneRequest(
      hub,
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nAuthorization: Bearer ${hub.token}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      chunkedBody(payload),
    );
    assert.equal(chunked?.status, 200, JSON.stringify(chunked));
    const sized = await oneRequest(
      hub,
      jsonHead(hub, { path, token: hub.token, length: payload.length, extra: "Connection: close\r\n" }),
      payload,
    );
    assert.equal(sized?.status, 200, JSON.stringify(sized));
    const http10 = await oneRequest(
      hub,
      `POST ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`,
      payload,
    );
    assert.equal(http10?.status, 200, JSON.stringify(http10));
    // A Space host with plain framing reaches the proxy (whatever it answers, not a framing 400).
    const visit = await oneRequest(hub, `GET / HTTP/1.1\r\nHost: admin-${space}.localhost\r\nConnection: close\r\n\r\n`);
    assert.ok(visit && visit.headers["x-error-code"] !== "BadRequestFraming", JSON.stringify(visit));
  });
});

// ------------------------------------------------------------------------------------------------

describe("bodies are judged from the head, before they are read", () => {
  let hub;
  const repo = uniqueName("bodies");
  const HUGE = 500 * 1024 * 1024; // announced, never sent

  before(async () => {
    // Small limits so the tests send little: JSON routes 1 MiB, commits 4 MiB, 4 MiB in memory.
    hub = await startHub({ args: ["--max-json-body-mb", "1", "--max-body-mb", "4", "--body-memory-mb", "4"] });
    assert.equal((await createRepo(hub, { name: repo })).status, 200);
  });
  after(async () => {
    await hub?.stop();
  });

  /** Sends only a head announcing `length` bytes; the answer must come without any body byte. */
  async function headOnly(head) {
    const c = connect(hub);
    await c.connected;
    await c.write(head);
    const res = await c.response();
    await c.until(() => false, 15_000); // until the server closes (bounded)
    const closed = c.closedAt !== null || c.error !== null;
    c.destroy();
    return { res, closed };
  }

  test("anonymous POST announcing 500 MB → 401 at once, connection closed", T, async () => {
    const { res, closed } = await headOnly(jsonHead(hub, { path: "/api/repos/create", length: HUGE }));
    assertErrorShape(res, 401);
    assert.ok(closed, "the connection must close: the body was never read");
  });

  test("invalid token announcing 500 MB → 401 at once", T, async () => {
    const { res, closed } = await headOnly(
      jsonHead(hub, { path: `/api/models/admin/${repo}/commit/main`, token: "hf_notavalidtokenatall0000000000000", length: HUGE }),
    );
    assertErrorShape(res, 401);
    assert.ok(closed);
  });

  test("anonymous chunked write → 401 before any chunk", T, async () => {
    const { res } = await headOnly(
      `POST /api/repos/create HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    assertErrorShape(res, 401);
  });

  test("valid token, JSON route over --max-json-body-mb → 413 at once", T, async () => {
    const { res, closed } = await headOnly(
      jsonHead(hub, { path: "/api/repos/create", token: hub.token, length: 2 * 1024 * 1024 }),
    );
    assertErrorShape(res, 413);
    assert.ok(closed);
  });

  test("anonymous public read with a body (paths-info) is still answered; over the JSON limit → 413", T, async () => {
    const payload = JSON.stringify({ paths: ["README.md"] });
    const ok = await oneRequest(hub, jsonHead(hub, { path: `/api/models/admin/${repo}/paths-info/main`, length: payload.length }), payload);
    assert.equal(ok?.status, 200, JSON.stringify(ok));
    const { res } = await headOnly(jsonHead(hub, { path: `/api/models/admin/${repo}/paths-info/main`, length: HUGE }));
    assertErrorShape(res, 413);
  });

  test("a commit keeps the large limit: a 2 MiB inline file (over the JSON limit) commits", T, async () => {
    const content = Buffer.alloc(2 * 1024 * 1024, "a");
    const r = await commitRaw(hub, { id: `admin/${repo}`, files: [{ path: "big.txt", content }] });
    assert.equal(r.status, 200, r.text);
    const { res } = await headOnly(
      jsonHead(hub, { path: `/api/models/admin/${repo}/commit/main`, token: hub.token, length: 5 * 1024 * 1024 }),
    );
    assertErrorShape(res, 413);
  });

  test("bodies over the memory budget → 503 before they are read; later ones fit again", T, async () => {
    // The first holds 3 of the 4 MiB: the server reserved them before its 100 Continue.
    const path = `/api/models/admin/${repo}/commit/main`;
    const first = connect(hub);
    await first.connected;
    await first.write(jsonHead(hub, { path, token: hub.token, length: 3 * 1024 * 1024, extra: "Expect: 100-continue\r\n" }));
    assert.ok(await first.until((r) => r.startsWith("HTTP/1.1 100")), `no 100 Continue: ${first.raw}`);

    const { res, closed } = await headOnly(jsonHead(hub, { path, token: hub.token, length: 3 * 1024 * 1024 }));
    assertErrorShape(res, 503, "BodyMemoryExhausted");
    assert.ok(res.headers["retry-after"], "a 503 says when to retry");
    assert.ok(closed);

    // The first client goes away: its reservation ends with its request; a commit fits again.
    first.destroy();
    let r;
    for (let i = 0; i < 50; i++) {
      r = await commitRaw(hub, { id: `admin/${repo}`, files: [{ path: "after.txt", content: "ok" }] });
      if (r.status !== 503) break;
      await sleep(100);
    }
    assert.equal(r.status, 200, r.text);
  });
});

// ------------------------------------------------------------------------------------------------

describe("deadlines: a whole head, a whole body", () => {
  let hub;
  const repo = uniqueName("slow");

  before(async () => {
    hub = await startHub({ args: ["--header-timeout", "2", "--body-timeout", "2", "--body-min-rate-kb", "1"] });
    assert.equal((await createRepo(hub, { name: repo })).status, 200);
  });
  after(async () => {
    await hub?.stop();
  });

  /** Writes `text` one byte every 200 ms until the server closes (at most `maxMs`). */
  async function trickle(c, text, maxMs = 30_000) {
    const t0 = Date.now();
    for (let i = 0; Date.now() - t0 < maxMs && c.closedAt === null && !c.error; i++) {
      c.sock.write(text[i % text.length]);
      await Promise.race([sleep(200), c.closed]);
    }
    return (c.closedAt ?? Date.now()) - t0;
  }

  test("a head trickled a byte at a time is closed after --header-timeout", T, async () => {
    const c = connect(hub);
    await c.connected;
    await c.write(`GET /api/whoami-v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
    // A deadline per read would never close it (a byte every 200 ms); the whole-head one does.
    await trickle(c, "abcdefgh");
    assert.ok(c.closedAt !== null || c.error, "the server must close a head that never ends");
    assert.equal(finalHead(c.raw), null, "no answer to a head that never ended");
  });

  test("a body trickled far below --body-min-rate-kb is closed", T, async () => {
    const c = connect(hub);
    await c.connected;
    await c.write(jsonHead(hub, { path: "/api/repos/create", token: hub.token, length: 100_000 }));
    // 5 bytes a second never reach 1 KiB/s: only the rate deadline closes it.
    await trickle(c, "{");
    assert.ok(c.closedAt !== null || c.error, "the server must close a body that never ends");
  });

  test("legitimate use: an idle keep-alive connection outlives --header-timeout; a normal body goes through", T, async () => {
    const c = connect(hub);
    await c.connected;
    await c.write(`GET /api/whoami-v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${hub.token}\r\n\r\n`);
    assert.equal((await c.response())?.status, 200);
    // Idle between requests longer than the head deadline: allowed (the idle timeout applies). The
    // proof that the head deadline has passed is an event, not a sleep: a head begun after `c`
    // went idle is cut by it.
    const late = connect(hub);
    await late.connected;
    await late.write(`GET /api/whoami-v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
    await late.until(() => false, 60_000);
    assert.ok(late.closedAt !== null || late.error, "the head begun later was cut by --header-timeout");
    assert.equal(c.closedAt, null, "an idle keep-alive connection is not a slow head");
    c.raw = "";
    await c.write(`GET /api/whoami-v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${hub.token}\r\n\r\n`);
    assert.equal((await c.response())?.status, 200);
    c.destroy();
    const r = await createRepo(hub, { name: uniqueName("fine") });
    assert.equal(r.status, 200, r.text);
  });
});

// ------------------------------------------------------------------------------------------------

describe("connections per client address", () => {
  let hub;
  const LIMIT = 20;

  before(async () => {
    hub = await startHub({ args: ["--max-connections-per-client", String(LIMIT)] });
  });
  after(async () => {
    await hub?.stop();
  });

  /** A keep-alive connection that got its answer (so the server admitted it), or the refusal. */
  async function open(localAddress) {
    const c = connect(hub, { localAddress });
    await c.connected;
    await c.write(`GET /api/whoami-v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${hub.token}\r\n\r\n`);
    const res = await c.response();
    return { c, res };
  }

  test("past the limit a client gets 503 TooManyConnections; another client and a freed slot are served", T, async () => {
    const held = [];
    let refused = null;
    try {
      // The harness's own keep-alive connection may hold a slot: stop at the first refusal.
      for (let i = 0; i < LIMIT + 5 && !refused; i++) {
        const o = await open("127.0.0.1");
        if (o.res?.status === 503) refused = o;
        else {
          assert.equal(o.res?.status, 200, o.c.raw);
          held.push(o.c);
        }
      }
      assert.ok(refused, `no refusal after ${held.length} connections`);
      assert.ok(held.length <= LIMIT && held.length >= LIMIT - 3, `${held.length} admitted of ${LIMIT}`);
      assertErrorShape(refused.res, 503, "TooManyConnections");
      await refused.c.until(() => false, 15_000);
      assert.ok(refused.c.closedAt !== null || refused.c.error, "a refused connection is closed");

      // Another client address is not affected.
      const other = await open("127.0.0.2");
      assert.equal(other.res?.status, 200, other.c.raw);
      other.c.destroy();

      // A connection closes: its slot comes back (the server notices the close asynchronously).
      held.pop().destroy();
      let again;
      for (let i = 0; i < 50; i++) {
        again = await open("127.0.0.1");
        if (again.res?.status === 200) break;
        again.c.destroy();
        await sleep(100);
      }
      assert.equal(again.res?.status, 200, again.c.raw);
      held.push(again.c);
    } finally {
      for (const c of held) c.destroy();
    }
  });
});
