// Hub API behaviours the clients rely on, at the HTTP level: preupload decisions, pull-request
// commits, deletedFolder, validate-yaml, pagination by Link, move/rename, visibility, refs and tags.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHub, createRepo, commit, commitRaw, repoSha, gitBlobSha1, uniqueName } from "./harness.mjs";

const b64 = (s) => Buffer.from(s).toString("base64");

describe("hub API", () => {
  let hub;
  let repo; // "admin/<name>" model with a few files
  before(async () => {
    hub = await startHub();
    const name = uniqueName("api");
    repo = `admin/${name}`;
    assert.equal((await createRepo(hub, { name })).status, 200);
    await commit(hub, {
      id: repo,
      summary: "seed",
      files: [
        { path: "README.md", content: "---\nlicense: mit\ntags:\n- demo\n---\n# demo\n" },
        { path: "docs/a.txt", content: "a" },
        { path: "docs/b.txt", content: "b" },
        { path: "keep.txt", content: "keep" },
      ],
    });
  });
  after(async () => hub?.stop());

  it("preupload: LFS by size, binary sample and .gitattributes; oid of current files; gitIgnore", async () => {
    const r = await hub.api("POST", `/api/models/${repo}/preupload/main`, {
      token: hub.token,
      json: {
        files: [
          { path: "small.txt", sample: b64("hello"), size: 5 },
          { path: "big.txt", sample: b64("x".repeat(512)), size: 10 * 1000 * 1000 },
          { path: "blob.dat", sample: b64("a\u0000b"), size: 3 },
          { path: "w.safetensors", sample: b64("text"), size: 4 },
          { path: "keep.txt", sample: b64("keep"), size: 4 },
          { path: "logs/run.log", sample: b64("x"), size: 1 },
        ],
        gitIgnore: "*.log\n",
      },
    });
    assert.equal(r.status, 200, r.text);
    const by = Object.fromEntries(r.json.files.map((f) => [f.path, f]));
    assert.equal(by["small.txt"].uploadMode, "regular");
    assert.equal(by["big.txt"].uploadMode, "lfs");
    assert.equal(by["blob.dat"].uploadMode, "lfs");
    assert.equal(by["w.safetensors"].uploadMode, "lfs", "default .gitattributes pattern");
    assert.equal(by["keep.txt"].oid, gitBlobSha1(Buffer.from("keep")));
    assert.equal(by["small.txt"].oid, undefined);
    assert.equal(by["logs/run.log"].shouldIgnore, true);
    assert.equal(by["small.txt"].shouldIgnore, false);
  });

  it("create_pr commits to refs/pr/N and answers pullRequestUrl; main is untouched", async () => {
    const before = await repoSha(hub, { id: repo });
    await commit(hub, { id: repo, summary: "plain", files: [{ path: "plain.txt", content: "x" }] });
    const mainAfterPlain = await repoSha(hub, { id: repo });
    assert.notEqual(mainAfterPlain, before, "a plain commit moves main");

    const lines = [
      { key: "header", value: { summary: "pr commit", description: "" } },
      { key: "file", value: { path: "only-in-pr.txt", content: b64("pr"), encoding: "base64" } },
    ];
    const pr = await hub.api("POST", `/api/models/${repo}/commit/main?create_pr=1`, {
      token: hub.token,
      body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
      headers: { "Content-Type": "application/x-ndjson" },
    });
    assert.equal(pr.status, 200, pr.text);
    assert.match(pr.json.pullRequestUrl, /\/discussions\/1$/);
    assert.equal(await repoSha(hub, { id: repo }), mainAfterPlain, "main did not move");
    assert.equal(await repoSha(hub, { id: repo, revision: "refs/pr/1" }), pr.json.commitOid);
    const refs = await hub.api("GET", `/api/models/${repo}/refs?include_prs=1`, { token: hub.token });
    assert.deepEqual(
      refs.json.pullRequests.map((p) => [p.name, p.ref, p.targetCommit]),
      [["refs/pr/1", "refs/pr/1", pr.json.commitOid]],
    );
    const f = await hub.api("GET", `/${repo}/resolve/${encodeURIComponent("refs/pr/1")}/only-in-pr.txt`);
    assert.equal(f.text, "pr");
    const missing = await hub.api("GET", `/${repo}/resolve/main/only-in-pr.txt`);
    assert.equal(missing.headers.get("x-error-code"), "EntryNotFound");
  });

  it("deletedFolder removes everything below a folder; deleting a missing file is EntryNotFound", async () => {
    const lines = [
      { key: "header", value: { summary: "rm docs" } },
      { key: "deletedFolder", value: { path: "docs/" } },
    ];
    const r = await hub.api("POST", `/api/models/${repo}/commit/main`, {
      token: hub.token,
      body: lines.map((l) => JSON.stringify(l)).join("\n"),
    });
    assert.equal(r.status, 200, r.text);
    const tree = await hub.api("GET", `/api/models/${repo}/tree/main?recursive=true`);
    assert.ok(!tree.json.some((e) => e.path.startsWith("docs")), tree.text);
    const sha = await repoSha(hub, { id: repo });
    const gone = await commitRaw(hub, { id: repo, deletedFiles: ["docs/a.txt"] });
    assert.equal(gone.status, 404);
    assert.equal(gone.headers.get("x-error-code"), "EntryNotFound");
    assert.equal(await repoSha(hub, { id: repo }), sha);
  });

  it("validate-yaml answers JSON both for valid and invalid front matter", async () => {
    const ok = await hub.api("POST", "/api/validate-yaml", {
      token: hub.token,
      json: { content: "---\nlicense: mit\n---\n", repoType: "model" },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { errors: [], warnings: [] });
    const bad = await hub.api("POST", "/api/validate-yaml", {
      token: hub.token,
      json: { content: "---\nlicense: [unclosed\n---\n", repoType: "model" },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors.length, 1);
    assert.ok(bad.json.errors[0].message.length > 0);
  });

  it("repo info carries cardData, siblings with blobs, and tags from the card", async () => {
    const r = await hub.api("GET", `/api/models/${repo}?blobs=true`);
    assert.equal(r.status, 200);
    assert.equal(r.json.cardData.license, "mit");
    assert.deepEqual(r.json.tags, ["demo"]);
    const readme = r.json.siblings.find((s) => s.rfilename === "README.md");
    assert.ok(readme.size > 0 && /^[0-9a-f]{40}$/.test(readme.blobId));
    assert.match(r.json.lastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("listing pages with Link rel=next until exhausted; commits too", async () => {
    const names = [];
    for (let i = 0; i < 5; i++) {
      const name = uniqueName("page");
      names.push(name);
      assert.equal((await createRepo(hub, { name, type: "dataset" })).status, 200);
    }
    let url = `/api/datasets?author=admin&limit=2&sort=createdAt&direction=1`;
    const seen = [];
    let pages = 0;
    while (url) {
      const r = await hub.api("GET", url);
      assert.equal(r.status, 200);
      assert.ok(r.json.length <= 2);
      seen.push(...r.json.map((x) => x.id));
      const link = r.headers.get("link");
      url = link ? /<([^>]+)>;\s*rel="next"/.exec(link)[1] : null;
      pages++;
      assert.ok(pages < 10);
    }
    assert.deepEqual(seen, names.map((n) => `admin/${n}`));

    let curl = `/api/models/${repo}/commits/main?limit=2`;
    let total = 0;
    const ids = new Set();
    while (curl) {
      const r = await hub.api("GET", curl);
      assert.equal(r.status, 200);
      r.json.forEach((c) => ids.add(c.id));
      total = Number(r.headers.get("x-total-count"));
      const link = r.headers.get("link");
      curl = link ? /<([^>]+)>;\s*rel="next"/.exec(link)[1] : null;
    }
    assert.equal(ids.size, total);
    assert.ok(total >= 4);
  });

  it("move renames a repo; the old name is gone; the target must be free and writable", async () => {
    const a = uniqueName("mv");
    const b = uniqueName("mv");
    await createRepo(hub, { name: a });
    await createRepo(hub, { name: b });
    const taken = await hub.api("POST", "/api/repos/move", {
      token: hub.token,
      json: { fromRepo: `admin/${a}`, toRepo: `admin/${b}`, type: "model" },
    });
    assert.equal(taken.status, 409);
    const c = uniqueName("mv");
    const ok = await hub.api("POST", "/api/repos/move", {
      token: hub.token,
      json: { fromRepo: `admin/${a}`, toRepo: `admin/${c}`, type: "model" },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await hub.api("GET", `/api/models/admin/${a}`)).headers.get("x-error-code"), "RepoNotFound");
    assert.equal((await hub.api("GET", `/api/models/admin/${c}`)).status, 200);
    const bobToken = await hub.createUser(uniqueName("bob").replace(/-/g, ""));
    const other = await hub.api("POST", "/api/repos/move", {
      token: bobToken,
      json: { fromRepo: `admin/${c}`, toRepo: `admin/${uniqueName("mv")}`, type: "model" },
    });
    assert.equal(other.status, 403);
  });

  it("settings switch visibility both ways (private and visibility forms)", async () => {
    const name = uniqueName("vis");
    await createRepo(hub, { name });
    const set = (json) => hub.api("PUT", `/api/models/admin/${name}/settings`, { token: hub.token, json });
    assert.equal((await set({ private: true })).status, 200);
    assert.equal((await hub.api("GET", `/api/models/admin/${name}`)).status, 404);
    assert.equal((await hub.api("GET", `/api/models/admin/${name}`, { token: hub.token })).json.private, true);
    assert.equal((await set({ visibility: "public" })).status, 200);
    assert.equal((await hub.api("GET", `/api/models/admin/${name}`)).json.private, false);
    assert.equal((await set({ visibility: "secret" })).status, 400);
    assert.equal((await set({})).status, 400);
  });

  it("tags: create (annotated), list, resolve, conflict, delete", async () => {
    const sha = await repoSha(hub, { id: repo });
    const mk = await hub.api("POST", `/api/models/${repo}/tag/main`, {
      token: hub.token,
      json: { tag: "v1.0", message: "first release" },
    });
    assert.equal(mk.status, 200, mk.text);
    const again = await hub.api("POST", `/api/models/${repo}/tag/main`, { token: hub.token, json: { tag: "v1.0" } });
    assert.equal(again.status, 409);
    const refs = await hub.api("GET", `/api/models/${repo}/refs`);
    assert.deepEqual(refs.json.tags, [{ name: "v1.0", ref: "refs/tags/v1.0", targetCommit: sha }]);
    assert.equal(await repoSha(hub, { id: repo, revision: "v1.0" }), sha);
    const bad = await hub.api("POST", `/api/models/${repo}/tag/main`, { token: hub.token, json: { tag: "-x" } });
    assert.equal(bad.status, 400);
    assert.equal((await hub.api("DELETE", `/api/models/${repo}/tag/v1.0`, { token: hub.token })).status, 200);
    const gone = await hub.api("DELETE", `/api/models/${repo}/tag/v1.0`, { token: hub.token });
    assert.equal(gone.status, 404);
    assert.equal(gone.headers.get("x-error-code"), "RevisionNotFound");
  });
});
