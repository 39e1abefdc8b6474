// The web UI's sign-in as the JSON API sees it: the first start prints the administrator's
// password, `spacehub admin user set-password` sets one from stdin, and the session cookie that
// POST /login sets is a credential for /api too — but a state change made with it needs the
// session's X-CSRF-Token (a cookie is sent by the browser whoever made the page that sends it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

import { startHub, SPACEHUB_BIN, uniqueName } from "./harness.mjs";

let hub;

before(async () => {
  hub = await startHub();
});

after(async () => {
  await hub?.stop();
});

// `spacehub admin … user set-password NAME` with the password on stdin.
function setPassword(name, password) {
  const r = spawnSync(SPACEHUB_BIN, ["admin", "--data-dir", hub.dataDir, "user", "set-password", name], {
    input: `${password}\n`,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// POST /login as a browser form would; returns {status, cookie} (cookie "" when none was set).
async function signIn(username, password) {
  const r = await hub.api("POST", "/login", {
    body: new URLSearchParams({ username, password, next: "/" }).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    redirect: "manual",
  });
  const set = r.headers.get("set-cookie") ?? "";
  const m = /(?:^|,\s*)((?:__Host-)?spacehub_session)=([^;]+)/.exec(set);
  return { status: r.status, cookie: m ? `${m[1]}=${m[2]}` : "", retryAfter: r.headers.get("retry-after") };
}

// The session's CSRF token, as the hub's own pages carry it (the sign-out form).
async function csrfOf(cookie) {
  const r = await hub.api("GET", "/", { headers: { Cookie: cookie } });
  const m = /name="_csrf" value="([0-9a-f]{64})"/.exec(r.text);
  assert.ok(m, `no CSRF token on the home page for a signed-in visitor: ${r.status}`);
  return m[1];
}

async function whoami(cookie) {
  return hub.api("GET", "/api/whoami-v2", { headers: { Cookie: cookie } });
}

test("the first start prints the administrator's web password, and it signs in", async () => {
  assert.match(hub.adminPassword ?? "", /^[A-Za-z0-9]{20}$/);
  assert.match(hub.stdout, /^HF_TOKEN=hf_\S+\nADMIN_PASSWORD=\S+\n/m);
  const s = await signIn("admin", hub.adminPassword);
  assert.ok(s.status === 302 || s.status === 303, `sign-in answered ${s.status}`);
  assert.ok(s.cookie, "no session cookie was set");
  const me = await whoami(s.cookie);
  assert.equal(me.status, 200);
  assert.equal(me.json.name, "admin");
});

test("a wrong password, an unknown user and a garbage cookie get nothing", async () => {
  for (const [user, pw] of [["admin", "not-the-password"], ["nobody-here", "whatever-password"]]) {
    const s = await signIn(user, pw);
    assert.equal(s.status, 401);
    assert.equal(s.cookie, "");
  }
  for (const cookie of ["spacehub_session=garbage", `spacehub_session=${"A".repeat(43)}`, "spacehub_session="]) {
    const me = await whoami(cookie);
    assert.equal(me.status, 401, `${cookie} was taken for someone`);
  }
});

test("a cookie-authenticated write needs the session's X-CSRF-Token", async () => {
  const { cookie } = await signIn("admin", hub.adminPassword);
  const csrf = await csrfOf(cookie);
  const name = uniqueName("csrf");
  const create = (headers) =>
    hub.api("POST", "/api/repos/create", { json: { name, type: "model" }, headers: { Cookie: cookie, ...headers } });

  for (const headers of [{}, { "X-CSRF-Token": "0".repeat(64) }, { "X-CSRF-Token": csrf.slice(0, 63) }]) {
    const r = await create(headers);
    assert.equal(r.status, 403, JSON.stringify(headers));
    assert.match(r.text, /CSRF/);
  }
  assert.equal((await hub.api("GET", `/api/models/admin/${name}`, { token: hub.token })).status, 404, "a refused write created the repo");

  // Another session's token is not this one's.
  const other = await signIn("admin", hub.adminPassword);
  assert.notEqual(await csrfOf(other.cookie), csrf);
  assert.equal((await create({ "X-CSRF-Token": await csrfOf(other.cookie) })).status, 403);

  const ok = await create({ "X-CSRF-Token": csrf });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await hub.api("GET", `/api/models/admin/${name}`, { token: hub.token })).status, 200);
});

test("admin user set-password sets a password from stdin and ends the user's sessions", async () => {
  const name = uniqueName("alice");
  await hub.admin(["user", "create", name]);
  assert.equal((await signIn(name, "")).status, 401, "a user without a password signed in");

  const first = setPassword(name, "first-password-1");
  assert.equal(first.code, 0, first.stderr);
  const s = await signIn(name, "first-password-1");
  assert.ok(s.cookie, `sign-in with the new password failed: ${s.status}`);
  assert.equal((await whoami(s.cookie)).json.name, name);

  const tooShort = setPassword(name, "short");
  assert.notEqual(tooShort.code, 0);
  assert.match(tooShort.stderr, /at least 8/);
  assert.equal((await whoami(s.cookie)).status, 200, "a refused reset ended the session");

  const second = setPassword(name, "second-password-2");
  assert.equal(second.code, 0, second.stderr);
  assert.equal((await whoami(s.cookie)).status, 401, "the reset left a session open");
  assert.equal((await signIn(name, "first-password-1")).status, 401);
  assert.ok((await signIn(name, "second-password-2")).cookie);

  const unknown = setPassword("no-such-user", "long-enough-pw");
  assert.notEqual(unknown.code, 0);
});

// On a hub of its own: the earlier tests' failures from this address count too.
test("the sixth failed sign-in is refused with 429 and Retry-After, even with the right password", async () => {
  const own = await startHub();
  try {
    const attempt = async (password) => {
      const r = await own.api("POST", "/login", {
        body: new URLSearchParams({ username: "admin", password }).toString(),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
      return { status: r.status, setCookie: r.headers.get("set-cookie"), retryAfter: r.headers.get("retry-after") };
    };
    for (let i = 0; i < 5; i++) assert.equal((await attempt("wrong-password")).status, 401, `attempt ${i + 1}`);
    const s = await attempt(own.adminPassword);
    assert.equal(s.status, 429);
    assert.equal(s.setCookie, null);
    assert.ok(Number(s.retryAfter) >= 1, `Retry-After: ${s.retryAfter}`);
  } finally {
    await own.stop();
  }
});
