// Xet storage (issue #15) with real clients: the unmodified @huggingface/hub client with its default
// settings (Xet on) uploads as xorbs and shards and downloads through its Xet reader; curl and
// git-lfs read the same files as plain bytes; a 1 MiB change re-uploads only what changed; and
// hostile CAS requests (corrupt xorbs, wrong hashes, truncated bodies, shards naming missing or
// foreign xorbs, forged tokens, other repos' tokens, read tokens used to write) are refused with
// nothing stored.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as hf from "@huggingface/hub";
import { createChunker, nextBlock, finalize, hashToHex, hexToBytes, xorbHash, fileHash, verificationHash } from "@huggingface/xetchunk-wasm";
import { startHub, uniqueName, sha256, makeTempDir, removeTempDir, createRepo, commitRaw, lfsObjectPath, rawHttp, hostRequest, spaceHost, storedXorbs } from "./harness.mjs";
import { runGit, remoteUrl } from "./git_lib.mjs";
import { HAVE_BWRAP, IS_ROOT, RUNTIME_ARGS, waitStage } from "./runtime_lib.mjs";

const T = { timeout: 240_000 };
const MiB = 1024 * 1024;

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 256 << 20, encoding: "buffer", timeout: 120_000, ...opts }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr: stderr.toString() });
    });
  });
}

// A fetch that records what the client sent where.
function spyFetch(hub) {
  const calls = [];
  const f = async (url, init = {}) => {
    const body = init.body;
    const size = body == null ? 0 : body.byteLength ?? body.size ?? body.length ?? 0;
    const r = await fetch(url, init);
    calls.push({ method: init.method ?? "GET", path: String(url).replace(hub.endpoint, ""), status: r.status, size });
    return r;
  };
  return { fetch: f, calls };
}

// ---- hand-made protocol objects for the hostile cases ----------------------------------------

function chunksOf(data) {
  const c = createChunker(64 * 1024);
  const out = [...nextBlock(c, data)];
  const last = finalize(c);
  if (last) out.push(last);
  return out;
}

// A xorb storing each chunk raw (compression scheme 0).
function rawXorb(data) {
  const chunks = chunksOf(data);
  const parts = [];
  let at = 0;
  for (const ch of chunks) {
    const h = Buffer.alloc(8);
    h[0] = 0;
    h.writeUIntLE(ch.length, 1, 3);
    h[4] = 0;
    h.writeUIntLE(ch.length, 5, 3);
    parts.push(h, Buffer.from(data.subarray(at, at + ch.length)));
    at += ch.length;
  }
  return { bytes: Buffer.concat(parts), hash: hashToHex(xorbHash(chunks)), chunks };
}

// The protocol writes a hash as 4 little-endian u64s: hexToBytes/hashToHex do that conversion.
const hashBytes = (hex) => Buffer.from(hexToBytes(hex));
const BOOKEND = Buffer.concat([Buffer.alloc(32, 0xff), Buffer.alloc(16)]);
const TAG = Buffer.from([72, 70, 82, 101, 112, 111, 77, 101, 116, 97, 68, 97, 116, 97, 0, 85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74, 169]);

// An upload shard (no footer) recording one file made of whole xorbs: [{xorb, chunks}] in order.
function shardFor(fileHex, terms, sha256Hex) {
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const head = Buffer.concat([TAG, Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(8)]);
  const flags = 0x80000000 + (sha256Hex ? 0x40000000 : 0);
  const file = [hashBytes(fileHex), u32(flags), u32(terms.length), Buffer.alloc(8)];
  for (const t of terms) {
    const len = t.chunks.reduce((a, c) => a + c.length, 0);
    file.push(hashBytes(t.xorb), u32(0), u32(len), u32(0), u32(t.chunks.length));
  }
  for (const t of terms) file.push(Buffer.from(verificationHash(t.chunks.map((c) => c.hash))), Buffer.alloc(16));
  if (sha256Hex) file.push(hashBytes(sha256Hex), Buffer.alloc(16));
  return Buffer.concat([head, ...file, BOOKEND, BOOKEND]);
}

describe("Xet storage", () => {
  let hub;
  let creds;
  const repoName = uniqueName("xet");
  const repo = { type: "model", name: `admin/${repoName}` };
  const small = Buffer.from("a small file stored with Xet\n".repeat(100));
  const big = randomBytes(24 * MiB);
  let tokens = {};
  let work;

  before(async () => {
    hub = await startHub();
    creds = { accessToken: hub.token, hubUrl: hub.endpoint };
    work = makeTempDir("spacehub-xet-");
    await hf.createRepo({ ...creds, repo });
    tokens.bob = await hub.createUser("bob");
    tokens.carol = await hub.createUser("carol");
  });

  after(async () => {
    await hub?.stop();
    if (work) removeTempDir(work);
  });

  const resolveUrl = (file, name = repo.name) => `${hub.endpoint}/${name}/resolve/main/${file}`;

  test("@huggingface/hub uploads a small and a 24 MB file as xorbs and shards", T, async () => {
    const spy = spyFetch(hub);
    await hf.uploadFiles({
      ...creds,
      repo,
      fetch: spy.fetch,
      files: [
        { path: "small.txt", content: new Blob([small]) },
        { path: "data/big.bin", content: new Blob([big]) },
      ],
    });
    const xorbPosts = spy.calls.filter((c) => c.method === "POST" && c.path.startsWith("/cas/v1/xorbs/default/"));
    const shardPosts = spy.calls.filter((c) => c.method === "POST" && c.path === "/cas/v1/shards");
    assert.ok(xorbPosts.length >= 1, JSON.stringify(spy.calls));
    assert.ok(shardPosts.length >= 1, JSON.stringify(spy.calls));
    assert.ok(xorbPosts.every((c) => c.status === 200) && shardPosts.every((c) => c.status === 200));
    // No byte went the LFS way, and the LFS store has no copy.
    assert.equal(spy.calls.filter((c) => c.path.startsWith("/api/lfs-transfer/")).length, 0);
    assert.equal(existsSync(lfsObjectPath(hub.dataDir, sha256(big))), false);
    const stored = storedXorbs(hub.dataDir);
    for (const c of xorbPosts) assert.ok(stored.includes(c.path.split("/").pop()), `xorb ${c.path} not on disk`);
  });

  test("listings report xetHash; downloadFile reads through the Xet reader", T, async () => {
    const info = await hf.pathsInfo({ ...creds, repo, paths: ["data/big.bin", "small.txt"] });
    const bigInfo = info.find((e) => e.path === "data/big.bin");
    assert.match(bigInfo.xetHash ?? "", /^[0-9a-f]{64}$/, JSON.stringify(info));
    assert.equal(bigInfo.lfs.oid, sha256(big));
    const spy = spyFetch(hub);
    const blob = await hf.downloadFile({ ...creds, repo, path: "data/big.bin", fetch: spy.fetch });
    assert.equal(blob.constructor.name, "XetBlob");
    const got = Buffer.from(await blob.arrayBuffer());
    assert.equal(sha256(got), sha256(big));
    assert.ok(spy.calls.some((c) => c.path.startsWith("/cas/v2/reconstructions/")), JSON.stringify(spy.calls));
    assert.ok(spy.calls.some((c) => c.path.startsWith("/cas/xorb-data/")));
    const smallBlob = await hf.downloadFile({ ...creds, repo, path: "small.txt" });
    assert.deepEqual(Buffer.from(await smallBlob.arrayBuffer()), small);
  });

  test("the web pages mark a Xet-stored file as Xet, an LFS one as LFS", T, async () => {
    const page = async (p) => {
      const r = await fetch(`${hub.endpoint}${p}`);
      assert.equal(r.status, 200, p);
      return r.text();
    };
    const tree = await page(`/${repo.name}/tree/main/data`);
    assert.match(tree, /big\.bin<\/a> <span class="badge xet"/);
    assert.doesNotMatch(tree, /badge lfs/);
    const blob = await page(`/${repo.name}/blob/main/data/big.bin`);
    assert.match(blob, /id="file-note">This file is stored with Xet, in deduplicated chunks \(25 MB\)/);
    // The same bytes stored the LFS way (the JS client with Xet off) keep the LFS badge.
    const other = { type: "model", name: `admin/${uniqueName("lfs")}` };
    await hf.createRepo({ ...creds, repo: other });
    await hf.uploadFile({ ...creds, repo: other, useXet: false, file: { path: "w.bin", content: new Blob([randomBytes(2 * MiB)]) } });
    assert.match(await page(`/${other.name}/tree/main`), /w\.bin<\/a> <span class="badge lfs"/);
  });

  test("curl resolve serves the same bytes, with ranges, and announces Xet", T, async () => {
    const out = path.join(work, "big.curl");
    await run("curl", ["-sSf", "-H", `Authorization: Bearer ${hub.token}`, "-o", out, resolveUrl("data/big.bin")]);
    assert.equal(sha256(readFileSync(out)), sha256(big));
    const part = await run("curl", ["-sSf", "-H", `Authorization: Bearer ${hub.token}`, "-r", "5000000-5999999", resolveUrl("data/big.bin")]);
    assert.equal(sha256(part.stdout), sha256(big.subarray(5000000, 6000000)));
    const head = await fetch(resolveUrl("data/big.bin"), { method: "HEAD", headers: { Authorization: `Bearer ${hub.token}` } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(big.length));
    assert.match(head.headers.get("x-xet-hash") ?? "", /^[0-9a-f]{64}$/);
    assert.match(head.headers.get("link") ?? "", /rel="xet-auth".*rel="xet-reconstruction-info"/);
  });

  test("git-lfs clones a Xet-stored file", T, async () => {
    const home = path.join(work, "home");
    mkdirSync(home, { recursive: true });
    const dest = path.join(work, "clone");
    await runGit(["lfs", "install", "--skip-repo"], { cwd: work, home });
    await runGit(["clone", remoteUrl(hub.endpoint, repo.name, { token: hub.token }), dest], { cwd: work, home });
    assert.equal(sha256(readFileSync(path.join(dest, "data", "big.bin"))), sha256(big));
  });

  test("changing 1 MiB in the middle re-uploads under 10% of the file", T, async () => {
    const changed = Buffer.from(big);
    randomBytes(MiB).copy(changed, 12 * MiB);
    const spy = spyFetch(hub);
    await hf.uploadFiles({ ...creds, repo, fetch: spy.fetch, files: [{ path: "data/big.bin", content: new Blob([changed]) }] });
    const sent = spy.calls
      .filter((c) => c.method === "POST" && c.path.startsWith("/cas/v1/xorbs/"))
      .reduce((a, c) => a + c.size, 0);
    assert.ok(sent > 0 && sent < 0.1 * big.length, `sent ${sent} bytes of xorbs for a 1 MiB change of ${big.length}`);
    const got = Buffer.from(await (await hf.downloadFile({ ...creds, repo, path: "data/big.bin" })).arrayBuffer());
    assert.equal(sha256(got), sha256(changed));
    const viaCurl = await run("curl", ["-sSf", "-H", `Authorization: Bearer ${hub.token}`, resolveUrl("data/big.bin")]);
    assert.equal(sha256(viaCurl.stdout), sha256(changed));
  });

  describe("hostile CAS requests", () => {
    const mineName = uniqueName("xmine");
    const bobName = uniqueName("xbob");
    const carolName = uniqueName("xcarol");
    let writeTok, readTok, bobTok, carolTok;
    const cas = (p) => `${hub.endpoint}/cas${p}`;
    const post = (p, token, body) => fetch(cas(p), { method: "POST", headers: { Authorization: `Bearer ${token}` }, body });

    before(async () => {
      await createRepo(hub, { name: mineName });
      await createRepo(hub, { name: bobName, token: tokens.bob, visibility: "private" });
      await createRepo(hub, { name: carolName, token: tokens.carol });
      const tok = async (name, kind, token) => {
        const r = await fetch(`${hub.endpoint}/api/models/${name}/xet-${kind}-token/main`, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(r.status, 200, await r.clone().text());
        const j = await r.json();
        assert.equal(j.casUrl, `${hub.endpoint}/cas`);
        // huggingface_hub reads the same from headers.
        assert.equal(r.headers.get("x-xet-cas-url"), j.casUrl);
        assert.equal(r.headers.get("x-xet-access-token"), j.accessToken);
        assert.equal(r.headers.get("x-xet-token-expiration"), String(j.exp));
        assert.ok(j.exp > Date.now() / 1000);
        return j.accessToken;
      };
      writeTok = await tok(`admin/${mineName}`, "write", hub.token);
      readTok = await tok(`admin/${mineName}`, "read", hub.token);
      bobTok = await tok(`bob/${bobName}`, "write", tokens.bob);
      carolTok = await tok(`carol/${carolName}`, "write", tokens.carol);
    });

    async function expectRefused(resp, status) {
      assert.equal(resp.status, status, await resp.clone().text());
      assert.ok(resp.headers.get("x-error-message"), "X-Error-Message is set");
      const j = await resp.json();
      assert.ok(typeof j.error === "string" && j.error.length > 0);
    }

    test("corrupt, mislabelled or truncated xorbs are 400 and nothing is stored", T, async () => {
      const before = storedXorbs(hub.dataDir).length;
      const x = rawXorb(randomBytes(200 * 1024));
      const corrupt = Buffer.from(x.bytes);
      corrupt[100] ^= 0xff;
      await expectRefused(await post(`/v1/xorbs/default/${x.hash}`, writeTok, corrupt), 400);
      const other = rawXorb(randomBytes(1000));
      await expectRefused(await post(`/v1/xorbs/default/${other.hash}`, writeTok, x.bytes), 400);
      await expectRefused(await post(`/v1/xorbs/default/${x.hash}`, writeTok, x.bytes.subarray(0, x.bytes.length - 10)), 400);
      const badLz4 = Buffer.from(x.bytes.subarray(0, 8 + 1000));
      badLz4[4] = 1; // claims LZ4 but holds raw bytes
      await expectRefused(await post(`/v1/xorbs/default/${x.hash}`, writeTok, badLz4), 400);
      await expectRefused(await post(`/v1/xorbs/default/not-a-hash`, writeTok, x.bytes), 400);
      assert.equal(storedXorbs(hub.dataDir).length, before);
      // The genuine one is accepted, once.
      const ok = await post(`/v1/xorbs/default/${x.hash}`, writeTok, x.bytes);
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).was_inserted, true);
      assert.equal((await (await post(`/v1/xorbs/default/${x.hash}`, writeTok, x.bytes)).json()).was_inserted, false);
    });

    test("tokens: read tokens cannot write, forged and missing tokens are 401", T, async () => {
      const before = storedXorbs(hub.dataDir).length;
      const x = rawXorb(randomBytes(20 * 1024));
      await expectRefused(await post(`/v1/xorbs/default/${x.hash}`, readTok, x.bytes), 403);
      const forged = writeTok.slice(0, -4) + (writeTok.endsWith("0000") ? "1111" : "0000");
      await expectRefused(await post(`/v1/xorbs/default/${x.hash}`, forged, x.bytes), 401);
      await expectRefused(await fetch(cas(`/v1/xorbs/default/${x.hash}`), { method: "POST", body: x.bytes }), 401);
      // A hub token is not a CAS token.
      await expectRefused(await post(`/v1/xorbs/default/${x.hash}`, hub.token, x.bytes), 401);
      // Without a write token a 60 MB body is refused before it is read: the answer comes while the
      // client has sent nothing but the head.
      for (const auth of ["", `Authorization: Bearer ${readTok}\r\n`]) {
        const res = await rawHttp(hub.endpoint, {
          head: `POST /cas/v1/xorbs/default/${x.hash} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 60000000\r\n\r\n`,
          endAfterWrite: false,
          untilHeaders: true,
          timeoutMs: 10_000,
        });
        assert.ok(res.status === 401 || res.status === 403, `status ${res.status} ${res.raw?.slice?.(0, 200)}`);
      }
      assert.equal(storedXorbs(hub.dataDir).length, before);
      // bob may not even learn that admin's private repos exist, nor get tokens for others' repos.
      const r = await fetch(`${hub.endpoint}/api/models/admin/${mineName}/xet-write-token/main`, { headers: { Authorization: `Bearer ${tokens.bob}` } });
      assert.equal(r.status, 403);
    });

    test("shards naming missing or foreign xorbs are 400; another repo's data stays hidden", T, async () => {
      // bob stores a xorb in his private repo and records a file from it.
      const secret = randomBytes(30 * 1024);
      const bx = rawXorb(secret);
      assert.equal((await post(`/v1/xorbs/default/${bx.hash}`, bobTok, bx.bytes)).status, 200);
      const bobFile = hashToHex(fileHash(bx.chunks));
      const bobShard = shardFor(bobFile, [{ xorb: bx.hash, chunks: bx.chunks }], sha256(secret));
      assert.equal((await post(`/v1/shards`, bobTok, bobShard)).status, 200);

      // carol knows the hashes but not the bytes: the same shard in carol's repo is refused…
      await expectRefused(await post(`/v1/shards`, carolTok, bobShard), 400);
      // …so is a shard naming a xorb nobody uploaded…
      const ghost = rawXorb(randomBytes(9000));
      const ghostFile = hashToHex(fileHash(ghost.chunks));
      await expectRefused(await post(`/v1/shards`, writeTok, shardFor(ghostFile, [{ xorb: ghost.hash, chunks: ghost.chunks }])), 400);
      // …and the dedup query does not reveal bob's chunk to carol's token.
      const q = await fetch(cas(`/v1/chunks/default/${hashToHex(bx.chunks[0].hash)}`), { headers: { Authorization: `Bearer ${carolTok}` } });
      assert.equal(q.status, 404);
      const own = await fetch(cas(`/v1/chunks/default/${hashToHex(bx.chunks[0].hash)}`), { headers: { Authorization: `Bearer ${bobTok}` } });
      assert.equal(own.status, 200);
      // Reconstructing bob's file with a token of another repo is a 404; with bob's it works.
      const rec = await fetch(cas(`/v1/reconstructions/${bobFile}`), { headers: { Authorization: `Bearer ${carolTok}` } });
      assert.equal(rec.status, 404);
      const mine = await fetch(cas(`/v2/reconstructions/${bobFile}`), { headers: { Authorization: `Bearer ${bobTok}` } });
      assert.equal(mine.status, 200);
      // A shard whose SHA-256 is not the file's is refused.
      const liar = shardFor(bobFile, [{ xorb: bx.hash, chunks: bx.chunks }], sha256(Buffer.from("other")));
      await expectRefused(await post(`/v1/shards`, bobTok, liar), 400);
      // Neither can carol commit bob's file by its SHA-256.
      const c = await commitRaw(hub, { id: `carol/${carolName}`, token: tokens.carol, lfsFiles: [{ path: "stolen.bin", oid: sha256(secret), size: secret.length }] });
      assert.equal(c.status, 400, c.text);
    });

    // xet-core's upload_shard_v2: NDJSON frames while the shard is checked, ending in a result or
    // an error frame (the status is 200 by then); what the body alone shows is refused with a status.
    test("/v2/shards streams the check's progress and its outcome", T, async () => {
      const frames = async (resp) => {
        assert.equal(resp.status, 200, await resp.clone().text());
        assert.equal(resp.headers.get("content-type"), "application/x-ndjson");
        return (await resp.text()).trim().split("\n").map((l) => JSON.parse(l));
      };
      const data = randomBytes(150 * 1024);
      const x = rawXorb(data);
      assert.equal((await post(`/v1/xorbs/default/${x.hash}`, writeTok, x.bytes)).status, 200);
      const file = hashToHex(fileHash(x.chunks));
      const reconstruct = () => fetch(cas(`/v1/reconstructions/${file}`), { headers: { Authorization: `Bearer ${writeTok}` } });

      // A SHA-256 that is not the file's: the stream ends in an error frame, not worth a retry, and
      // nothing is recorded.
      const liar = await frames(await post(`/v2/shards`, writeTok, shardFor(file, [{ xorb: x.hash, chunks: x.chunks }], sha256(Buffer.from("other")))));
      assert.deepEqual(liar[0], { type: "validating", verified: 0, total: 1 });
      const err = liar.at(-1);
      assert.equal(err.type, "error");
      assert.match(err.message, /SHA-256/);
      assert.equal(err.retryable, false);
      assert.equal((await reconstruct()).status, 404);

      const ok = await frames(await post(`/v2/shards`, writeTok, shardFor(file, [{ xorb: x.hash, chunks: x.chunks }], sha256(data))));
      assert.deepEqual(ok[0], { type: "validating", verified: 0, total: 1 });
      assert.deepEqual(ok.slice(-2), [{ type: "committing", stage: "syncing" }, { type: "result" }]);
      assert.ok(!ok.some((f) => f.type === "error"));
      assert.equal((await reconstruct()).status, 200);

      // Refused before any frame: not a shard, a read token, no token.
      await expectRefused(await post(`/v2/shards`, writeTok, Buffer.from("not a shard")), 400);
      await expectRefused(await post(`/v2/shards`, readTok, shardFor(file, [{ xorb: x.hash, chunks: x.chunks }], sha256(data))), 403);
      await expectRefused(await fetch(cas(`/v2/shards`), { method: "POST", body: Buffer.from("x") }), 401);
    });

    test("signed xorb URLs serve only their range", T, async () => {
      const info = await hf.pathsInfo({ ...creds, repo, paths: ["data/big.bin"] });
      const readToken = (await (await fetch(`${hub.endpoint}/api/models/${repo.name}/xet-read-token/main`, { headers: { Authorization: `Bearer ${hub.token}` } })).json()).accessToken;
      const rec = await (await fetch(cas(`/v2/reconstructions/${info[0].xetHash}`), { headers: { Authorization: `Bearer ${readToken}` } })).json();
      const [xorb] = Object.keys(rec.xorbs);
      const entry = rec.xorbs[xorb][0];
      const { start, end } = entry.ranges[0].bytes;
      const ok = await fetch(entry.url, { headers: { Range: `bytes=${start}-${end}` } });
      assert.equal(ok.status, 206);
      const outside = await fetch(entry.url, { headers: { Range: `bytes=${start}-${end + 100}` } });
      assert.ok(outside.status === 403 || outside.status === 400, `status ${outside.status}`);
      const tampered = entry.url.replace(`/${start}-${end}/`, `/${start}-${end + 1000}/`);
      assert.equal((await fetch(tampered)).status, 403);
      const bad = await fetch(cas(`/v2/reconstructions/${info[0].xetHash}`), { headers: { Authorization: `Bearer ${readToken}`, Range: "bytes=999999999-" } });
      assert.equal(bad.status, 416);
      // The batch form (v1 shape), with a read token.
      const batch = await fetch(cas(`/v1/reconstructions`), {
        method: "POST",
        headers: { Authorization: `Bearer ${readToken}`, "Content-Type": "application/json" },
        body: JSON.stringify([{ prefix: "default", hash: info[0].xetHash }]),
      });
      assert.equal(batch.status, 200, await batch.clone().text());
      const bj = await batch.json();
      assert.ok(bj.files[info[0].xetHash].length >= 1);
      assert.ok(Object.keys(bj.fetch_info).length >= 1);
      const missing = await fetch(cas(`/v1/reconstructions`), {
        method: "POST",
        headers: { Authorization: `Bearer ${readToken}` },
        body: JSON.stringify([{ prefix: "default", hash: "0".repeat(64) }]),
      });
      assert.equal(missing.status, 404);
      // xet-core's form of the batch: GET with file_id parameters, the same answer.
      const byQuery = await fetch(cas(`/v1/reconstructions?file_id=${info[0].xetHash}`), { headers: { Authorization: `Bearer ${readToken}` } });
      assert.equal(byQuery.status, 200, await byQuery.clone().text());
      assert.deepEqual(Object.keys((await byQuery.json()).files), [info[0].xetHash]);
      assert.equal((await fetch(cas(`/v1/reconstructions?file_id=${"0".repeat(64)}`), { headers: { Authorization: `Bearer ${readToken}` } })).status, 404);
      const none = await fetch(cas(`/v1/reconstructions`), { headers: { Authorization: `Bearer ${readToken}` } });
      assert.equal(none.status, 400);
      assert.ok(none.headers.get("x-error-message"), "no X-Error-Message");
    });
  });
});

// Spaces: a Xet-stored file reaches the Space's build (rebuilt from its xorbs before checkout), and
// a duplicated Space reads it through Xet too.
describe("Xet-stored files in Spaces", { skip: (!HAVE_BWRAP && "no bwrap") || (!IS_ROOT && "the local runtime needs root") }, () => {
  let hub;
  let creds;
  const name = uniqueName("xetspace");
  const copy = uniqueName("xetcopy");
  const weights = randomBytes(3 * MiB);

  before(async () => {
    hub = await startHub({ args: RUNTIME_ARGS });
    creds = { accessToken: hub.token, hubUrl: hub.endpoint };
  });
  after(async () => {
    await hub?.stop();
  });

  test("a static Space serves a file uploaded with Xet; its duplicate reads it through Xet", T, async () => {
    const space = { type: "space", name: `admin/${name}` };
    await hf.createRepo({ ...creds, repo: space, sdk: "static" });
    const spy = spyFetch(hub);
    await hf.uploadFiles({
      ...creds,
      repo: space,
      fetch: spy.fetch,
      files: [
        { path: "index.html", content: new Blob(["<h1>xet</h1>"]) },
        { path: "weights.bin", content: new Blob([weights]) },
      ],
    });
    assert.ok(spy.calls.some((c) => c.path.startsWith("/cas/v1/xorbs/")), "the upload went through Xet");
    await waitStage(hub, name, ["RUNNING"]);
    const served = await hostRequest(hub, spaceHost(`admin/${name}`), "/weights.bin");
    assert.equal(served.status, 200);
    assert.equal(sha256(served.bytes), sha256(weights));

    const d = await hub.api("POST", `/api/spaces/admin/${name}/duplicate`, { token: hub.token, json: { repository: `admin/${copy}` } });
    assert.equal(d.status, 200, d.text);
    const blob = await hf.downloadFile({ ...creds, repo: { type: "space", name: `admin/${copy}` }, path: "weights.bin" });
    assert.equal(blob.constructor.name, "XetBlob");
    assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), sha256(weights));
  });
});
