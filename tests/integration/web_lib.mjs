// A tiny browser for the web UI's HTTP-level tests: sign in through the /login form, keep the
// session cookie, read a page's CSRF token, post forms the way a browser does (same Origin, the
// cookie, no redirect following). The end-to-end tests in a real browser use browser_lib.mjs.
import assert from "node:assert/strict";

/** The session cookie ("name=value") a response sets, or "". */
export function cookieOf(res) {
  const all = res.headers.getSetCookie?.() ?? [res.headers.get("set-cookie") ?? ""];
  for (const c of all) {
    const m = /^((?:__Host-)?spacehub_session=[^;]+)/.exec(c);
    if (m) return m[1];
  }
  return "";
}

/** POST /login; resolves to {status, cookie}. */
export async function signIn(hub, username, password) {
  const res = await fetch(`${hub.endpoint}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: hub.endpoint },
    body: new URLSearchParams({ username, password }),
    redirect: "manual",
  });
  await res.arrayBuffer();
  return { status: res.status, cookie: cookieOf(res) };
}

/** Signs in or fails the test; resolves to the session cookie. */
export async function mustSignIn(hub, username, password) {
  const r = await signIn(hub, username, password);
  assert.equal(r.status, 303, `sign-in of ${username} answered ${r.status}`);
  assert.ok(r.cookie, `no session cookie for ${username}`);
  return r.cookie;
}

/** GET without following redirects: {status, location, headers, text}. */
export async function getPage(hub, path, cookie) {
  const res = await fetch(`${hub.endpoint}${path}`, {
    headers: cookie ? { Cookie: cookie } : {},
    redirect: "manual",
  });
  return { status: res.status, location: res.headers.get("location"), headers: res.headers, text: await res.text() };
}

/** The CSRF token of a page's forms. */
export function csrfOf(html) {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, "no _csrf field on the page");
  return m[1];
}

/** Posts a body (URLSearchParams or FormData) as a browser does: same origin, the cookie. */
export async function postForm(hub, path, cookie, body) {
  const res = await fetch(`${hub.endpoint}${path}`, {
    method: "POST",
    headers: { Origin: hub.endpoint, ...(cookie ? { Cookie: cookie } : {}) },
    body,
    redirect: "manual",
  });
  return { status: res.status, location: res.headers.get("location"), text: await res.text() };
}
