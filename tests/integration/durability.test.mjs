// Crash safety: every acknowledged write survives `kill -9`, git repositories stay consistent and the LFS
// store never holds a partial or corrupt object.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { existsSync } from "node:fs";
import * as hf from "@huggingface/hub";
import { getChunks, xorbHash, hashToHex } from "@huggingface/xetchunk-wasm";
import {
  startHub,
  uniqueName,
  sha256,
  createRepo,
  repoSha,
  commit,
  commitRaw,
  lfsBatch,
  lfsUpload,
  lfsObjectPath,
  rawHttp,
  walkFiles,
  findBareRepos,
  fileSha256,
  storedXorbs,
  execFileP,
  sleep,
} from "./harness.mjs";

const T = { timeout: 180_000 };

async function fsckAll(dataDir) {
  const repos = findBareRepos(path.join(dataDir, "repos"));
  const failures = [];
  for (const r of repos) {
    const res = await execFileP("git", ["-c", "safe.directory=*", "--git-dir", r, "fsck", "--full", "--no-dangling", "--no-progress"]);
    if (res.code !== 0 || /error|missing|broken|corrupt/i.test(res.stderr + res.stdout)) {
      failures.push(`${r}: rc=${res.code}\n${res.stdout}${res.stderr}`);
    }
  }
  return { repos, failures };
}

async function checkLfsStore(dataDir) {
  const root = path.join(dataDir, "lfs", "objects");
  const bad = [];
  const objects = [];
  for (const f of walkFiles(root)) {
    const base = path.basename(f);
    const rel = path.relative(root, f);
    if (/^[0-9a-f]{64}$/.test(base)) {
      objects.push(base);
      if (rel !== path.join(base.slice(0, 2), base.slice(2, 4), base)) bad.push(`${rel}: not at aa/bb/<oid>`);
      const h = await fileSha256(f);
      if (h !== base) bad.push(`${rel}: content sha256 ${h}`);
    } else if (!/(^\.|tmp|temp|partial|incomplete)/i.test(base)) {
      // temp files from interrupted uploads are tolerated only if they are recognisably temp files
      bad.push(`${rel}: unexpected file in the object store`);
    }
  }
  return { objects, bad };
}

describe("durability across kill -9", () => {
  let hub; // first process (killed)
  let hub2; // restarted process
  let token;
  let dataDir;
  const model = `admin/${uniqueName("dur")}`;
  const dataset = `admin/${uniqueName("durdata")}`;
  const acked = []; // {type, id, sha, path, content}
  let lastMainSha;
  const lfsBig = randomBytes(3 * 1024 * 1024);
  const partialLfs = randomBytes(4 * 1024 * 1024); // upload interrupted by the kill
  let tagTarget;
  let partialSocket;
  const xetBig = randomBytes(3 * 1024 * 1024); // stored with Xet before the crash
  const partialXorb = randomBytes(2 * 1024 * 1024); // a xorb upload interrupted by the kill
  let partialXorbHash;
  let partialXorbSocket;

  before(async () => {
    hub = await startHub();
    token = hub.token;
    dataDir = hub.dataDir;
  });

  after(async () => {
    await hub2?.stop({ keepData: true });
    await hub?.stop(); // already dead: removes the temp data dir
  });

  test("acknowledged writes before the crash", T, async () => {
    assert.equal((await createRepo(hub, { name: model.split("/")[1] })).status, 200);
    assert.equal((await createRepo(hub, { type: "dataset", name: dataset.split("/")[1] })).status, 200);

    for (let i = 0; i < 10; i++) {
      const content = Buffer.from(`file ${i} ${randomBytes(8).toString("hex")}\n`);
      const out = await commit(hub, {
        id: model,
        summary: `commit ${i}`,
        files: [
          { path: `files/f${i}.txt`, content },
          { path: "counter.txt", content: String(i) },
        ],
      });
      assert.match(out.commitOid, /^[0-9a-f]{40}$/);
      acked.push({ type: "model", id: model, sha: out.commitOid, path: `files/f${i}.txt`, content });
      acked.push({ type: "model", id: model, sha: out.commitOid, path: "counter.txt", content: Buffer.from(String(i)) });
      if (i === 4) tagTarget = out.commitOid;
    }

    const { oid, size } = await lfsUpload(hub, { id: model, data: lfsBig });
    const out = await commit(hub, { id: model, summary: "lfs", lfsFiles: [{ path: "big/weights.bin", oid, size }] });
    acked.push({ type: "model", id: model, sha: out.commitOid, path: "big/weights.bin", content: lfsBig });
    lastMainSha = out.commitOid;

    // Xet: the JS client's default upload (xorbs, shard, commit) acknowledged before the crash.
    const x = await hf.uploadFiles({
      accessToken: token,
      hubUrl: hub.endpoint,
      repo: { type: "model", name: model },
      files: [{ path: "xet/weights.bin", content: new Blob([xetBig]) }],
    });
    acked.push({ type: "model", id: model, sha: x.commit.oid, path: "xet/weights.bin", content: xetBig });
    lastMainSha = x.commit.oid;

    const d = await commit(hub, { type: "dataset", id: dataset, files: [{ path: "data.csv", content: "a,b\n1,2\n" }] });
    acked.push({ type: "dataset", id: dataset, sha: d.commitOid, path: "data.csv", content: Buffer.from("a,b\n1,2\n") });

    const b = await hub.api("POST", `/api/models/${model}/branch/dev`, { token, json: {} });
    assert.equal(b.status, 200, b.text);
    const t = await hub.api("POST", `/api/models/${model}/tag/${tagTarget}`, { token, json: { tag: "v1", message: "v1" } });
    assert.equal(t.status, 200, t.text);
  });

  test("kill -9 with writes in flight", T, async () => {
    // An LFS upload that is half sent when the process dies.
    const bt = await lfsBatch(hub, { id: model, objects: [{ oid: sha256(partialLfs), size: partialLfs.length }] });
    assert.equal(bt.status, 200, bt.text);
    const up = bt.json.objects[0].actions?.upload;
    assert.ok(up?.href);
    const u = new URL(up.href);
    const extra = Object.entries(up.header ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    partialSocket = rawHttp(u.origin, {
      head:
        `PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: ${partialLfs.length}\r\n${extra}\r\n`,
      body: [partialLfs.subarray(0, partialLfs.length / 2)],
      endAfterWrite: false,
      timeoutMs: 30_000,
    });

    // A xorb upload half sent when the process dies (raw chunks, one header each).
    const tok = await hub.api("GET", `/api/models/${model}/xet-write-token/main`, { token });
    assert.equal(tok.status, 200, tok.text);
    const chunks = getChunks(partialXorb);
    partialXorbHash = hashToHex(xorbHash(chunks));
    const parts = [];
    let at = 0;
    for (const c of chunks) {
      const h = Buffer.alloc(8);
      h.writeUIntLE(c.length, 1, 3);
      h.writeUIntLE(c.length, 5, 3);
      parts.push(h, partialXorb.subarray(at, at + c.length));
      at += c.length;
    }
    const xorbBody = Buffer.concat(parts);
    const cas = new URL(tok.json.casUrl);
    partialXorbSocket = rawHttp(cas.origin, {
      head:
        `POST ${cas.pathname}/v1/xorbs/default/${partialXorbHash} HTTP/1.1\r\nHost: ${cas.host}\r\n` +
        `Authorization: Bearer ${tok.json.accessToken}\r\nContent-Length: ${xorbBody.length}\r\n\r\n`,
      body: [xorbBody.subarray(0, xorbBody.length / 2)],
      endAfterWrite: false,
      timeoutMs: 30_000,
    });

    // A few commits racing with the kill; whichever got a 200 is acknowledged and must survive.
    const racing = [];
    for (let i = 0; i < 5; i++) {
      const content = Buffer.from(`racing ${i} ${randomBytes(8).toString("hex")}`);
      racing.push(
        commitRaw(hub, { id: model, summary: `racing ${i}`, files: [{ path: `racing/r${i}.txt`, content }] })
          .then((r) => {
            if (r.status === 200) {
              acked.push({ type: "model", id: model, sha: r.json.commitOid, path: `racing/r${i}.txt`, content });
            }
          })
          .catch(() => {}),
      );
    }
    await sleep(150); // let the upload and some commits reach the server
    const info = await hub.kill9();
    assert.equal(info.signal, "SIGKILL");
    await Promise.allSettled(racing);
    const res = await partialSocket;
    assert.ok(res.status === null || res.status >= 400, "the interrupted upload must not have been acknowledged");
    const xres = await partialXorbSocket;
    assert.ok(xres.status === null || xres.status >= 400, "the interrupted xorb must not have been acknowledged");
  });

  test("git fsck --full passes on every bare repo right after the crash", T, async () => {
    const { repos, failures } = await fsckAll(dataDir);
    assert.ok(repos.length >= 2, `expected the model and dataset repos under ${dataDir}/repos, found ${repos}`);
    assert.deepEqual(failures, []);
  });

  test("no LFS object with a wrong sha256 after the crash", T, async () => {
    const { objects, bad } = await checkLfsStore(dataDir);
    assert.deepEqual(bad, []);
    assert.ok(objects.includes(sha256(lfsBig)), "the acknowledged LFS object is in the store");
    assert.ok(!objects.includes(sha256(partialLfs)), "the half-uploaded object must not be in the store");
  });

  test("no partial xorb after the crash; the acknowledged ones are there", T, async () => {
    const stored = storedXorbs(dataDir);
    assert.ok(stored.length >= 1, "the acknowledged upload's xorbs are stored");
    assert.ok(stored.every((n) => /^[0-9a-f]{64}$/.test(n)), `only complete, named xorbs: ${stored}`);
    assert.ok(!stored.includes(partialXorbHash), "the half-sent xorb must not be stored");
    assert.ok(existsSync(path.join(dataDir, "xet", "tmp")));
  });

  test("restart on the same data dir: old token works, HF_TOKEN not printed again", T, async () => {
    // A commit cut by the kill may leave its ref lock behind (it did in a CI run); make sure one is
    // there, as a crash mid-update leaves it, so the commits below prove the hub clears it at start.
    writeFileSync(path.join(dataDir, "repos", "models", ...model.split("/")) + ".git/refs/heads/main.lock", "");
    hub2 = await startHub({ dataDir, token });
    assert.ok(!/^HF_TOKEN=/m.test(hub2.stdout), "HF_TOKEN must be printed only on the first start of a data dir");
    const me = await hub2.api("GET", "/api/whoami-v2", { token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.name, "admin");
  });

  test("every acknowledged commit and file is there", T, async () => {
    const head = await repoSha(hub2, { id: model });
    const commits = [];
    let url = `/api/models/${model}/commits/main?limit=1000`;
    while (url) {
      const r = await hub2.api("GET", url, { token });
      assert.equal(r.status, 200, r.text);
      commits.push(...r.json.map((c) => c.id));
      const next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get("link") ?? "");
      url = next ? next[1] : null;
    }
    assert.equal(commits[0], head);
    for (const a of acked) {
      if (a.type === "model") assert.ok(commits.includes(a.sha), `acknowledged commit ${a.sha} missing from history`);
      const prefix = a.type === "model" ? "" : `${a.type}s/`;
      const at = await hub2.api("GET", `/${prefix}${a.id}/resolve/${a.sha}/${a.path}`, { token });
      assert.equal(at.status, 200, `${a.path}@${a.sha}: ${at.status}`);
      assert.equal(sha256(at.bytes), sha256(a.content), `${a.path}@${a.sha} content`);
    }
    // The files of all acknowledged model commits are on main (racing commits touched distinct paths).
    for (const a of acked.filter((x) => x.type === "model" && x.path !== "counter.txt")) {
      const r = await hub2.api("HEAD", `/${a.id}/resolve/main/${a.path}`, { token });
      assert.equal(r.status, 200, `${a.path} missing on main`);
    }
    const counter = await hub2.api("GET", `/${model}/resolve/main/counter.txt`, { token });
    assert.equal(counter.text, "9");
    assert.ok(commits.includes(lastMainSha));

    const refs = await hub2.api("GET", `/api/models/${model}/refs`, { token });
    assert.equal(refs.status, 200);
    assert.ok(refs.json.branches.some((b) => b.name === "dev"), "branch dev survives");
    const tag = refs.json.tags.find((t) => t.name === "v1");
    assert.ok(tag, "tag v1 survives");
    assert.equal(tag.targetCommit, tagTarget);
  });

  test("the interrupted LFS object can be uploaded again after restart", T, async () => {
    const b = await lfsBatch(hub2, { id: model, objects: [{ oid: sha256(partialLfs), size: partialLfs.length }] });
    assert.equal(b.status, 200);
    assert.ok(b.json.objects[0].actions?.upload, "the half-uploaded object must still need an upload");
    await lfsUpload(hub2, { id: model, data: partialLfs });
    const c = await commit(hub2, {
      id: model,
      summary: "after restart",
      lfsFiles: [{ path: "big/second.bin", oid: sha256(partialLfs), size: partialLfs.length }],
    });
    const r = await hub2.api("GET", `/${model}/resolve/${c.commitOid}/big/second.bin`, { token });
    assert.equal(sha256(r.bytes), sha256(partialLfs));
  });

  test("SIGTERM shuts down cleanly; data intact on the next start", T, async () => {
    const head = await repoSha(hub2, { id: model });
    const info = await hub2.stop({ keepData: true });
    assert.equal(info.code, 0, `exit ${JSON.stringify(info)}\n${hub2.stderr.slice(-2000)}`);
    const { failures } = await fsckAll(dataDir);
    assert.deepEqual(failures, []);
    const { bad } = await checkLfsStore(dataDir);
    assert.deepEqual(bad, []);
    hub2 = await startHub({ dataDir, token });
    assert.equal(await repoSha(hub2, { id: model }), head);
  });
});
