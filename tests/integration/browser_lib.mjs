// Browser helpers for the web UI's end-to-end tests: Debian's Chromium, headless, through
// playwright-core (Playwright's own browser downloads are unreachable from CI machines).
//
//   const browser = await launchBrowser();          // one per test file; after(() => browser.close())
//   test("home", async (t) => {
//     const { page, errors } = await newPage(browser, t);   // a fresh context, closed after t
//     await signIn(page, hub, "admin", hub.adminPassword);
//     await page.goto(`${hub.endpoint}/`);
//     await screenshot(page, "home");
//     assert.deepEqual(await checkAxe(page), []);
//     assert.deepEqual(errors, []);                  // console errors, page errors, CSP violations
//   });
//   await withBrowser(async (browser) => { ... }); // launch, run, always close
//
// Only loopback: the browser resolves localhost, *.localhost (Space origins) and 127.0.0.1 and
// nothing else, so a page that reaches for a CDN fails the test instead of leaving the machine.
//
// Environment: SPACEHUB_CHROMIUM (default /usr/bin/chromium), SPACEHUB_ARTIFACTS (directory for
// screenshots; default <repo>/build/artifacts/screenshots).
// Each test file runs in its own node process; nothing here is shared between files.

import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";
import { REPO_ROOT } from "./harness.mjs";

export const CHROMIUM = process.env.SPACEHUB_CHROMIUM || "/usr/bin/chromium";
export const ARTIFACTS_DIR = process.env.SPACEHUB_ARTIFACTS
  ? path.resolve(process.env.SPACEHUB_ARTIFACTS)
  : path.join(REPO_ROOT, "build", "artifacts", "screenshots");

// Bounded so that a missing element fails the test in seconds, with room for two test files
// sharing two cores with a hub each. A test that waits for something slow (a Space build) passes
// its own timeout to that one wait.
export const ACTION_TIMEOUT_MS = 15_000;
export const NAVIGATION_TIMEOUT_MS = 30_000;
const LAUNCH_TIMEOUT_MS = 60_000;

const LOOPBACK_ONLY =
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1";

/** Launch headless Chromium. Close it with `await browser.close()`. */
export function launchBrowser() {
  const args = [LOOPBACK_ONLY, "--disable-dev-shm-usage"];
  // Chromium's sandbox needs user namespaces that root in a container lacks; as another user keep it.
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: LAUNCH_TIMEOUT_MS });
}

/** Launch a browser, run fn(browser), and close the browser however fn ends. */
export async function withBrowser(fn) {
  const browser = await launchBrowser();
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/**
 * A page in a fresh context (own cookies and storage), so tests never see each other's sessions.
 * With a node:test context `t` the context closes when t ends; otherwise call close().
 * `errors` collects console errors (CSP violations are reported there by Chromium) and uncaught
 * page errors, as strings, for tests to assert empty. contextOptions go to browser.newContext.
 * Resolves to {page, context, errors, close}.
 */
export async function newPage(browser, t, contextOptions = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    timezoneId: "UTC",
    colorScheme: "light",
    reducedMotion: "reduce",
    ...contextOptions,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const at = msg.location()?.url;
    errors.push(`console: ${msg.text()}${at ? ` (${at})` : ""}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  const close = () => context.close();
  t?.after(close);
  return { page, context, errors, close };
}

/** Save a full-page PNG as <ARTIFACTS_DIR>/<name>.png; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${String(name).replace(/[^A-Za-z0-9._-]+/g, "_")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let axeSource;
const SERIOUS = new Set(["serious", "critical"]);

/**
 * Run axe-core on the page as it is now; resolves to the serious and critical violations as
 * [{id, impact, help, targets}] (empty when clean).
 *
 * axe is evaluated through the DevTools protocol (page.evaluate with its source), not added as a
 * <script>: the hub's CSP (`script-src 'self'`) blocks page.addScriptTag({content}) and would log
 * a CSP violation, while DevTools evaluation is not subject to the page's CSP. So the page is
 * audited under its real policy, in the test's own context, with no bypassCSP.
 * Embedded frames (a Space's app, on its own origin) are left out: they are the Space owner's
 * content, and axe would wait for an answer from each frame that has no axe in it.
 */
export async function checkAxe(page, { rules } = {}) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource);
  const result = await page.evaluate(
    (options) => window.axe.run(document, options),
    { iframes: false, resultTypes: ["violations"], ...(rules ? { runOnly: { type: "rule", values: rules } } : {}) },
  );
  return result.violations
    .filter((v) => SERIOUS.has(v.impact))
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}

/**
 * Sign in through the form on /login: form#login with input[name=username] and
 * input[name=password]. Resolves once the page the hub redirects to has loaded; throws with the
 * status when the hub answers without a redirect (wrong password, throttled).
 * password defaults to hub.adminPassword for "admin".
 */
export async function signIn(page, hub, user, password) {
  password ??= user === "admin" ? hub.adminPassword : undefined;
  if (password === undefined) throw new Error(`signIn: no password for ${user}`);
  await page.goto(`${hub.endpoint}/login`);
  const form = page.locator("form#login");
  await form.locator("input[name=username]").fill(user);
  await form.locator("input[name=password]").fill(password);
  const posted = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login",
  );
  await form.locator("button:not([type]), button[type=submit], input[type=submit]").first().click();
  const response = await posted;
  if (response.status() < 300 || response.status() >= 400) {
    throw new Error(`signIn as ${user}: POST /login answered ${response.status()}, not a redirect`);
  }
  await page.waitForURL((u) => u.pathname !== "/login");
  await page.waitForLoadState("load");
}
