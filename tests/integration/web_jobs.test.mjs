// The job pages and the usage page in Debian's Chromium (issue #16): huggingface_hub prints
// `{endpoint}/jobs/{owner}/{id}` for every job, so that page must exist. A job run through the API
// in a Space's environment is followed live on its page to COMPLETED with its log, and no secret
// value is ever in the HTML; another user gets the 404 page; a long job is canceled from its page
// (CSRF-checked) and turns CANCELED; the admin console's usage page lists the admin's usage and is a
// 404 to anyone else. Screenshots go to the artifacts directory; axe-core runs on each page.
//
// Waits are for what the page or the API shows, bounded; nothing sleeps.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { checkAxe, launchBrowser, newPage, screenshot, signIn } from "./browser_lib.mjs";
import { startHub, uniqueName } from "./harness.mjs";
import { HAVE_BWRAP, HELLO_APP, RUNTIME_ARGS, createSpace, waitStage } from "./runtime_lib.mjs";
import { csrfOf, getPage, mustSignIn, postForm } from "./web_lib.mjs";

const SECRET = "sk_web_job_SECRET_7351";
const JOB_WAIT_MS = 90_000;
const skip = !HAVE_BWRAP && "bubblewrap is not installed";

let hub;
let browser;
let space;
let mallory;
let malloryPassword;

before(async () => {
  if (skip) return;
  [hub, browser] = await Promise.all([startHub({ args: RUNTIME_ARGS }), launchBrowser()]);
  space = uniqueName("jobweb");
  await createSpace(hub, space, [{ path: "app.py", content: HELLO_APP }]);
  await waitStage(hub, space, ["RUNNING"]);
  mallory = uniqueName("mallory");
  await hub.createUser(mallory);
  malloryPassword = (await hub.admin(["user", "set-password", mallory, "--random"])).trim().split("\n").pop();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

const url = (p) => `${hub.endpoint}${p}`;

async function runJob(spec) {
  const r = await hub.api("POST", "/api/jobs/admin", {
    token: hub.token,
    json: { spaceId: `admin/${space}`, arguments: [], environment: {}, flavor: "cpu-basic", ...spec },
  });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function jobStage(id) {
  const r = await hub.api("GET", `/api/jobs/admin/${id}`, { token: hub.token });
  assert.equal(r.status, 200, r.text);
  return r.json.status.stage;
}

// The page's stage badge shows one of `stages` (it follows the events stream: no reload).
async function waitForStage(page, stages, timeout = JOB_WAIT_MS) {
  await page.waitForFunction((wanted) => wanted.includes(document.querySelector("#stage")?.dataset.stage), [].concat(stages), {
    timeout,
    polling: 100,
  });
}

// Console errors other than the answers a test asked for on purpose (401, 403, 404 documents).
const unexpected = (errors) => errors.filter((e) => !/Failed to load resource: the server responded with a status of 40[0134]/.test(e));

async function assertAccessible(page, what) {
  assert.deepEqual(await checkAxe(page), [], `${what}: serious or critical accessibility violations`);
}

let completedId;

test("a job's page follows it to COMPLETED with its log, and never shows a secret value", { skip }, async (t) => {
  const job = await runJob({
    command: ["python", "-c", "import os; print('hello from the job', os.environ['GREETING']); print('secret', os.environ['MY_SECRET'])"],
    environment: { GREETING: "world" },
    secrets: { MY_SECRET: SECRET },
    labels: { team: "web" },
  });
  completedId = job.id;
  const { page, errors } = await newPage(browser, t);
  await signIn(page, hub, "admin");
  // Opened at once: the job is still scheduling or running, and the page follows it without a reload.
  await page.goto(url(`/jobs/admin/${job.id}`));
  await page.evaluate(() => {
    window.__noReload = true;
  });
  await waitForStage(page, "COMPLETED");
  assert.equal(await page.evaluate(() => window.__noReload), true, "the page reloaded");
  await page.locator("#log-view").filter({ hasText: "hello from the job world" }).waitFor({ timeout: 30_000 });
  await page.locator("#log-view").filter({ hasText: "secret ***" }).waitFor();
  await page.locator("#job-exit-code").filter({ hasText: "0" }).waitFor();
  assert.equal((await page.locator("#job-secrets").textContent()).trim(), "MY_SECRET");
  assert.match(await page.locator("#job-command").textContent(), /^python -c /);
  assert.ok(!(await page.content()).includes(SECRET), "the secret value is in the live page");
  // The log's lines appear once, though the page was rendered with them and the stream replays them.
  assert.equal((await page.locator("#log-view").textContent()).split("hello from the job").length - 1, 1);
  await screenshot(page, "job-completed");
  await assertAccessible(page, "job page");
  assert.deepEqual(unexpected(errors), []);

  // As served (no script): the stored log and the secret's name, never its value.
  const cookie = await mustSignIn(hub, "admin", hub.adminPassword);
  const html = await getPage(hub, `/jobs/admin/${job.id}`, cookie);
  assert.equal(html.status, 200);
  assert.match(html.text, /<pre class="log" id="log-view"[^>]*>[^<]*hello from the job world/);
  assert.match(html.text, /MY_SECRET/);
  assert.ok(!html.text.includes(SECRET), "the secret value is in the served HTML");
  assert.doesNotMatch(html.text, /id="cancel-job"/, "a finished job offers a cancel button");

  // The namespace's list links it, and the account page links the list.
  await page.goto(url("/admin"));
  await Promise.all([page.waitForURL(url("/jobs/admin")), page.click("#jobs-link")]);
  const row = page.locator(`#job-list tr[data-job="${job.id}"]`);
  await row.filter({ hasText: "COMPLETED" }).waitFor();
  await screenshot(page, "jobs-list");
  await assertAccessible(page, "jobs list");
  await Promise.all([page.waitForURL(url(`/jobs/admin/${job.id}`)), row.locator("a").click()]);
  assert.deepEqual(unexpected(errors), []);
});

test("another user gets the 404 page for the admin's jobs; a signed-out visitor is sent to sign in", { skip }, async (t) => {
  assert.ok(completedId, "the first test ran no job");
  const { page } = await newPage(browser, t);
  await signIn(page, hub, mallory, malloryPassword);
  for (const p of [`/jobs/admin/${completedId}`, "/jobs/admin"]) {
    const res = await page.goto(url(p));
    assert.equal(res.status(), 404, p);
    assert.ok(!(await page.content()).includes("hello from the job"), p);
  }
  const own = await page.goto(url(`/jobs/${mallory}`));
  assert.equal(own.status(), 200);
  await page.locator("#no-jobs").waitFor();
  await page.goto(url("/admin"));
  assert.equal(await page.locator("#jobs-link").count(), 0, "a link to jobs one may not see");
  // Her own session and token cannot cancel it either.
  const cookie = await mustSignIn(hub, mallory, malloryPassword);
  const csrf = csrfOf((await getPage(hub, `/jobs/${mallory}`, cookie)).text);
  const post = await postForm(hub, `/jobs/admin/${completedId}/cancel`, cookie, new URLSearchParams({ _csrf: csrf }));
  assert.equal(post.status, 404);
  const anon = await getPage(hub, `/jobs/admin/${completedId}`);
  assert.equal(anon.status, 303);
  assert.match(anon.location, /^\/login\?next=/);
  assert.equal((await getPage(hub, "/jobs/admin/ffffffffffffffffffffffff", cookie)).status, 404);
});

test("a long job is canceled from its page (with the CSRF token) and turns CANCELED", { skip }, async (t) => {
  const job = await runJob({ command: ["sh", "-c", "echo started; exec sleep 600"] });
  const { page, errors } = await newPage(browser, t);
  await signIn(page, hub, "admin");
  await page.goto(url(`/jobs/admin/${job.id}`));
  await waitForStage(page, "RUNNING");
  await page.locator("#log-view").filter({ hasText: "started" }).waitFor({ timeout: 30_000 });
  await page.locator("#cancel-job").waitFor();
  await screenshot(page, "job-running");
  await assertAccessible(page, "running job page");

  // Without the token, or with a wrong one, nothing happens.
  const cookie = await mustSignIn(hub, "admin", hub.adminPassword);
  for (const body of [new URLSearchParams(), new URLSearchParams({ _csrf: "0".repeat(64) })]) {
    const r = await postForm(hub, `/jobs/admin/${job.id}/cancel`, cookie, body);
    assert.equal(r.status, 403, r.text);
  }
  assert.equal(await jobStage(job.id), "RUNNING");

  await Promise.all([page.waitForURL(url(`/jobs/admin/${job.id}`)), page.click("#cancel-job")]);
  await waitForStage(page, "CANCELED", 30_000);
  assert.equal(await jobStage(job.id), "CANCELED");
  await page.locator("#cancel-form").waitFor({ state: "hidden" });
  // The durations are the final ones, not those of when the page loaded.
  await page.locator("[data-job-field=durations]").filter({ hasNotText: "when this page loaded" }).waitFor();
  await page.locator("#log-status").filter({ hasText: "End of the log." }).waitFor();
  await screenshot(page, "job-canceled");
  assert.deepEqual(unexpected(errors), []);
});

test("a Space's log tab shows each line once: the stream's replay replaces the rendered lines", { skip }, async (t) => {
  const { page, errors } = await newPage(browser, t);
  await signIn(page, hub, "admin");
  await page.goto(url(`/spaces/admin/${space}/logs?log=run`));
  const first = (await page.locator("#log-view").textContent()).split("\n")[0];
  assert.ok(first, "the run log is empty");
  // Lines from the stream are <span>s: once one is there, the replay has replaced the rendered text.
  await page.locator("#log-view span").first().waitFor();
  assert.equal((await page.locator("#log-view").textContent()).split(first).length - 1, 1, first);
  assert.deepEqual(unexpected(errors), []);
});

test("the admin's usage page lists the admin's Space and job time; it is a 404 to anyone else", { skip }, async (t) => {
  const { page, errors } = await newPage(browser, t);
  await signIn(page, hub, "admin");
  await page.goto(url("/-/admin/usage"));
  await page.locator('#usage-list tr[data-usage="admin:cpu-basic:Job"]').waitFor();
  await page.locator('#usage-list tr[data-usage="admin:cpu-basic:Space"]').waitFor();
  const runs = await page.locator('#usage-list tr[data-usage="admin:cpu-basic:Job"] td:nth-child(4)').textContent();
  assert.ok(Number(runs) >= 2, `job runs: ${runs}`);
  await screenshot(page, "admin-usage");
  await assertAccessible(page, "usage page");
  for (const since of ["7d", "all"]) {
    await page.click(`#usage-since a[href$="since=${since}"]`);
    await page.waitForURL(url(`/-/admin/usage?since=${since}`));
    await page.locator('#usage-list tr[data-usage="admin:cpu-basic:Job"]').waitFor();
    assert.equal(await page.locator("#usage-since [aria-current=page]").getAttribute("href"), `/-/admin/usage?since=${since}`);
  }
  const bad = await page.goto(url("/-/admin/usage?since=forever"));
  assert.equal(bad.status(), 400);
  assert.deepEqual(unexpected(errors), []);

  const cookie = await mustSignIn(hub, mallory, malloryPassword);
  assert.equal((await getPage(hub, "/-/admin/usage", cookie)).status, 404);
  assert.equal((await getPage(hub, "/-/admin/usage")).status, 404);
  const admin = await mustSignIn(hub, "admin", hub.adminPassword);
  assert.match((await getPage(hub, "/-/admin/users", admin)).text, /href="\/-\/admin\/usage"/);
});
