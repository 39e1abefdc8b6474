// The C++ client over Xet (issue #15): `spacehub upload` sends an LFS-size file as xorbs and a
// shard when the hub offers Xet (nothing lands in the LFS store), `spacehub download` rebuilds it
// from the reconstruction, @huggingface/hub reads the same bytes, a 1 MiB change re-sends only a
// fraction, and --no-xet keeps the plain LFS path both ways.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as hf from "@huggingface/hub";
import { startHub, makeTempDir, SPACEHUB_BIN, sha256, uniqueName, lfsObjectPath, storedXorbs } from "./harness.mjs";

const T = { timeout: 240_000 };
const MiB = 1024 * 1024;

let hub;
let token;
let hfHome;
let work;

function cli(args, env = {}) {
  return new Promise((resolve) => {
    execFile(
      SPACEHUB_BIN,
      args,
      {
        timeout: 120_000,
        maxBuffer: 64 << 20,
        env: { PATH: process.env.PATH, HF_ENDPOINT: hub.endpoint, HF_TOKEN: token, HF_HOME: hfHome, ...env },
      },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
async function ok(args, env) {
  const r = await cli(args, env);
  assert.equal(r.code, 0, `spacehub ${args.join(" ")} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

// "xet upload: N xorbs, B bytes sent, D bytes deduplicated" (SPACEHUB_CLIENT_XET_STATS=1).
function xetStats(stderr) {
  const m = /xet upload: (\d+) xorbs, (\d+) bytes sent, (\d+) bytes deduplicated/.exec(stderr);
  assert.ok(m, `no Xet upload stats in:\n${stderr}`);
  return { xorbs: Number(m[1]), sent: Number(m[2]), deduped: Number(m[3]) };
}

before(async () => {
  hub = await startHub();
  token = await hub.createUser("xena");
  hfHome = makeTempDir("spacehub-cpp-xet-home-");
  work = makeTempDir("spacehub-cpp-xet-");
});

after(async () => {
  if (hub) await hub.stop();
});

test("spacehub upload sends a 20 MB file as xorbs; download and @huggingface/hub read it back", T, async () => {
  const repo = `xena/${uniqueName("cx")}`;
  await ok(["repo", "create", repo]);
  const data = randomBytes(20 * MiB);
  const file = path.join(work, "weights.bin");
  writeFileSync(file, data);
  const oid = sha256(data);
  const before = storedXorbs(hub.dataDir).length;
  const up = await ok(["upload", repo, file, "weights.bin"], { SPACEHUB_CLIENT_XET_STATS: "1" });
  const stats = xetStats(up.stderr);
  assert.ok(stats.xorbs >= 1 && stats.sent >= data.length, JSON.stringify(stats));
  assert.ok(storedXorbs(hub.dataDir).length > before, "no xorb stored");
  assert.ok(!existsSync(lfsObjectPath(hub.dataDir, oid)), "the upload also went to the LFS store");

  // SPACEHUB_CLIENT_DEBUG logs every request: the download must go through the reconstruction.
  const dl = await ok(["download", repo, "weights.bin", "--cache-dir", path.join(work, "cache")], {
    SPACEHUB_CLIENT_DEBUG: "1",
  });
  assert.match(dl.stderr, /\/cas\/v2\/reconstructions\//);
  assert.match(dl.stderr, /\/cas\/xorb-data\//, "no xorb range was fetched");
  assert.doesNotMatch(dl.stderr, /Xet download of .* failed/);
  assert.doesNotMatch(dl.stderr, /GET [^ ]*\/resolve\/main\/weights\.bin/, "fell back to the plain GET");
  const got = readFileSync(dl.stdout.trim());
  assert.equal(sha256(got), oid);

  const blob = await hf.downloadFile({ repo, path: "weights.bin", hubUrl: hub.endpoint, accessToken: token });
  assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), oid);

  // A 1 MiB change in the middle: the dedup answers spare most of the file.
  data.set(randomBytes(MiB), 10 * MiB);
  writeFileSync(file, data);
  const again = await ok(["upload", repo, file, "weights.bin"], { SPACEHUB_CLIENT_XET_STATS: "1" });
  const s2 = xetStats(again.stderr);
  assert.ok(s2.sent < 0.2 * data.length, `re-sent ${s2.sent} of ${data.length} bytes`);
  console.log(`# 1 MiB change of ${data.length}: re-sent ${s2.sent} bytes, deduplicated ${s2.deduped}`);
  const dl2 = await ok(["download", repo, "weights.bin", "--cache-dir", path.join(work, "cache2")]);
  assert.equal(sha256(readFileSync(dl2.stdout.trim())), sha256(data));
});

// A file of several xorbs sends them while it is being chunked (SPACEHUB_CLIENT_DEBUG shows the
// xorb POSTs before the LFS batch), one 64 MiB window at a time; the shard after the batch names
// them all, and a change in the second window re-sends only around it.
test("a 140 MiB file sends its xorbs while it is chunked; a change in its middle re-sends little", T, async () => {
  const repo = `xena/${uniqueName("cw")}`;
  await ok(["repo", "create", repo]);
  const data = randomBytes(140 * MiB);
  const file = path.join(work, "big.bin");
  writeFileSync(file, data);
  const up = await ok(["upload", repo, file, "big.bin"], { SPACEHUB_CLIENT_XET_STATS: "1", SPACEHUB_CLIENT_DEBUG: "1" });
  const stats = xetStats(up.stderr);
  assert.equal(stats.xorbs, 3, JSON.stringify(stats));
  const firstXorb = up.stderr.search(/POST [^ ]*\/cas\/v1\/xorbs\//);
  const batch = up.stderr.search(/POST [^ ]*\/info\/lfs\/objects\/batch/);
  assert.ok(firstXorb >= 0 && batch > firstXorb, "the xorbs did not go before the LFS batch");
  const dl = await ok(["download", repo, "big.bin", "--cache-dir", path.join(work, "cache-big")]);
  assert.equal(sha256(readFileSync(dl.stdout.trim())), sha256(data));

  data.set(randomBytes(MiB), 100 * MiB);
  writeFileSync(file, data);
  const again = await ok(["upload", repo, file, "big.bin"], { SPACEHUB_CLIENT_XET_STATS: "1" });
  const s2 = xetStats(again.stderr);
  assert.ok(s2.sent < 4 * MiB, `re-sent ${s2.sent} of ${data.length} bytes`);
  const dl2 = await ok(["download", repo, "big.bin", "--cache-dir", path.join(work, "cache-big2")]);
  assert.equal(sha256(readFileSync(dl2.stdout.trim())), sha256(data));
  rmSync(file);
});

test("--no-xet uploads to the LFS store and downloads plain bytes", T, async () => {
  const repo = `xena/${uniqueName("cl")}`;
  await ok(["repo", "create", repo]);
  const data = randomBytes(3 * MiB);
  const file = path.join(work, "plain.bin");
  writeFileSync(file, data);
  await ok(["upload", repo, file, "plain.bin", "--no-xet"]);
  assert.ok(existsSync(lfsObjectPath(hub.dataDir, sha256(data))), "not in the LFS store");
  const dl = await ok(["download", repo, "plain.bin", "--no-xet", "--cache-dir", path.join(work, "cache3")], {
    SPACEHUB_CLIENT_DEBUG: "1",
  });
  assert.doesNotMatch(dl.stderr, /\/cas\//);
  assert.equal(sha256(readFileSync(dl.stdout.trim())), sha256(data));
});
