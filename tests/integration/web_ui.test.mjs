// The web UI end to end, in Debian's Chromium (issue 14): a Space's whole life from the browser —
// sign in, create it through the form, upload its app, watch BUILDING turn to RUNNING without a
// reload, use the app inside the page, add a variable and see the restart, read the build and run
// logs, pause and restart, duplicate, delete — and the visitors around it: another user gets 404 on
// the private Space, a form posted without its CSRF token is refused, a signed-out visitor uses a
// public Space. Screenshots of each main page go to the artifacts directory; axe-core runs on them.
//
// Waits are for what the page shows (a stage badge, a frame's text), bounded; nothing sleeps.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { checkAxe, launchBrowser, newPage, screenshot, signIn } from "./browser_lib.mjs";
import { commit, startHub, uniqueName } from "./harness.mjs";
import { HAVE_BWRAP, RUNTIME_ARGS } from "./runtime_lib.mjs";

const SPACE_WAIT_MS = 120_000;

// A standard-library app that shows its Space and the GREETING variable, and logs that it started.
const APP = `
import http.server, os
print("app starting for " + os.environ["SPACE_ID"], flush=True)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("<!doctype html><html lang=en><title>app</title><main>hello from " + os.environ["SPACE_ID"]
                + " greeting=" + os.environ.get("GREETING", "none") + "</main></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`;

let hub;
let browser;

before(async () => {
  [hub, browser] = await Promise.all([
    startHub({ args: [...(HAVE_BWRAP ? RUNTIME_ARGS : ["--space-runtime", "none"]), "--signup", "open"] }),
    launchBrowser(),
  ]);
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

const url = (p) => `${hub.endpoint}${p}`;

// The stage badge of the Space page shows `stage` (it follows the events stream: no reload).
async function waitForStage(page, stages, timeout = SPACE_WAIT_MS) {
  const list = [].concat(stages);
  await page.waitForFunction(
    (wanted) => wanted.includes(document.querySelector("#stage")?.dataset.stage),
    list,
    { timeout, polling: 100 },
  );
  return page.locator("#stage").getAttribute("data-stage");
}

// Console errors other than the answers a test asked for on purpose (401, 403, 404 documents).
const unexpected = (errors) =>
  errors.filter((e) => !/Failed to load resource: the server responded with a status of 40[134]/.test(e));

// Waits until the app frame of the Space page shows `text`. On a timeout the error says what the
// page and the hub were showing instead: the page's stage badge and message, the frame's address
// and text, the Space's runtime, the tails of its logs and of the hub's own log.
async function waitForApp(page, id, text, timeout = SPACE_WAIT_MS) {
  try {
    await page.frameLocator("#app-frame").locator("main").filter({ hasText: text }).waitFor({ timeout });
  } catch (e) {
    const quiet = (p) => p.catch((err) => `(unreadable: ${err.message.split("\n")[0]})`);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const lines = [
      `page: ${page.url()}`,
      `badge: ${await quiet(page.locator("#stage").getAttribute("data-stage", { timeout: 2000 }))}`,
      `frame src: ${await quiet(page.locator("#app-frame").getAttribute("src", { timeout: 2000 }))}`,
      `frame url: ${frame ? frame.url() : "(no frame)"}`,
      `frame text: ${frame ? await quiet(frame.locator("body").innerText({ timeout: 2000 })) : ""}`,
    ];
    const api = (p) => hub.api("GET", p, { token: hub.token, timeoutMs: 5000 }).then((r) => `${r.status} ${r.text.replace(/\n\n+/g, "\n").slice(-2000)}`);
    lines.push(`runtime: ${await quiet(api(`/api/spaces/${id}/runtime`))}`);
    lines.push(`build log: ${await quiet(api(`/api/spaces/${id}/logs/build?follow=false&tail=20`))}`);
    lines.push(`run log: ${await quiet(api(`/api/spaces/${id}/logs/run?follow=false&tail=20`))}`);
    e.message += `\n--- what the page and the hub showed ---\n${lines.join("\n")}\n${hub.diagnose()}`;
    throw e;
  }
}

async function assertAccessible(page, what) {
  const violations = await checkAxe(page);
  assert.deepEqual(violations, [], `${what}: serious or critical accessibility violations`);
}

test("a Space's life from the browser", { skip: !HAVE_BWRAP && "bubblewrap is not installed" }, async (t) => {
  const { page, errors } = await newPage(browser, t);
  await signIn(page, hub, "admin");
  await page.goto(url("/"));
  await screenshot(page, "home");
  await assertAccessible(page, "home");

  // Create a private Space through the form, empty (we upload the app next).
  const name = uniqueName("web");
  const id = `admin/${name}`;
  await page.goto(url("/new-space"));
  await screenshot(page, "new-space");
  await assertAccessible(page, "new Space form");
  await page.fill("#name", name);
  await page.check("#sdk-gradio");
  await page.check("#template-empty");
  await page.check("#visibility-private");
  await Promise.all([page.waitForURL(url(`/spaces/${id}`)), page.click("#create")]);

  // Upload app.py from the browser (Files tab → Upload).
  await page.goto(url(`/spaces/${id}/upload/main`));
  await page.setInputFiles("#upload-files", {
    name: "app.py",
    mimeType: "text/x-python",
    buffer: Buffer.from(APP),
  });
  await Promise.all([page.waitForURL((u) => !u.pathname.includes("/upload/")), page.click("#upload-form button[type=submit]")]);

  // BUILDING turns to RUNNING on the open page, without a reload (a marker on window survives).
  await page.goto(url(`/spaces/${id}`));
  await page.evaluate(() => {
    window.__noReload = true;
  });
  await waitForStage(page, "RUNNING");
  assert.equal(await page.evaluate(() => window.__noReload), true, "the page reloaded");
  await screenshot(page, "space-running");
  await assertAccessible(page, "Space page");
  await page.goto(url("/spaces"));
  await page.locator(".repo-list").filter({ hasText: id }).waitFor();
  await screenshot(page, "spaces-list");
  await page.goto(url(`/spaces/${id}`));

  // The app, inside the page, from its own origin.
  await waitForApp(page, id, `hello from ${id}`);
  const frameSrc = await page.locator("#app-frame").getAttribute("src");
  assert.ok(frameSrc.startsWith(`/spaces/${id}/app/?__sign=`), frameSrc); // a private Space: a visit grant
  const frameOrigin = new URL(page.frames().find((f) => f !== page.mainFrame()).url()).origin;
  assert.notEqual(frameOrigin, new URL(hub.endpoint).origin, "the app must not run on the hub's origin");

  // Add a variable: the Space restarts with it, and the app shows it.
  await page.goto(url(`/spaces/${id}/settings`));
  await screenshot(page, "space-settings");
  await assertAccessible(page, "Space settings");
  await page.fill("#variable-form input[name=key]", "GREETING");
  await page.fill("#variable-form input[name=value]", "bonjour");
  await Promise.all([page.waitForURL(/\/settings/), page.click("#variable-form button[type=submit]")]);
  await page.locator("#variable-list").filter({ hasText: "GREETING" }).waitFor();
  await page.goto(url(`/spaces/${id}`));
  await waitForApp(page, id, "greeting=bonjour");

  // The logs: build and run, live.
  await page.goto(url(`/spaces/${id}/logs?log=run`));
  await page.locator("#log-view").filter({ hasText: `app starting for ${id}` }).waitFor({ timeout: 30_000 });
  await screenshot(page, "space-logs");
  await assertAccessible(page, "Space logs");
  await page.click("#log-build");
  await page.waitForURL(/log=build/);
  assert.ok((await page.locator("#log-view").textContent()).length > 0, "the build log is empty");

  // Pause, then restart from the notice the paused page shows.
  await page.goto(url(`/spaces/${id}/settings`));
  await Promise.all([page.waitForURL(url(`/spaces/${id}`)), page.click("#pause")]);
  await waitForStage(page, "PAUSED", 30_000);
  await page.locator("#paused-notice").waitFor();
  await Promise.all([page.waitForURL(url(`/spaces/${id}`)), page.click("#restart-paused")]);
  await waitForStage(page, "RUNNING");

  // Duplicate with the settings form, then delete the copy (typing its name).
  const copy = `${name}-copy`;
  await page.goto(url(`/spaces/${id}/settings`));
  await page.fill("#duplicate-form input[name=name]", copy);
  await Promise.all([page.waitForURL(url(`/spaces/admin/${copy}`)), page.click("#duplicate-form button[type=submit]")]);
  await waitForStage(page, ["BUILDING", "APP_STARTING", "RUNNING"], 30_000);
  await page.goto(url(`/spaces/admin/${copy}/settings`));
  await page.fill("#delete-confirm", `admin/${copy}`);
  await Promise.all([page.waitForURL(url("/admin")), page.click("#delete-button")]);
  assert.equal((await page.goto(url(`/spaces/admin/${copy}`))).status(), 404);

  // A form posted without its CSRF token is refused, and changes nothing.
  const forged = await page.request.post(url(`/spaces/${id}/settings/variable`), {
    form: { key: "FORGED", value: "x" },
    headers: { Origin: hub.endpoint },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  await page.goto(url(`/spaces/${id}/settings`));
  assert.equal(await page.locator("#variable-list").filter({ hasText: "FORGED" }).count(), 0);

  // Another user does not see the private Space at all.
  const other = await newPage(browser, t);
  const bob = uniqueName("bob");
  await other.page.goto(url("/join"));
  await other.page.fill("#username", bob);
  await other.page.fill("#password", "correct horse battery");
  await other.page.fill("#password_again", "correct horse battery");
  await Promise.all([other.page.waitForURL(url("/")), other.page.click("form#join button[type=submit]")]);
  assert.equal((await other.page.goto(url(`/spaces/${id}`))).status(), 404);
  assert.equal((await other.page.goto(url(`/spaces/${id}/settings`))).status(), 404);
  assert.equal((await other.page.goto(url(`/spaces/${id}/logs`))).status(), 404);

  // Made public, a signed-out visitor uses it.
  await page.goto(url(`/spaces/${id}/settings`));
  await page.selectOption("#visibility select[name=visibility]", "public");
  await Promise.all([page.waitForURL(/settings/), page.click("#visibility button[type=submit]")]);
  const visitor = await newPage(browser, t);
  await visitor.page.goto(url(`/spaces/${id}`));
  await waitForApp(visitor.page, id, `hello from ${id}`);
  assert.equal(await visitor.page.locator("#tab-settings").count(), 0, "a visitor sees no Settings tab");
  await screenshot(visitor.page, "space-visitor");

  // Finally delete the Space itself.
  await page.goto(url(`/spaces/${id}/settings`));
  await page.fill("#delete-confirm", id);
  await Promise.all([page.waitForURL(url("/admin")), page.click("#delete-button")]);
  assert.equal((await page.goto(url(`/spaces/${id}`))).status(), 404);

  assert.deepEqual(unexpected(errors), [], "console errors on the hub's pages");
});

// A restart the page did not cause (an API call, another tab) can finish between two polls of the
// page's events stream, RUNNING before and after: the frame must still show the new version.
test("the app frame follows restarts made elsewhere, however quick", { skip: !HAVE_BWRAP && "bubblewrap is not installed" }, async (t) => {
  const name = uniqueName("follow");
  const id = `admin/${name}`;
  const created = await hub.api("POST", "/api/repos/create", { token: hub.token, json: { type: "space", name, sdk: "gradio", private: true } });
  assert.equal(created.status, 200, created.text);
  await commit(hub, { type: "space", id, files: [{ path: "app.py", content: APP }] });
  const { page, errors } = await newPage(browser, t);
  await signIn(page, hub, "admin");
  await page.goto(url(`/spaces/${id}`));
  await waitForApp(page, id, "greeting=none");
  for (const greeting of ["first", "second"]) {
    const set = await hub.api("POST", `/api/spaces/${id}/variables`, { token: hub.token, json: { key: "GREETING", value: greeting } });
    assert.equal(set.status, 200, set.text);
    await waitForApp(page, id, `greeting=${greeting}`);
  }
  // A new commit: a rollout, the old version serving until the new one answers.
  await commit(hub, { type: "space", id, files: [{ path: "app.py", content: APP.replace("hello from", "hello again from") }] });
  await waitForApp(page, id, `hello again from ${id} greeting=second`);
  assert.equal(await page.evaluate(() => document.querySelector("#app-frame").hidden), false);
  assert.deepEqual(unexpected(errors), [], "console errors on the hub's pages");
  const gone = await hub.api("DELETE", "/api/repos/delete", { token: hub.token, json: { type: "space", name } });
  assert.equal(gone.status, 200, gone.text);
});

test("pages for signed-out visitors: sign-in errors, lists, closed doors", async (t) => {
  const { page, errors } = await newPage(browser, t);
  await page.goto(url("/login"));
  await page.fill("#username", "admin");
  await page.fill("#password", "wrong password");
  const answer = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("form#login button[type=submit]")]);
  assert.equal(answer[0].status(), 401);
  await page.locator("#login-error").waitFor();
  await screenshot(page, "login-error");
  await assertAccessible(page, "sign-in page");

  for (const p of ["/spaces", "/models", "/datasets"]) {
    const r = await page.goto(url(p));
    assert.equal(r.status(), 200, p);
    await assertAccessible(page, p);
  }
  await screenshot(page, "datasets");
  // Pages that need a session send the visitor to sign in, and back afterwards.
  await page.goto(url("/settings/tokens"));
  assert.equal(new URL(page.url()).pathname, "/login");
  assert.equal(new URL(page.url()).searchParams.get("next"), "/settings/tokens");
  assert.deepEqual(unexpected(errors), []);
});
