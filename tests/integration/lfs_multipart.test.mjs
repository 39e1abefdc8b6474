// Multipart LFS uploads: the hub hands out part URLs for large objects; the JS client uploads the
// parts, then calls the completion URL. Run with a 1 MiB threshold and part size so small files take
// this path. Also: a wrong part ETag or a missing part is refused and nothing is published.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { downloadFile, uploadFiles } from "@huggingface/hub";
import { startHub, createRepo, lfsBatch, lfsObjectPath, sha256, uniqueName } from "./harness.mjs";

describe("multipart LFS uploads", () => {
  let hub;
  before(async () => {
    hub = await startHub({ args: ["--lfs-multipart-threshold-mb", "1", "--lfs-chunk-mb", "1"] });
  });
  after(async () => hub?.stop());

  it("the JS client uploads a 3.5 MiB file in 4 parts and downloads it intact", async () => {
    const name = `admin/${uniqueName("mp")}`;
    assert.equal((await createRepo(hub, { name: name.split("/")[1] })).status, 200);
    const data = randomBytes(3.5 * 1024 * 1024);
    const b = await lfsBatch(hub, { id: name, objects: [{ oid: sha256(data), size: data.length }] });
    assert.equal(b.json.transfer, "multipart");
    const header = b.json.objects[0].actions.upload.header;
    assert.equal(Number(header.chunk_size), 1024 * 1024);
    assert.deepEqual(Object.keys(header).filter((k) => /^\d+$/.test(k)).sort(), ["00001", "00002", "00003", "00004"]);

    const repo = { type: "model", name };
    await uploadFiles({
      hubUrl: hub.endpoint,
      accessToken: hub.token,
      repo,
      files: [{ path: "weights.bin", content: new Blob([data]) }],
    });
    const blob = await downloadFile({ hubUrl: hub.endpoint, accessToken: hub.token, repo, path: "weights.bin" });
    const got = Buffer.from(await blob.arrayBuffer());
    assert.equal(sha256(got), sha256(data));
  });

  it("a wrong part ETag or a missing part is refused and nothing is published", async () => {
    const name = `admin/${uniqueName("mpbad")}`;
    assert.equal((await createRepo(hub, { name: name.split("/")[1] })).status, 200);
    const data = randomBytes(2 * 1024 * 1024 + 10);
    const oid = sha256(data);
    const b = await lfsBatch(hub, { id: name, objects: [{ oid, size: data.length }] });
    const up = b.json.objects[0].actions.upload;
    const parts = Object.keys(up.header).filter((k) => /^\d+$/.test(k)).sort();
    assert.equal(parts.length, 3);
    const etags = [];
    for (const [i, key] of parts.entries()) {
      const slice = data.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024);
      const r = await hub.api("PUT", up.header[key], { body: slice });
      assert.equal(r.status, 200, r.text);
      etags.push(r.headers.get("etag"));
      assert.ok(etags[i], "each part answers with an ETag");
    }
    const complete = (parts) =>
      hub.api("POST", up.href, {
        body: JSON.stringify({ oid, parts }),
        headers: { "Content-Type": "application/vnd.git-lfs+json" },
      });
    const wrong = await complete(etags.map((etag, i) => ({ partNumber: i + 1, etag: i === 1 ? '"0000"' : etag })));
    assert.ok(wrong.status >= 400 && wrong.status < 500, `wrong etag → ${wrong.status}`);
    assert.ok(wrong.json?.error);
    const missing = await complete(etags.slice(0, 2).map((etag, i) => ({ partNumber: i + 1, etag })));
    assert.ok(missing.status >= 400 && missing.status < 500, `missing part → ${missing.status}`);
    assert.equal(existsSync(lfsObjectPath(hub.dataDir, oid)), false, "nothing published");

    const ok = await complete(etags.map((etag, i) => ({ partNumber: i + 1, etag })));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(existsSync(lfsObjectPath(hub.dataDir, oid)), true);
  });

  it("a part URL with a tampered signature is refused", async () => {
    const name = `admin/${uniqueName("mpsig")}`;
    await createRepo(hub, { name: name.split("/")[1] });
    const data = randomBytes(1024 * 1024 + 1);
    const b = await lfsBatch(hub, { id: name, objects: [{ oid: sha256(data), size: data.length }] });
    const url = b.json.objects[0].actions.upload.header["00001"];
    const tampered = url.replace(/\/([0-9a-f]{64})\/part\//, (m, sig) => `/${sig.replace(/^./, sig[0] === "a" ? "b" : "a")}/part/`);
    assert.notEqual(tampered, url);
    const r = await hub.api("PUT", tampered, { body: data.subarray(0, 1024 * 1024) });
    assert.equal(r.status, 403);
  });
});
