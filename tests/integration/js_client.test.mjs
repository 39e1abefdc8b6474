// The unmodified @huggingface/hub client against a spacehub server, pointed at it with `hubUrl`.
// Default client settings: commit offers "xet" in the LFS batch call, and large files go through Xet storage.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as hf from "@huggingface/hub";
import { startHub, uniqueName, sha256, gitBlobSha1 } from "./harness.mjs";

const T = { timeout: 120_000 };

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

async function expectApiError(promise, statusCode) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.statusCode, statusCode, `expected HTTP ${statusCode}, got ${e.statusCode}: ${e.message}`);
    return true;
  });
}

describe("@huggingface/hub client", () => {
  let hub;
  let creds;
  const modelName = uniqueName("jsmodel");
  const datasetName = uniqueName("jsdata");
  const spaceName = uniqueName("jsspace");
  let model, dataset, space; // RepoDesignation objects
  const small = Buffer.from("hello from the spacehub integration tests\n");
  const big = randomBytes(12 * 1024 * 1024); // random ⇒ binary and ≥ 10 MB ⇒ LFS

  before(async () => {
    hub = await startHub();
    creds = { accessToken: hub.token, hubUrl: hub.endpoint };
  });

  after(async () => {
    await hub?.stop();
  });

  test("whoAmI returns the admin user and the token's role", T, async () => {
    const me = await hf.whoAmI({ ...creds });
    assert.equal(me.type, "user");
    assert.equal(me.name, "admin");
    assert.ok(Array.isArray(me.orgs), "orgs must be an array");
    assert.equal(me.auth?.type, "access_token");
    assert.equal(me.auth?.accessToken?.role, "write");
  });

  test("createRepo: model, dataset, space (sdk static)", T, async () => {
    const m = await hf.createRepo({ ...creds, repo: { type: "model", name: `admin/${modelName}` } });
    assert.equal(m.repoUrl, `${hub.endpoint}/admin/${modelName}`);
    model = { type: "model", name: `admin/${modelName}` };

    const d = await hf.createRepo({ ...creds, repo: { type: "dataset", name: `admin/${datasetName}` } });
    assert.equal(d.repoUrl, `${hub.endpoint}/datasets/admin/${datasetName}`);
    dataset = { type: "dataset", name: `admin/${datasetName}` };

    const s = await hf.createRepo({ ...creds, repo: { type: "space", name: `admin/${spaceName}` }, sdk: "static" });
    assert.equal(s.repoUrl, `${hub.endpoint}/spaces/admin/${spaceName}`);
    space = { type: "space", name: `admin/${spaceName}` };

    assert.equal(await hf.repoExists({ ...creds, repo: model }), true);
    assert.equal(await hf.repoExists({ ...creds, repo: dataset }), true);
    assert.equal(await hf.repoExists({ ...creds, repo: space }), true);
  });

  test("createRepo on an existing name fails with 409", T, async () => {
    await expectApiError(hf.createRepo({ ...creds, repo: model }), 409);
  });

  for (const which of ["model", "dataset", "space"]) {
    test(`uploadFiles (small + 12 MB LFS) and downloadFile round-trip: ${which}`, T, async () => {
      const repo = { model, dataset, space }[which];
      const out = await hf.uploadFiles({
        ...creds,
        repo,
        commitTitle: "add small and big",
        files: [
          { path: "small.txt", content: new Blob([small]) },
          { path: "data/big.bin", content: new Blob([big]) },
        ],
      });
      assert.ok(out?.commit?.oid, "commit output has an oid");
      assert.match(out.commit.oid, /^[0-9a-f]{40}$/);

      const s = await hf.downloadFile({ ...creds, repo, path: "small.txt" });
      assert.ok(s, "small.txt downloads");
      assert.deepEqual(Buffer.from(await s.arrayBuffer()), small);

      const b = await hf.downloadFile({ ...creds, repo, path: "data/big.bin" });
      assert.ok(b, "data/big.bin downloads");
      assert.equal(b.size, big.length);
      const got = Buffer.from(await b.arrayBuffer());
      assert.equal(got.length, big.length);
      assert.equal(sha256(got), sha256(big));

      // a commit-hash revision also resolves
      const s2 = await hf.downloadFile({ ...creds, repo, path: "small.txt", revision: out.commit.oid });
      assert.deepEqual(Buffer.from(await s2.arrayBuffer()), small);

      // missing file → null (404 EntryNotFound)
      assert.equal(await hf.downloadFile({ ...creds, repo, path: "nope.txt" }), null);
    });
  }

  test("listFiles (recursive) lists both files with lfs info on the big one", T, async () => {
    const entries = await collect(hf.listFiles({ ...creds, repo: model, recursive: true }));
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
    assert.ok(byPath["small.txt"], `small.txt missing from ${JSON.stringify(entries)}`);
    assert.ok(byPath["data/big.bin"], `data/big.bin missing from ${JSON.stringify(entries)}`);
    assert.equal(byPath["small.txt"].type, "file");
    assert.equal(byPath["small.txt"].size, small.length);
    assert.equal(byPath["small.txt"].oid, gitBlobSha1(small));
    assert.equal(byPath["small.txt"].lfs, undefined);
    const bigE = byPath["data/big.bin"];
    assert.equal(bigE.type, "file");
    assert.equal(bigE.size, big.length);
    assert.ok(bigE.lfs, "big file has lfs info");
    assert.equal(bigE.lfs.oid, sha256(big));
    assert.equal(bigE.lfs.size, big.length);
    assert.ok(bigE.lfs.pointerSize > 0 && bigE.lfs.pointerSize < 300);
    if (byPath["data"]) assert.equal(byPath["data"].type, "directory");

    // non-recursive: top level shows the folder, not its content
    const top = await collect(hf.listFiles({ ...creds, repo: model }));
    const topPaths = top.map((e) => e.path).sort();
    assert.ok(topPaths.includes("small.txt"));
    assert.ok(topPaths.includes("data"));
    assert.ok(!topPaths.includes("data/big.bin"));
    assert.equal(top.find((e) => e.path === "data").type, "directory");

    // sub-path listing
    const sub = await collect(hf.listFiles({ ...creds, repo: model, path: "data" }));
    assert.deepEqual(sub.map((e) => e.path), ["data/big.bin"]);
  });

  test("pathsInfo returns existing paths, omits missing ones", T, async () => {
    const info = await hf.pathsInfo({ ...creds, repo: model, paths: ["small.txt", "data/big.bin", "missing.txt"] });
    const byPath = Object.fromEntries(info.map((e) => [e.path, e]));
    assert.deepEqual(Object.keys(byPath).sort(), ["data/big.bin", "small.txt"]);
    assert.equal(byPath["small.txt"].size, small.length);
    assert.equal(byPath["data/big.bin"].lfs?.oid, sha256(big));

    const expanded = await hf.pathsInfo({ ...creds, repo: model, paths: ["small.txt"], expand: true });
    assert.equal(expanded.length, 1);
    assert.ok(expanded[0].lastCommit?.id, "expand=true gives lastCommit");
  });

  test("fileExists true/false", T, async () => {
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "small.txt" }), true);
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "data/big.bin" }), true);
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "does/not/exist.txt" }), false);
    assert.equal(await hf.fileExists({ ...creds, repo: dataset, path: "small.txt" }), true);
  });

  test("modelInfo / datasetInfo / spaceInfo", T, async () => {
    const m = await hf.modelInfo({ ...creds, name: model.name });
    assert.equal(m.name, model.name);
    assert.equal(m.private, false);
    const d = await hf.datasetInfo({ ...creds, name: dataset.name });
    assert.equal(d.name, dataset.name);

    const s = await hf.spaceInfo({ ...creds, name: space.name, additionalFields: ["sha", "author"] });
    assert.equal(s.name, space.name);
    assert.equal(s.sdk, "static");
    assert.equal(s.private, false);
    assert.equal(typeof s.likes, "number");
    assert.ok(s.id, "space has an _id");
    assert.ok(!Number.isNaN(s.updatedAt.getTime()), "lastModified parses as a date");
    assert.match(s.sha, /^[0-9a-f]{40}$/);
    assert.equal(s.author, "admin");
  });

  test("listSpaces / listModels / listDatasets find the repos", T, async () => {
    const spaces = await collect(hf.listSpaces({ ...creds, search: { owner: "admin" } }));
    const sp = spaces.find((x) => x.name === space.name);
    assert.ok(sp, `space not listed: ${JSON.stringify(spaces.map((x) => x.name))}`);
    assert.equal(sp.sdk, "static");

    const bySearch = await collect(hf.listSpaces({ ...creds, search: { query: spaceName } }));
    assert.ok(bySearch.some((x) => x.name === space.name), "search= finds the space");

    const models = await collect(hf.listModels({ ...creds, search: { owner: "admin" } }));
    assert.ok(models.some((x) => x.name === model.name), "model listed");
    const datasets = await collect(hf.listDatasets({ ...creds, search: { owner: "admin" } }));
    assert.ok(datasets.some((x) => x.name === dataset.name), "dataset listed");
  });

  test("listCommits: newest first, the upload commit on top", T, async () => {
    const commits = await collect(hf.listCommits({ ...creds, repo: model }));
    assert.ok(commits.length >= 1);
    assert.equal(commits[0].title, "add small and big");
    for (const c of commits) {
      assert.match(c.oid, /^[0-9a-f]{40}$/);
      assert.ok(!Number.isNaN(c.date.getTime()));
      assert.ok(Array.isArray(c.authors));
    }
  });

  test("createBranch / deleteBranch", T, async () => {
    await hf.createBranch({ ...creds, repo: model, branch: "dev" });
    // the branch has the files of main
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "small.txt", revision: "dev" }), true);
    // commit onto the branch does not change main
    await hf.uploadFiles({
      ...creds,
      repo: model,
      branch: "dev",
      files: [{ path: "dev-only.txt", content: new Blob(["dev"]) }],
    });
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "dev-only.txt", revision: "dev" }), true);
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "dev-only.txt" }), false);
    // creating it again → 409
    await expectApiError(hf.createBranch({ ...creds, repo: model, branch: "dev" }), 409);
    await hf.deleteBranch({ ...creds, repo: model, branch: "dev" });
    const files = await collect(hf.listFiles({ ...creds, repo: model, revision: "main" }));
    assert.ok(files.length > 0);
    await assert.rejects(collect(hf.listFiles({ ...creds, repo: model, revision: "dev" })), (e) => e.statusCode === 404);
  });

  test("deleteFile, then fileExists is false", T, async () => {
    await hf.deleteFile({ ...creds, repo: model, path: "small.txt" });
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "small.txt" }), false);
    assert.equal(await hf.fileExists({ ...creds, repo: model, path: "data/big.bin" }), true);
  });

  test("deleteRepo, then the repo is gone (404 RepoNotFound)", T, async () => {
    for (const repo of [model, dataset, space]) {
      await hf.deleteRepo({ ...creds, repo });
      assert.equal(await hf.repoExists({ ...creds, repo }), false);
      const r = await hub.api("GET", `/api/${repo.type}s/${repo.name}`, { token: hub.token });
      assert.equal(r.status, 404);
      assert.equal(r.headers.get("x-error-code"), "RepoNotFound");
    }
    // deleting again → 404
    await expectApiError(hf.deleteRepo({ ...creds, repo: model }), 404);
  });
});
