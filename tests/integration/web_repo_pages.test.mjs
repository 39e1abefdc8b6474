// The repo pages (models, datasets, a Space's Files tab) over plain HTTP, as a browser without
// JavaScript uses them: the card's README rendered and sanitized, the file tree with sizes and LFS
// badges, the file view, history and a commit's diff, uploads (multipart) and edits that become
// commits the JSON API sees, forms refused without their CSRF token, and private repos that do not
// exist (404) for other users and for signed-out visitors.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { commit, createRepo, lfsUpload, repoSha, startHub } from "./harness.mjs";
import { csrfOf, getPage, mustSignIn as webMustSignIn, postForm } from "./web_lib.mjs";

let hub;
let adminCookie;

before(async () => {
  hub = await startHub({ args: ["--space-runtime", "none"] });
  assert.ok(hub.adminPassword, "serve printed no ADMIN_PASSWORD");
  adminCookie = await mustSignIn("admin", hub.adminPassword);
});

after(async () => {
  await hub?.stop();
});

// --- a tiny browser -------------------------------------------------------------------------

const mustSignIn = (username, password) => webMustSignIn(hub, username, password);

async function newUser(name) {
  const token = await hub.createUser(name);
  const password = (await hub.admin(["user", "set-password", name, "--random"])).trim();
  return { token, cookie: await mustSignIn(name, password) };
}

const get = (path, cookie) => getPage(hub, path, cookie);

async function page(path, cookie) {
  const r = await get(path, cookie);
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${r.headers.get("x-error-message") ?? ""}`);
  return r.text;
}

function fieldOf(html, name) {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(m, `no ${name} field on the page`);
  return m[1];
}

const post = (path, cookie, body) => postForm(hub, path, cookie, body);

function uploadForm(csrf, files, { folder = "", summary = "" } = {}) {
  const form = new FormData();
  if (csrf !== undefined) form.set("_csrf", csrf);
  form.set("folder", folder);
  form.set("summary", summary);
  for (const f of files) form.append("files", new Blob([f.content]), f.name);
  return form;
}

const decode = (s) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, "&");

// --- tests -------------------------------------------------------------------------------------

test("a model's card renders its README sanitized, with the card metadata beside it", async () => {
  assert.equal((await createRepo(hub, { name: "card" })).status, 200);
  const readme = [
    "---",
    "license: mit",
    "tags: [vision]",
    "---",
    "# Hello card",
    "",
    "<script>alert('readme')</script>",
    "",
    "[bad](javascript:alert(1)) [doc](docs/guide.md) ![pic](img/p.png)",
    "",
    '<img src="x" onerror="alert(2)">',
    "",
  ].join("\n");
  await commit(hub, { id: "admin/card", files: [{ path: "README.md", content: readme }] });

  const html = await page("/admin/card"); // public: signed out
  assert.match(html, /<h1[^>]*>Hello card<\/h1>/);
  assert.ok(!html.includes("<script>alert"), "raw <script> passed");
  assert.ok(!/href="javascript:/i.test(html), "javascript: link passed");
  assert.ok(!/onerror=/i.test(html), "event handler passed");
  assert.ok(html.includes('href="/admin/card/blob/main/docs/guide.md"'), "relative link not pointed into the repo");
  assert.ok(html.includes('src="/admin/card/resolve/main/img/p.png"'), "relative image not pointed into the repo");
  const meta = /id="card-meta"[\s\S]*?<\/details>/.exec(html);
  assert.ok(meta && meta[0].includes("license: mit"), "card metadata not shown");
  // The page's own script only, and the strict policy.
  const r = await get("/admin/card");
  assert.match(r.headers.get("content-security-policy"), /script-src 'self'/);

  // A repo without a README says so.
  assert.equal((await createRepo(hub, { name: "bare", type: "dataset" })).status, 200);
  assert.match(await page("/datasets/admin/bare"), /id="no-readme"/);
});

test("the tree lists folders first with sizes and LFS badges; the file view shows text", async () => {
  assert.equal((await createRepo(hub, { name: "files" })).status, 200);
  const big = Buffer.alloc(1500, "a");
  const weights = Buffer.from("\0\x01binary weights");
  const { oid, size } = await lfsUpload(hub, { id: "admin/files", data: weights });
  await commit(hub, {
    id: "admin/files",
    files: [
      { path: "a.txt", content: big },
      { path: "src/app.py", content: "if 1 < 2:\n    print('<b>hi</b>')\n" },
      { path: "src/deep/z.txt", content: "z" },
    ],
    lfsFiles: [{ path: "model.bin", oid, size }],
  });

  const tree = await page("/admin/files/tree/main");
  const rows = [...tree.matchAll(/<tr class="(dir|file)" data-path="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(rows, [["dir", "src"], ["file", ".gitattributes"], ["file", "a.txt"], ["file", "model.bin"]]);
  assert.match(tree, /a\.txt<\/a><\/td>\s*<td class="size">1\.5 kB<\/td>/);
  assert.match(tree, /model\.bin<\/a> <span class="badge lfs"/);

  const sub = await page("/admin/files/tree/main/src");
  assert.match(sub, /href="\/admin\/files\/tree\/main\/src\/deep"/);
  assert.match(sub, /href="\/admin\/files\/blob\/main\/src\/app\.py"/);
  assert.match(sub, /id="breadcrumbs"[\s\S]*href="\/admin\/files\/tree\/main">files<\/a>[\s\S]*aria-current="page">src</);

  const blob = await page("/admin/files/blob/main/src/app.py");
  const code = /<code class="language-python">([\s\S]*?)<\/code>/.exec(blob);
  assert.ok(code, "no highlighted code block");
  assert.ok(!code[1].includes("<b>"), "text not escaped");
  assert.equal(decode(code[1]), "if 1 < 2:\n    print('<b>hi</b>')\n");
  assert.match(blob, /href="\/static\/highlight\.css"/);
  assert.match(blob, /href="\/admin\/files\/raw\/main\/src\/app\.py"/);
  // The raw link serves exactly the file.
  assert.equal((await get("/admin/files/raw/main/src/app.py")).text, "if 1 < 2:\n    print('<b>hi</b>')\n");

  const lfs = await page("/admin/files/blob/main/model.bin");
  assert.match(lfs, /id="file-note">This file is stored with Git LFS/);
  // A folder under /blob/ and a file under /tree/ go where they belong.
  assert.equal((await get("/admin/files/blob/main/src")).location, "/admin/files/tree/main/src");
  assert.equal((await get("/admin/files/tree/main/a.txt")).location, "/admin/files/blob/main/a.txt");
  assert.equal((await get("/admin/files/blob/main/nope.txt")).status, 404);
  assert.equal((await get("/admin/files/tree/nobranch")).status, 404);
});

test("an upload (multipart) becomes one commit, binaries in LFS; no CSRF token, no commit", async () => {
  assert.equal((await createRepo(hub, { name: "up", type: "dataset" })).status, 200);
  const before = await repoSha(hub, { type: "dataset", id: "admin/up" });
  const form = await page("/datasets/admin/up/upload/main", adminCookie);
  const csrf = csrfOf(form);
  assert.match(form, /enctype="multipart\/form-data"/);

  // Without the token: 403 and nothing written.
  const bare = await post("/datasets/admin/up/upload/main", adminCookie, uploadForm(undefined, [{ name: "x.txt", content: "x" }]));
  assert.equal(bare.status, 403);
  const wrong = await post("/datasets/admin/up/upload/main", adminCookie, uploadForm("0".repeat(64), [{ name: "x.txt", content: "x" }]));
  assert.equal(wrong.status, 403);
  // A hostile file name: refused whole.
  const evil = await post("/datasets/admin/up/upload/main", adminCookie, uploadForm(csrf, [{ name: "../evil.txt", content: "x" }]));
  assert.equal(evil.status, 400);
  assert.equal(await repoSha(hub, { type: "dataset", id: "admin/up" }), before);

  const bin = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.alloc(2000, 7)]);
  const ok = await post(
    "/datasets/admin/up/upload/main",
    adminCookie,
    uploadForm(csrf, [{ name: "x.txt", content: "hello from the browser\n" }, { name: "w.bin", content: bin }], {
      folder: "data/train",
      summary: "web upload",
    }),
  );
  assert.equal(ok.status, 303, ok.text.slice(0, 500));
  assert.equal(ok.location, "/datasets/admin/up/tree/main/data/train");

  const commits = await hub.api("GET", "/api/datasets/admin/up/commits/main", { token: hub.token });
  assert.equal(commits.json[0].title, "web upload");
  assert.equal(commits.json.length, 2);
  const tree = await hub.api("GET", "/api/datasets/admin/up/tree/main/data/train", { token: hub.token });
  const byPath = Object.fromEntries(tree.json.map((e) => [e.path, e]));
  assert.ok(byPath["data/train/x.txt"] && !byPath["data/train/x.txt"].lfs);
  assert.ok(byPath["data/train/w.bin"].lfs, "a binary file was not stored in LFS");
  assert.equal(byPath["data/train/w.bin"].size, bin.length);
  const got = await hub.api("GET", "/datasets/admin/up/resolve/main/data/train/w.bin");
  assert.ok(got.bytes.equals(bin), "the LFS file does not download as uploaded");
  assert.equal((await hub.api("GET", "/datasets/admin/up/resolve/main/data/train/x.txt")).text, "hello from the browser\n");

  // The tree page shows it; the upload link knows the folder.
  const page2 = await page("/datasets/admin/up/tree/main/data/train", adminCookie);
  assert.match(page2, /w\.bin<\/a> <span class="badge lfs"/);
  assert.match(page2, /href="\/datasets\/admin\/up\/upload\/main\?folder=data%2Ftrain"/);
});

test("edit commits with the parent it was read at; a concurrent change is a 409 that keeps the text", async () => {
  assert.equal((await createRepo(hub, { name: "ed" })).status, 200);
  await commit(hub, { id: "admin/ed", files: [{ path: "notes.txt", content: "one\ntwo\n" }] });
  const form = await page("/admin/ed/edit/main/notes.txt", adminCookie);
  assert.match(form, /<textarea name="content"[^>]*>\none\ntwo\n<\/textarea>/);
  const fields = {
    _csrf: csrfOf(form),
    parent_commit: fieldOf(form, "parent_commit"),
    eol: fieldOf(form, "eol"),
    summary: "Edit notes",
    content: "one\r\n<script>2</script>\r\n",
  };
  const saved = await post("/admin/ed/edit/main/notes.txt", adminCookie, new URLSearchParams(fields));
  assert.equal(saved.status, 303, saved.text.slice(0, 500));
  assert.equal((await hub.api("GET", "/admin/ed/resolve/main/notes.txt")).text, "one\n<script>2</script>\n");

  // The same form again: its parent is stale now.
  const stale = await post("/admin/ed/edit/main/notes.txt", adminCookie, new URLSearchParams({ ...fields, content: "mine\r\n" }));
  assert.equal(stale.status, 409);
  assert.match(stale.text, /id="edit-conflict"/);
  assert.match(stale.text, />\nmine\r?\n<\/textarea>/);
  assert.equal((await hub.api("GET", "/admin/ed/resolve/main/notes.txt")).text, "one\n<script>2</script>\n");

  // The commit page shows the diff, escaped.
  const sha = await repoSha(hub, { id: "admin/ed" });
  const commitPage = await page(`/admin/ed/commit/${sha}`);
  assert.match(commitPage, /id="commit-title">Edit notes</);
  assert.match(commitPage, /<span class="diff-del">-two<\/span>/);
  assert.match(commitPage, /<span class="diff-add">\+&lt;script&gt;2&lt;\/script&gt;<\/span>/);
  assert.match(commitPage, /<span class="diff-hunk">@@ /);
  // History lists both commits; the refs page lists main.
  const history = await page("/admin/ed/commits/main");
  assert.equal([...history.matchAll(/class="commit-item"/g)].length, 3); // create, first commit, edit
  assert.match(await page("/admin/ed/refs"), /<strong>main<\/strong>/);
});

test("private repos are 404 to other users and signed-out visitors, on every page and form", async () => {
  const alice = await newUser("alice");
  const bob = await newUser("bob");
  assert.equal((await createRepo(hub, { name: "secret", token: alice.token, visibility: "private" })).status, 200);
  await commit(hub, { id: "alice/secret", token: alice.token, files: [{ path: "README.md", content: "# top secret\n" }] });
  const sha = await repoSha(hub, { id: "alice/secret", token: alice.token });
  const paths = [
    "/alice/secret",
    "/alice/secret/tree/main",
    "/alice/secret/blob/main/README.md",
    "/alice/secret/commits/main",
    `/alice/secret/commit/${sha}`,
    "/alice/secret/refs",
    "/alice/secret/upload/main",
    "/alice/secret/edit/main/README.md",
    "/alice/secret/settings",
  ];
  for (const p of paths) {
    const asBob = await get(p, bob.cookie);
    assert.equal(asBob.status, 404, `${p} as bob: ${asBob.status}`);
    assert.ok(!asBob.text.includes("top secret"));
    const out = await get(p);
    assert.equal(out.status, 404, `${p} signed out: ${out.status}`);
  }
  assert.match(await page("/alice/secret", alice.cookie), /top secret/);

  // Bob's own valid token on a form for alice's repo: 404, nothing written.
  const csrf = csrfOf(await page("/settings/tokens", bob.cookie));
  const up = await post("/alice/secret/upload/main", bob.cookie, uploadForm(csrf, [{ name: "x.txt", content: "x" }]));
  assert.equal(up.status, 404);
  const del = await post("/alice/secret/settings/delete", bob.cookie, new URLSearchParams({ _csrf: csrf, confirm: "alice/secret" }));
  assert.equal(del.status, 404);
  assert.equal(await repoSha(hub, { id: "alice/secret", token: alice.token }), sha);

  // On a public repo bob may read but not write: the settings page and forms are refused (403).
  assert.equal((await createRepo(hub, { name: "open", token: alice.token })).status, 200);
  assert.equal((await get("/alice/open/settings", bob.cookie)).status, 403);
  const vis = await post("/alice/open/settings/visibility", bob.cookie, new URLSearchParams({ _csrf: csrf, visibility: "private" }));
  assert.equal(vis.status, 403);
  assert.ok(!(await page("/alice/open", bob.cookie)).includes('id="tab-settings"'));
});

test("settings change visibility and delete only with the full name typed", async () => {
  assert.equal((await createRepo(hub, { name: "doomed" })).status, 200);
  const settings = await page("/admin/doomed/settings", adminCookie);
  const csrf = csrfOf(settings);
  const vis = await post("/admin/doomed/settings/visibility", adminCookie, new URLSearchParams({ _csrf: csrf, visibility: "private" }));
  assert.equal(vis.status, 303);
  assert.equal((await get("/admin/doomed")).status, 404); // private now: signed out sees nothing
  const wrong = await post("/admin/doomed/settings/delete", adminCookie, new URLSearchParams({ _csrf: csrf, confirm: "doomed" }));
  assert.equal(wrong.status, 400);
  assert.equal((await page("/admin/doomed", adminCookie)).length > 0, true);
  const gone = await post("/admin/doomed/settings/delete", adminCookie, new URLSearchParams({ _csrf: csrf, confirm: "admin/doomed" }));
  assert.equal(gone.status, 303);
  assert.equal((await get("/admin/doomed", adminCookie)).status, 404);
});

test("a Space's Files tab lists its files under the Space's own header", async () => {
  assert.equal((await createRepo(hub, { name: "site", type: "space", sdk: "static" })).status, 200);
  const html = await page("/spaces/admin/site/tree/main", adminCookie);
  assert.match(html, /id="tab-files"[^>]*aria-current="page"|aria-current="page"[^>]*id="tab-files"/);
  assert.match(html, /id="space-stage"/);
  assert.match(html, /href="\/spaces\/admin\/site\/blob\/main\/index\.html"/);
  assert.match(await page("/spaces/admin/site/blob/main/index.html"), /<code class="language-xml">/);
  assert.match(await page("/spaces/admin/site/commits/main"), /class="commit-item"/);
});
