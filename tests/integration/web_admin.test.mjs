// The admin console (/-/admin) over HTTP, as a browser uses it: sign in with a password, read the
// CSRF token from the page, post forms. Checks that only site administrators see it (everyone else
// gets 404), that its forms change what they say (users, passwords, admin flag, organizations,
// tokens, invitations, hardware grants) and that a form without its CSRF token changes nothing.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startHub, uniqueName } from "./harness.mjs";
import { HAVE_BWRAP, HELLO_APP, createSpace, waitStage } from "./runtime_lib.mjs";
import { csrfOf, getPage, mustSignIn as webMustSignIn, postForm, signIn as webSignIn } from "./web_lib.mjs";

let hub;

before(async () => {
  hub = await startHub({ args: ["--space-runtime", "none", "--signup", "invitation"] });
  assert.ok(hub.adminPassword, "serve printed no ADMIN_PASSWORD");
});

after(async () => {
  await hub?.stop();
});

// --- a tiny browser -------------------------------------------------------------------------

const signIn = (username, password, on = hub) => webSignIn(on, username, password);
const mustSignIn = (username, password, on = hub) => webMustSignIn(on, username, password);
const get = (path, cookie, on = hub) => getPage(on, path, cookie);

async function csrfFor(cookie, path = "/-/admin/users") {
  const page = await get(path, cookie);
  assert.equal(page.status, 200, `${path}: ${page.status}`);
  return csrfOf(page.text);
}

// Posts a form; `csrf` undefined: the field is left out.
async function post(path, cookie, fields, csrf) {
  const body = new URLSearchParams(fields);
  if (csrf !== undefined) body.set("_csrf", csrf);
  return postForm(hub, path, cookie, body);
}

const unescape = (s) => s.replace(/&amp;/g, "&").replace(/&#x3D;|&#61;/g, "=").replace(/&quot;/g, '"');

let adminCookie;
async function admin() {
  adminCookie ??= await mustSignIn("admin", hub.adminPassword);
  return adminCookie;
}

// --- tests -------------------------------------------------------------------------------------

test("only a site administrator sees the console; everyone else gets 404", async () => {
  // Signed out: 404, not a redirect to sign in (the console's existence is not given away).
  for (const p of ["/-/admin", "/-/admin/users", "/-/admin/hardware", "/-/admin/spaces"]) {
    const r = await get(p);
    assert.equal(r.status, 404, `${p} signed out: ${r.status}`);
  }
  await hub.admin(["user", "create", "plain"]);
  const pw = (await hub.admin(["user", "set-password", "plain", "--random"])).trim();
  const cookie = await mustSignIn("plain", pw);
  for (const p of ["/-/admin", "/-/admin/users", "/-/admin/orgs", "/-/admin/tokens",
                   "/-/admin/invitations", "/-/admin/hardware", "/-/admin/spaces"]) {
    const r = await get(p, cookie);
    assert.equal(r.status, 404, `${p} as a non-admin: ${r.status}`);
  }
  // A non-admin's own valid CSRF token does not open a form either.
  const csrf = csrfOf((await get("/settings/tokens", cookie)).text);
  const r = await post("/-/admin/users", cookie, { name: "sneaky", password: "longenough1" }, csrf);
  assert.equal(r.status, 404);
  assert.equal((await signIn("sneaky", "longenough1")).status, 401);
  // Nor does the admin's token: the console takes browser sessions only.
  const t = await hub.api("GET", "/-/admin/users", { token: hub.token });
  assert.equal(t.status, 404);
  // The layout links the console for admins only.
  assert.ok(!(await get("/", cookie)).text.includes('href="/-/admin"'));
  assert.ok((await get("/", await admin())).text.includes('href="/-/admin"'));
});

test("the admin creates a user with a password, resets it, and the old session ends", async () => {
  const cookie = await admin();
  const root = await get("/-/admin", cookie);
  assert.equal(root.status, 303);
  assert.equal(root.location, "/-/admin/users");
  const csrf = await csrfFor(cookie);
  const created = await post("/-/admin/users", cookie, { name: "carol", password: "carol-first-pw" }, csrf);
  assert.equal(created.status, 303, created.text);
  assert.equal(created.location, "/-/admin/users");
  assert.match((await get("/-/admin/users", cookie)).text, /data-user="carol"/);

  const carol = await mustSignIn("carol", "carol-first-pw");
  assert.equal((await get("/settings/tokens", carol)).status, 200);

  const reset = await post("/-/admin/users/carol/password", cookie, { password: "carol-second-pw" }, csrf);
  assert.equal(reset.status, 303, reset.text);
  // The old session is gone: the settings page now sends carol to sign in.
  const after = await get("/settings/tokens", carol);
  assert.equal(after.status, 303);
  assert.match(after.location, /^\/login/);
  assert.equal((await signIn("carol", "carol-first-pw")).status, 401);
  await mustSignIn("carol", "carol-second-pw");
});

test("a password left empty is generated and shown once", async () => {
  const cookie = await admin();
  const csrf = await csrfFor(cookie);
  const r = await post("/-/admin/users", cookie, { name: "dave", password: "" }, csrf);
  assert.equal(r.status, 200, r.text);
  const m = /id="new-password">([^<]+)</.exec(r.text);
  assert.ok(m, "no generated password on the answer page");
  await mustSignIn("dave", unescape(m[1]));
  assert.ok(!(await get("/-/admin/users", cookie)).text.includes(m[1]), "password shown again");

  const reset = await post("/-/admin/users/dave/password", cookie, {}, csrf);
  assert.equal(reset.status, 200);
  const again = /id="new-password">([^<]+)</.exec(reset.text);
  assert.ok(again && again[1] !== m[1]);
  await mustSignIn("dave", unescape(again[1]));
});

test("bad input is refused with a clear page and writes nothing", async () => {
  const cookie = await admin();
  const csrf = await csrfFor(cookie);
  // Too short a password: no user is created.
  const short = await post("/-/admin/users", cookie, { name: "erin", password: "short" }, csrf);
  assert.equal(short.status, 400);
  assert.match(short.text, /id="error-message"/);
  assert.ok(!(await get("/-/admin/users", cookie)).text.includes('data-user="erin"'));
  // An invalid name.
  assert.equal((await post("/-/admin/users", cookie, { name: "-", password: "long-enough-pw" }, csrf)).status, 400);
  // A taken name.
  assert.equal((await post("/-/admin/users", cookie, { name: "carol", password: "long-enough-pw" }, csrf)).status, 409);
  // An unknown user's password.
  assert.equal((await post("/-/admin/users/nobody/password", cookie, { password: "long-enough-pw" }, csrf)).status, 404);
  // An admin cannot remove their own admin flag.
  const self = await post("/-/admin/users/admin/admin", cookie, { admin: "false" }, csrf);
  assert.equal(self.status, 400);
  assert.match(self.text, /your own administrator/);
  assert.equal((await get("/-/admin/users", cookie)).status, 200);
});

test("a form without its CSRF token is refused (403) and changes nothing", async () => {
  const cookie = await admin();
  const r = await post("/-/admin/users", cookie, { name: "mallory", password: "mallory-pw-123" });
  assert.equal(r.status, 403);
  const wrong = await post("/-/admin/users", cookie, { name: "mallory", password: "mallory-pw-123" }, "x".repeat(64));
  assert.equal(wrong.status, 403);
  assert.ok(!(await get("/-/admin/users", cookie)).text.includes('data-user="mallory"'));
  assert.equal((await signIn("mallory", "mallory-pw-123")).status, 401);
  // Another site's form (Origin) is refused even with the token.
  const csrf = await csrfFor(cookie);
  const res = await fetch(`${hub.endpoint}/-/admin/hardware/grant`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://evil.example", Cookie: cookie },
    body: new URLSearchParams({ _csrf: csrf, account: "carol", flavor: "*" }),
    redirect: "manual",
  });
  assert.equal(res.status, 403);
  assert.equal(await hub.admin(["hardware", "grants", "carol"]), "");
});

test("making and unmaking a site admin", async () => {
  const cookie = await admin();
  const csrf = await csrfFor(cookie);
  assert.equal((await post("/-/admin/users/dave/admin", cookie, { admin: "true" }, csrf)).status, 303);
  const pw = (await hub.admin(["user", "set-password", "dave", "--random"])).trim();
  const dave = await mustSignIn("dave", pw);
  assert.equal((await get("/-/admin/users", dave)).status, 200);
  assert.equal((await post("/-/admin/users/dave/admin", cookie, { admin: "false" }, csrf)).status, 303);
  assert.equal((await get("/-/admin/users", dave)).status, 404);
  assert.equal((await post("/-/admin/users/dave/admin", cookie, { admin: "maybe" }, csrf)).status, 400);
});

test("organizations: create, add a member with a role, remove", async () => {
  const cookie = await admin();
  const csrf = await csrfFor(cookie, "/-/admin/orgs");
  const created = await post("/-/admin/orgs", cookie, { name: "team" }, csrf);
  assert.equal(created.status, 303);
  assert.equal(created.location, "/-/admin/orgs/team");
  assert.equal((await post("/-/admin/orgs/team/members", cookie, { user: "carol", role: "read" }, csrf)).status, 303);
  let page = await get("/-/admin/orgs/team", cookie);
  assert.match(page.text, /data-member="carol"[\s\S]*?read/);
  // The org's public page agrees.
  assert.match((await get("/team", cookie)).text, /carol/);
  assert.equal((await post("/-/admin/orgs/team/members", cookie, { user: "carol", role: "owner" }, csrf)).status, 400);
  assert.equal((await post("/-/admin/orgs/team/members", cookie, { user: "nobody", role: "read" }, csrf)).status, 404);
  assert.equal((await post("/-/admin/orgs/team/members/carol/delete", cookie, {}, csrf)).status, 303);
  page = await get("/-/admin/orgs/team", cookie);
  assert.ok(!page.text.includes('data-member="carol"'));
  assert.equal((await get("/-/admin/orgs/carol", cookie)).status, 404, "a user is not an organization");
  assert.match((await get("/-/admin/orgs", cookie)).text, /\/-\/admin\/orgs\/team/);
});

test("tokens: every user's, with owner; the admin revokes one", async () => {
  const cookie = await admin();
  const token = (await hub.admin(["token", "create", "carol", "--role", "read", "--name", "laptop"])).trim();
  assert.equal((await hub.api("GET", "/api/whoami-v2", { token })).status, 200);
  const page = await get("/-/admin/tokens", cookie);
  const m = /data-token="(\d+)"><td><a href="\/carol">carol<\/a><\/td><td>laptop<\/td><td>read/.exec(page.text);
  assert.ok(m, "carol's token is not listed with its owner and role");
  const csrf = csrfOf(page.text);
  assert.equal((await post(`/-/admin/tokens/${m[1]}/delete`, cookie, {}, csrf)).status, 303);
  assert.equal((await hub.api("GET", "/api/whoami-v2", { token })).status, 401);
  assert.equal((await post(`/-/admin/tokens/${m[1]}/delete`, cookie, {}, csrf)).status, 404);
  assert.equal((await post(`/-/admin/tokens/12abc/delete`, cookie, {}, csrf)).status, 404);
});

test("invitations: the link is shown once and opens the sign-up page", async () => {
  const cookie = await admin();
  const page = await get("/-/admin/invitations", cookie);
  assert.match(page.text, /id="signup-policy">invitation</);
  const csrf = csrfOf(page.text);
  assert.equal((await post("/-/admin/invitations", cookie, { days: "0" }, csrf)).status, 400);
  const r = await post("/-/admin/invitations", cookie, { days: "2" }, csrf);
  assert.equal(r.status, 200);
  const m = /id="new-invitation">[^<]*\/join\?invitation=([A-Za-z0-9]+)</.exec(r.text);
  assert.ok(m, "no invitation link on the answer page");
  // The code signs up one account.
  const join = await fetch(`${hub.endpoint}/join`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: hub.endpoint },
    body: new URLSearchParams({ username: "invited", password: "invited-pw-123", password_again: "invited-pw-123", invitation: m[1] }),
    redirect: "manual",
  });
  await join.arrayBuffer();
  assert.equal(join.status, 303);
  await mustSignIn("invited", "invited-pw-123");
});

test("hardware: the catalog, and a grant lets the account request the flavor", async () => {
  const cookie = await admin();
  const carolToken = await (async () => {
    const out = await hub.admin(["token", "create", "carol", "--role", "write"]);
    return out.trim();
  })();
  const created = await hub.api("POST", "/api/repos/create", {
    token: carolToken, json: { type: "space", sdk: "static", name: "box" },
  });
  assert.equal(created.status, 200, created.text);
  const ask = () => hub.api("POST", "/api/spaces/carol/box/hardware", { token: carolToken, json: { flavor: "cpu-upgrade" } });
  assert.equal((await ask()).status, 403);

  let page = await get("/-/admin/hardware", cookie);
  assert.match(page.text, /data-flavor="cpu-basic"/);
  assert.match(page.text, /data-flavor="cpu-upgrade"/);
  const csrf = csrfOf(page.text);
  // An unknown flavor or account changes nothing.
  assert.equal((await post("/-/admin/hardware/grant", cookie, { account: "carol", flavor: "h999" }, csrf)).status, 400);
  assert.equal((await post("/-/admin/hardware/grant", cookie, { account: "nobody", flavor: "cpu-upgrade" }, csrf)).status, 404);
  assert.equal(await hub.admin(["hardware", "grants", "carol"]), "");

  assert.equal((await post("/-/admin/hardware/grant", cookie, { account: "carol", flavor: "cpu-upgrade" }, csrf)).status, 303);
  page = await get("/-/admin/hardware", cookie);
  assert.match(page.text, /data-grant="carol:cpu-upgrade"/);
  assert.equal(await hub.admin(["hardware", "grants", "carol"]), "carol cpu-upgrade");
  const granted = await ask();
  assert.equal(granted.status, 200, granted.text);
  assert.equal(granted.json.hardware.requested, "cpu-upgrade");

  // The Spaces page shows it with its stage and hardware.
  const spaces = await get("/-/admin/spaces", cookie);
  assert.equal(spaces.status, 200);
  assert.match(spaces.text, /data-space="carol\/box"[\s\S]*?class="badge stage-[A-Z_]+"[\s\S]*?cpu-upgrade/);

  assert.equal((await post("/-/admin/hardware/revoke", cookie, { account: "carol", flavor: "cpu-upgrade" }, csrf)).status, 303);
  assert.ok(!(await get("/-/admin/hardware", cookie)).text.includes('data-grant="carol:cpu-upgrade"'));
  assert.equal(await hub.admin(["hardware", "grants", "carol"]), "");
});

test("the Spaces page samples a running Space's usage", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  const local = await startHub({ args: ["--space-runtime", "local"] });
  try {
    const name = uniqueName("usage");
    await createSpace(local, name, [{ path: "app.py", content: HELLO_APP }]);
    await waitStage(local, name, ["RUNNING"]);
    const cookie = await mustSignIn("admin", local.adminPassword, local);
    const page = await get("/-/admin/spaces", cookie, local);
    assert.equal(page.status, 200);
    const row = new RegExp(`<tr data-space="admin/${name}" data-sampled="true">[\\s\\S]*?</tr>`).exec(page.text);
    assert.ok(row, "the running Space was not sampled");
    assert.match(row[0], /stage-RUNNING/);
    assert.match(row[0], /cpu-basic/);
  } finally {
    await local.stop();
  }
});
